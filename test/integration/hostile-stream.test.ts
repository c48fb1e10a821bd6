import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TranscriptEvent } from '../../src/shared/results'
import {
  cli,
  expectCleanLines,
  expectNoCrash,
  expectNoGarbage,
  makeMedia,
  runHostileSession,
} from '../fixtures/hostile-harness'
import { HOSTILE_MODELS, type HostileModel } from '../fixtures/hostile-models'
import { startHostileServer } from '../fixtures/hostile-server'
import { spawnCli } from '../fixtures/built-app'

/**
 * The stream-level misbehaviours: silence, resets, unknown, empty and duplicate ids, a flood
 * of 10,000 responses a second, and the accounting of decode errors, each against a real gRPC
 * server that misbehaves on purpose. Every case ends by itself (a deadline per request, a
 * bounded give-up) or by Stop; every request is counted once, and an answer that matches no
 * request is counted as unmatched, never attributed.
 */

const model = (name: string): HostileModel => {
  const m = HOSTILE_MODELS.find((x) => x.name === name)
  if (!m) throw new Error(`no hostile model '${name}'`)
  return m
}

let dir: string
let media: { video: string; audio: string }

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-hostile-stream-'))
  media = makeMedia(dir)
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Each case gets its own server: a reset takes the server down with it. */
async function runAlone(name: string, options: Parameters<typeof runHostileSession>[3] = {}) {
  const server = await startHostileServer({ models: [model(name)] })
  try {
    return await runHostileSession(server.url, model(name), media, options)
  } finally {
    await server.close()
  }
}

