import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../../src/shared/session-events'
import { resolveModel } from '../../../src/main/sessions/model-plan'
import { createAudioSession } from '../../../src/main/sessions/session-factory'
import { createTransport } from '../../../src/main/transport/create-transport'
import { TritonClient } from '../../../src/main/triton/triton-client'
import { DemoProcess } from '../../fixtures/demo-process'
import { mulberry32, SENTENCES, sleep, speech, spokenChunk } from '../../fixtures/spoken-audio'

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'triton-live-restarts-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('a microphone session against a server killed with SIGKILL and restarted', () => {
  it('loses no sample and repeats no text over ten restarts at random moments', async () => {
    const server = new DemoProcess(join(root, 'sequences-1.jsonl'))
    await server.start()
    const client = new TritonClient({ url: server.url, timeoutMs: 2000 })
    const { profile } = await resolveModel(client, 'tone-transcriber-streaming')
    const rate = profile.audio!.sampleRate
    const chunk = Math.round(rate / 4)
    profile.audio = { ...profile.audio!, chunkSamples: chunk }
    const session = createAudioSession(
      { transport: createTransport(client), profile, workRoot: root },
      'microphone',
    )
    const events: SessionEvent[] = []
    const runningAt: number[] = []
    session.onDidEmit((e) => {
      events.push(e)
      if (e.kind === 'status' && e.state === 'running') runningAt.push(Date.now())
    })
    await session.start()
    const finals = (): string[] =>
      events.flatMap((e) => (e.kind === 'transcript' && e.final ? [e.text] : []))
    /** What a failure message needs: what the session said went wrong, and what the server did. */
    const diagnosis = (): string =>
      JSON.stringify(
        {
          state: session.state,
          flow: session.flow(),
          summary: session.summary(),
          said: events.flatMap((e) =>
            e.kind === 'request-error' || e.kind === 'notice'
              ? [`${e.kind}: ${e.message}`]
              : e.kind === 'status' && e.error
                ? [`${e.state}: ${e.error.message}`]
                : [],
          ),
          finals: finals(),
          completed: server.completedSequences().map((c) => `${c.text} (${c.samples})`),
        },
        null,
        1,
      )
    const outages: Promise<void>[] = []
    /**
     * Back in service after `restarts` restarts: reconnected, and what it replayed and what the
     * microphone said meanwhile answered. Killed as soon as it says 'running' (its replay
     * written, not yet answered), a session on a loaded machine fell further behind at each
     * kill, and four replays of one utterance in a row without an answer look like a request
     * the server dies on: the session gave that utterance up (MAX_ATTEMPTS).
     */
    const backInService = async (restarts: number): Promise<void> => {
      await outages[restarts - 1]
      for (let waited = 0; ; waited += 10) {
        const flow = session.flow()
        if (
          session.state === 'running' &&
          session.summary().reconnects >= restarts &&
          flow.queued === 0 &&
          flow.inFlight === 0
        )
          return
        if (waited > 30_000 || session.state === 'failed' || session.state === 'stopped')
          throw new Error(`not back in service after restart ${restarts}: ${diagnosis()}`)
        await sleep(10)
      }
    }
    // 0.8 s of silence after speech ends an utterance; with 0.25 s chunks the 4th silent one does.
    const input = speech(SENTENCES, chunk, 4)
    const random = mulberry32(7)
    const killAt = new Set<number>()
    while (killAt.size < 10) killAt.add(5 + Math.floor(random() * (input.chunks.length - 10)))
    for (let i = 0; i < input.chunks.length; i++) {
      const kill = killAt.has(i)
      // Each kill hits a session that is back in service, so these are ten outages, not one.
      if (kill) await backInService(outages.length)
      await session.push(spokenChunk(input.chunks, i, rate))
      if (kill) {
        // With this chunk's request on its way: its answer may die with the server.
        await server.kill9()
        // The microphone keeps talking while the server is away.
        const downFor = 100 + Math.floor(random() * 700)
        outages.push(sleep(downFor).then(() => server.start()))
      }
      await sleep(5)
    }
    await Promise.all(outages)
    // An utterance given up on will never have its final: no need to wait for it.
    const gaveUp = (): boolean =>
      events.some((e) => e.kind === 'request-error') || session.state === 'failed'
    for (
      let waited = 0;
      finals().length < SENTENCES.length && !gaveUp() && waited < 60_000;
      waited += 50
    )
      await sleep(50)
    const summary = await session.stop()
    client.close()

    expect(finals(), diagnosis()).toEqual(SENTENCES)
    const completed = server.completedSequences()
    const byText = new Map<string, number[]>()
    for (const c of completed) byText.set(c.text, [...(byText.get(c.text) ?? []), c.samples])
    // For the note: how long after the server listened again the session was running.
    const back = server.listeningAt.slice(1).map((t) => (runningAt.find((r) => r >= t) ?? NaN) - t)
    console.log(`back in service after a restart (ms): ${back.join(' ')}`)
    expect([...byText.keys()].sort(), diagnosis()).toEqual([...SENTENCES].sort())
    for (const [text, counts] of byText) {
      // A sequence may complete twice (its answer died with the server), never short.
      for (const n of counts) expect(n, text).toBe(input.samples.get(text))
    }
    const unique = [...byText.keys()].reduce((n, t) => n + (input.samples.get(t) ?? 0), 0)
    expect(unique).toBe(input.total)
    expect(summary.failures, diagnosis()).toBe(0)
    expect(summary.unprocessed, diagnosis()).toBeUndefined()
    expect(summary.reconnects, diagnosis()).toBe(10)
    const states = events.flatMap((e) => (e.kind === 'status' ? [e.state] : []))
    expect(states.filter((s) => s === 'reconnecting').length).toBeGreaterThanOrEqual(
      summary.reconnects,
    )
    // Every loss the user was told of is counted, and every reconnect followed one.
    const told = events.filter((e) => e.kind === 'status' && e.state === 'reconnecting' && e.error)
    expect(summary.linkLosses, diagnosis()).toBe(told.length)
    expect(summary.linkLosses).toBeGreaterThanOrEqual(summary.reconnects)
    expect(states[states.length - 1]).toBe('stopped')
    await server.kill9()
  }, 120_000)
})
