import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../../src/shared/session-events'
import { ToneTextDecoder } from '../../../src/main/demo-endpoint/tone-text-codec'
import { decodeWav } from '../../../src/main/media/wav-file'
import { resolveModel } from '../../../src/main/sessions/model-plan'
import type { AudioChunkIn } from '../../../src/main/sessions/pipelines/audio-chunk'
import type { Session } from '../../../src/main/sessions/session'
import { createAudioSession, type SessionSetup } from '../../../src/main/sessions/session-factory'
import { createTransport } from '../../../src/main/transport/create-transport'
import { TritonClient } from '../../../src/main/triton/triton-client'
import { DemoProcess } from '../../fixtures/demo-process'
import { HOSTILE_MODELS } from '../../fixtures/hostile-models'
import { startHostileServer } from '../../fixtures/hostile-server'
import { sleep, speech, spokenChunk } from '../../fixtures/spoken-audio'
import { streamFile } from '../../fixtures/stream-file'

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'triton-live-stop-while-away-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('Stop pressed while the server is away', () => {
  it('returns within its bound, keeps the untranscribed audio as a WAV, and that WAV transcribes later', async () => {
    const server = new DemoProcess(join(root, 'sequences-2.jsonl'))
    await server.start()
    const client = new TritonClient({ url: server.url, timeoutMs: 2000 })
    const { profile } = await resolveModel(client, 'tone-transcriber-streaming')
    const rate = profile.audio!.sampleRate
    const chunk = Math.round(rate / 4)
    profile.audio = { ...profile.audio!, chunkSamples: chunk }
    const session = createAudioSession(
      { transport: createTransport(client), profile, workRoot: root, drainTimeoutMs: 1500 },
      'microphone',
    )
    const events: SessionEvent[] = []
    session.onDidEmit((e) => events.push(e))
    await session.start()
    const said = speech(['heard before', 'said while away'], chunk, 4)
    const firstLength = said.samples.get('heard before')! / chunk
    const push = (i: number) => session.push(spokenChunk(said.chunks, i, rate))
    for (let i = 0; i < firstLength; i++) await push(i)
    while (!events.some((e) => e.kind === 'transcript' && e.final)) await sleep(10)
    await server.kill9()
    for (let i = firstLength; i < said.chunks.length; i++) await push(i)
    while (session.state !== 'reconnecting') await sleep(10)
    const summary = await session.stop()

    const finals = events.flatMap((e) => (e.kind === 'transcript' && e.final ? [e.text] : []))
    expect(finals).toEqual(['heard before'])
    const away = said.samples.get('said while away')!
    expect(summary.unprocessed?.audioSec).toBe(away / rate)
    expect(summary.unprocessed?.audioStartSec).toBe(said.samples.get('heard before')! / rate)
    const kept = summary.unprocessed!.keptAudioPath!
    expect(existsSync(kept)).toBe(true)
    // 16-bit PCM after a 44-byte header: exactly the samples that were not transcribed.
    expect(readFileSync(kept).length).toBe(44 + 2 * away)
    const last = events[events.length - 1]
    expect(last.kind === 'status' && last.state).toBe('stopped')

    // Nothing said is lost: with the server back, the kept audio gives the missing words.
    await server.start()
    const later = await streamFile(client, profile, kept)
    expect(
      later.results.flatMap((e) => (e.kind === 'transcript' && e.final ? [e.text] : [])),
    ).toEqual(['said while away'])
    const atServer = server.completedSequences().filter((c) => c.text !== '')
    expect(atServer.map((c) => c.text)).toEqual(['heard before', 'said while away'])
    client.close()
    await server.kill9()
  }, 60_000)
})

/**
 * A microphone session on a server that accepts the stream and never answers, with 'nobody
 * hears this' pushed into it; `run` gets it, and the server goes when it returns.
 */
async function onSilentServer(
  setup: Partial<SessionSetup>,
  run: (s: {
    session: Session<AudioChunkIn>
    events: SessionEvent[]
    said: ReturnType<typeof speech>
    rate: number
  }) => Promise<void>,
): Promise<void> {
  const model = HOSTILE_MODELS.find((m) => m.name === 'silence')!
  const server = await startHostileServer({ models: [model] })
  const client = new TritonClient({ url: server.url, timeoutMs: 2000 })
  try {
    const { profile } = await resolveModel(client, 'silence')
    const rate = profile.audio!.sampleRate
    const session = createAudioSession(
      { transport: createTransport(client), profile, workRoot: root, ...setup },
      'microphone',
    )
    const events: SessionEvent[] = []
    session.onDidEmit((e) => events.push(e))
    await session.start()
    const said = speech(['nobody hears this'], profile.audio!.chunkSamples, 4)
    for (let i = 0; i < said.chunks.length; i++)
      await session.push(spokenChunk(said.chunks, i, rate))
    await run({ session, events, said, rate })
  } finally {
    client.close()
    await server.close()
  }
}

describe('Stop against a server that accepts the stream and never answers', () => {
  it('drains, gives up on the unanswered, keeps every sample and ends as stopped', async () => {
    await onSilentServer({}, async ({ session, events, said, rate }) => {
      const asked = performance.now()
      const summary = await session.stop()
      // For the record (not asserted: wall time): how long Stop took against the silence.
      console.log(`stop() against a silent server: ${(performance.now() - asked).toFixed(0)} ms`)
      expect(summary.successes).toBe(0)
      expect(summary.requests).toBe(summary.failures)
      expect(summary.requests).toBeGreaterThan(0)
      // Stop's drain bound (5 s) gave them up, before any request's 10 s deadline could.
      expect(summary.outcomes.cancelled).toBe(summary.requests)
      expect(summary.outcomes.timeout).toBe(0)
      expect(summary.unprocessed?.audioSec).toBe(said.total / rate)
      const states = events.flatMap((e) => (e.kind === 'status' ? [e.state] : []))
      expect(states[states.length - 1]).toBe('stopped')
    })
  }, 60_000)
})

describe('An utterance the server never answers, on a session that goes on', () => {
  it('is given up after its replays, kept, and named by Stop in a WAV that still says it', async () => {
    // Short deadlines and waits, so the four replays take a second, not a minute.
    const quick = { deadlineMs: 300, reconnect: { initialDelayMs: 10, maxDelayMs: 20 } }
    await onSilentServer(quick, async ({ session, events, said, rate }) => {
      const givenUp = () =>
        events.flatMap((e) =>
          e.kind === 'request-error' && /without getting further/.test(e.message)
            ? [e.message]
            : [],
        )
      while (givenUp().length === 0) await sleep(20)
      expect(givenUp()).toEqual([
        expect.stringMatching(/^utterance 1 was sent 4 times .* and are kept with/),
      ])
      const summary = await session.stop()
      // Every sample is in the WAV, the given-up utterance first, and it still says the words.
      expect(summary.unprocessed?.audioSec).toBe(said.total / rate)
      expect(summary.unprocessed?.audioStartSec).toBe(0)
      // Two pieces, the given-up utterance and the silence after it that Stop found open,
      // joined as they followed each other: the WAV is the audio as it was said.
      const wav = readFileSync(summary.unprocessed!.keptAudioPath!)
      expect(wav.length).toBe(44 + 2 * said.total)
      const decoder = new ToneTextDecoder(rate)
      decoder.push(decodeWav(wav).samples)
      expect(decoder.flush().trim()).toBe('nobody hears this')
    })
  }, 60_000)
})