describe.concurrent('stream-level misbehaviours', () => {
  it('silence: every request ends as a timeout within its deadline, nothing hangs', async () => {
    const run = await runAlone('silence')
    expect(run.events.filter((e) => e.kind === 'transcript')).toEqual([])
    expect(run.records.length).toBeGreaterThan(0)
    expect(run.records.every((r) => !r.ok)).toBe(true)
    const messages = run.events.flatMap((e) => (e.kind === 'request-error' ? [e.message] : []))
    expect(messages.length + (run.error ? 1 : 0)).toBeGreaterThan(0)
    expect((run.error as { message?: string } | undefined)?.message ?? messages[0]).toMatch(
      /no answer|not answer|timeout/i,
    )
    // Giving up says how much was not processed: here, all of the 1 s of audio.
    expect(run.summary?.unprocessed?.audioSec).toBe(1)
    expect(run.summary?.unprocessed?.requests).toBeGreaterThan(0)
    expect(run.summary?.outcomes.timeout).toBe(run.summary?.requests)
    // Each passed deadline lost the link once, and the session said so each time.
    expect(run.linkLossesSaid).toBeGreaterThan(0)
    expect(run.summary?.linkLosses).toBe(run.linkLossesSaid)
  }, 30_000)

  it('reset: the session ends with one clear error, requests are failures, nothing hangs', async () => {
    const run = await runAlone('reset')
    expectNoGarbage(run.events)
    expect(run.events.filter((e) => e.kind === 'transcript')).toEqual([])
    expect(run.error).toBeDefined()
    expectCleanLines((run.error as Error).message)
    expect(run.records.every((r) => !r.ok)).toBe(true)
  }, 30_000)

  it('unknown ids: no answer is given to a request it was not for, and each is counted', async () => {
    const run = await runAlone('unknown-id')
    expect(run.events.filter((e) => e.kind === 'transcript')).toEqual([])
    expect(run.records.every((r) => !r.ok)).toBe(true)
    expect(run.summary?.unmatched).toBeGreaterThanOrEqual(run.records.length)
  }, 30_000)

  it('empty ids: on a stream whose requests carry ids, an answer without one is nobody’s', async () => {
    const run = await runAlone('empty-id')
    expect(run.events.filter((e) => e.kind === 'transcript')).toEqual([])
    expect(run.records.every((r) => !r.ok)).toBe(true)
    expect(run.summary?.unmatched).toBeGreaterThanOrEqual(run.records.length)
  }, 30_000)

  it('duplicate ids: one result per request, the second answer is ignored and counted', async () => {
    const run = await runAlone('duplicate-id')
    const ok = run.records.filter((r) => r.ok)
    expect(ok.length).toBeGreaterThan(0)
    expect(run.records.length).toBe(ok.length)
    expect(run.summary?.unmatched).toBe(ok.length)
    const finals = run.events.filter(
      (e): e is TranscriptEvent => e.kind === 'transcript' && e.final,
    )
    expect(finals.map((f) => f.text)).toEqual(['hello'])
  }, 30_000)

  it('a flood of 10,000 unsolicited responses a second changes no result', async () => {
    // The flood is about attribution, not speed: on a busy machine parsing 10,000 answers can
    // take longer than the other cases' 1.5 s deadline, so this one gets a generous one.
    const run = await runAlone('flood', { deadlineMs: 20_000 })
    expectNoGarbage(run.events)
    expect(run.error).toBeUndefined()
    expect(run.records.length).toBeGreaterThan(0)
    expect(run.records.every((r) => r.ok)).toBe(true)
    // Every unsolicited answer is counted (a request sent again after a drop draws another flood).
    expect(run.summary?.unmatched).toBeGreaterThanOrEqual(10_000 * run.records.length)
    const finals = run.events.filter(
      (e): e is TranscriptEvent => e.kind === 'transcript' && e.final,
    )
    expect(finals.map((f) => f.text)).toEqual(['hello'])
  }, 30_000)

  it("caps a 1 MB error_message at the server's 500 characters", async () => {
    const run = await runAlone('error-message-huge')
    const first = run.events.find((e) => e.kind === 'request-error')
    expect(first && first.kind === 'request-error' ? first.message : '').toMatch(
      /: E{500}… \(999500 more\)/,
    )
  }, 30_000)

  it('counts a decode error as a failed request: garbage boxes are 4 failures of 4 frames', async () => {
    const run = await runAlone('nan-boxes')
    expect(run.events.filter((e) => e.kind === 'detections')).toEqual([])
    expect(run.records).toHaveLength(4)
    expect(run.records.every((r) => !r.ok)).toBe(true)
    expect(run.summary?.outcomes['decode-error']).toBe(4)
    const server = await startHostileServer({ models: [model('nan-boxes')] })
    try {
      const r = await cli([
        'stream',
        '--url',
        server.url,
        '--model',
        'nan-boxes',
        '--file',
        media.video,
      ])
      expectNoCrash(r)
      expect(r.code).toBe(1)
      expect(r.stdout).toMatch(/Failed +4\n/)
      expect(r.stdout).toMatch(/Decode errors +4\n/)
    } finally {
      await server.close()
    }
  }, 30_000)

  for (const name of ['silence', 'reset', 'unknown-id']) {
    it(`${name}: Stop ends the session and accounts for every request it sent`, async () => {
      const run = await runAlone(name, { stopAfterSent: 1 })
      const s = run.summary
      expect(s).toBeDefined()
      expect(run.events.filter((e) => e.kind === 'transcript')).toEqual([])
      expect(s!.requests).toBeGreaterThan(0)
      expect(Object.values(s!.outcomes).reduce((a, b) => a + b, 0)).toBe(s!.requests)
      expect(s!.successes).toBe(0)
      expect(run.records).toHaveLength(s!.requests)
    }, 30_000)
  }

  it('silence through the CLI: --deadline-ms times each request out, says so, and Ctrl+C ends the run', async ({
    onTestFinished,
  }) => {
    const server = await startHostileServer({ models: [model('silence')] })
    try {
      const child = spawnCli(
        [
          'stream',
          '--url',
          server.url,
          '--model',
          'silence',
          '--file',
          media.audio,
          '--deadline-ms',
          '300',
        ],
        { onFinished: onTestFinished },
      )
      let stdout = ''
      let stderr = ''
      let interrupted = false
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString()
        // The deadline fired and the session is reconnecting: the user presses Ctrl+C once.
        if (!interrupted && /within 0\.3 s; reconnecting/.test(stderr)) {
          interrupted = true
          child.kill('SIGINT')
        }
      })
      const code = await new Promise<number>((r) => child.once('exit', (c) => r(c ?? -1)))
      expect(stderr).toMatch(/did not answer request \S+ within 0\.3 s; reconnecting\n/)
      expect(code).toBe(1)
      expect(stdout).toMatch(/Successful +0\n/)
      expect(stdout).toMatch(/Timed out +[1-9]\d*\n/)
      // The summary counts each "reconnecting" line the user saw as a lost link.
      const lines = stderr.match(/; reconnecting\n/g)?.length ?? 0
      expect(stdout).toMatch(new RegExp(`\n {2}Link lost +${lines}\n`))
      expect(stdout).toMatch(/\n {2}Reconnects +\d+\n/)
      expectCleanLines(stderr)
    } finally {
      await server.close()
    }
  }, 30_000)
})
