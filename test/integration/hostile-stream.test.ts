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

/**
 * The stream-level misbehaviours: silence, resets, unknown, empty and duplicate ids, a flood
 * of 10,000 responses a second, and the accounting of decode errors. Today's sessions hang or
 * misattribute on them; they pass once the session model of issue 7 ("Sessions you can trust
 * under faults": a deadline per request, one ledger, ids matched strictly) has landed. Enable
 * this file (drop the .skip) when merging issue 7.
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
async function runAlone(name: string, deadlines: { deadlineMs?: number } = {}) {
  const server = await startHostileServer({ models: [model(name)] })
  try {
    return await runHostileSession(server.url, model(name), media, deadlines)
  } finally {
    await server.close()
  }
}

// issue 7: enable after the session rewrite.
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
  }, 30_000)

  it('reset: the session ends with one clear error, requests are failures, nothing hangs', async () => {
    const run = await runAlone('reset')
    expectNoGarbage(run.events)
    expect(run.events.filter((e) => e.kind === 'transcript')).toEqual([])
    expect(run.error).toBeDefined()
    expectCleanLines((run.error as Error).message)
    expect(run.records.every((r) => !r.ok)).toBe(true)
  }, 30_000)

  it('unknown ids: no answer is given to a request it was not for', async () => {
    const run = await runAlone('unknown-id')
    expect(run.events.filter((e) => e.kind === 'transcript')).toEqual([])
    expect(run.records.every((r) => !r.ok)).toBe(true)
  }, 30_000)

  it('empty ids: on a stream whose requests carry ids, an answer without one is nobody’s', async () => {
    const run = await runAlone('empty-id')
    expect(run.events.filter((e) => e.kind === 'transcript')).toEqual([])
    expect(run.records.every((r) => !r.ok)).toBe(true)
  }, 30_000)

  it('duplicate ids: one result per request, the second answer is ignored and counted', async () => {
    const run = await runAlone('duplicate-id')
    const ok = run.records.filter((r) => r.ok)
    expect(ok.length).toBeGreaterThan(0)
    expect(run.records.length).toBe(ok.length)
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
    } finally {
      await server.close()
    }
  }, 30_000)
})
