import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DecodeError } from '../../src/main/triton/decode-error'
import { TritonError } from '../../src/main/triton/triton-error'
import { hasUnsafeCharacters } from '../../src/shared/safe-text'
import {
  cli,
  expectCleanLines,
  expectNoCrash,
  expectNoGarbage,
  makeMedia,
  runHostileSession,
} from '../fixtures/hostile-harness'
import { ESCAPES, HOSTILE_MODELS } from '../fixtures/hostile-models'
import { startHostileServer, type HostileServer } from '../fixtures/hostile-server'

// Silence, resets, unknown/empty/duplicate ids and the flood are tested stream by stream in
// hostile-stream.test.ts.
const PER_REQUEST = HOSTILE_MODELS.filter((m) => !m.streamLevel)

let dir: string
let media: { video: string; audio: string }
let server: HostileServer
let loud: HostileServer

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-hostile-'))
  media = makeMedia(dir)
  server = await startHostileServer()
  loud = await startHostileServer({
    models: [],
    serverName: `${ESCAPES}triton\r\n`,
    extensions: Array.from({ length: 100_000 }, (_, i) => `ext${i}${i === 7 ? ESCAPES : ''}`),
  })
})

afterAll(async () => {
  await server?.close()
  await loud?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('a hostile server through the CLI', () => {
  it('lists every model, a broken one as one line with its error, the rest with their kind', async () => {
    const r = await cli(['models', '--url', server.url, '--timeout', '5000'])
    expectNoCrash(r)
    expect(r.code).toBe(0)
    expectCleanLines(r.stdout)
    const [header, ...lines] = r.stdout.trimEnd().split('\n')
    expect(header).toMatch(/^NAME +VERSION +STATE +KIND +PRESET$/)
    expect(lines).toHaveLength(HOSTILE_MODELS.length)
    for (const m of HOSTILE_MODELS) {
      const line = lines.find((l) => l.startsWith(`${m.name} `))
      expect(line, m.name).toBeDefined()
      if (m.listing === 'error') expect(line).toMatch(/ READY +- +error: \S/)
      else expect(line).toMatch(/ READY +(streaming-asr|detection\/(end-to-end|efficient-nms)) +\S/)
    }
    expect(lines.find((l) => l.startsWith('meta-absurd-dims '))).toContain(
      "the server's output is wrong: the metadata of 'meta-absurd-dims': input 'WAV' has shape [1, 3000000000000000000]: dimension 3000000000000000000 is above 67108864",
    )
    expect(lines.find((l) => l.startsWith('meta-20000-inputs '))).toMatch(
      /lists 20000 inputs, more than the 256/,
    )
    expect(lines.find((l) => l.startsWith('meta-error-with-escapes '))).toMatch(
      /metadata exploded x+… \(\d+ more\)/,
    )
  })

  it('prints a server name and 100,000 extensions as data, capped', async () => {
    const r = await cli(['health', '--url', loud.url])
    expectNoCrash(r)
    expectCleanLines(r.stdout)
    expect(r.stdout).toMatch(/live=true ready=true {2}triton 0 /)
    expect(r.stdout).toMatch(/ext99 … \(99900 more\)\n$/)
  })

  it('streams garbage boxes, bad shapes and escaped errors as clean failure lines', async () => {
    const cases = [
      { model: 'nan-boxes', cause: /the server's output 'output0' \(end-to-end\).*x1 = NaN/ },
      {
        model: 'negative-dims',
        cause: /the server's output is wrong: output 'output0' has shape \[1, -2, 6\]/,
      },
      { model: 'error-message-escapes', cause: /model failed Second line/ },
      { model: 'class-1e30', cause: /class id 1\.0000000150474662e\+30/ },
    ]
    const runs = await Promise.all(
      cases.map((c) =>
        cli(['stream', '--url', server.url, '--model', c.model, '--file', media.video]),
      ),
    )
    runs.forEach((r, i) => {
      expectNoCrash(r)
      expect(r.code, cases[i].model).toBe(1)
      expectCleanLines(r.stdout + r.stderr)
      expect(r.stdout).not.toMatch(/^frame /m) // no garbage frame was printed
      expect(r.stdout).toMatch(cases[i].cause)
    })
  })

  it('prints a transcript full of escape sequences as plain text, in lines and in JSON', async () => {
    const args = [
      'stream',
      '--url',
      server.url,
      '--model',
      'transcript-escapes',
      '--file',
      media.audio,
    ]
    const [text, json] = await Promise.all([cli(args), cli([...args, '--json'])])
    for (const r of [text, json]) {
      expectNoCrash(r)
      expectCleanLines(r.stdout + r.stderr)
    }
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/\] hello world {2}\(/)
    const transcripts = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; text?: string })
      .filter((e) => e.kind === 'transcript')
    expect(transcripts.length).toBeGreaterThan(0)
    expect(transcripts.every((t) => t.text === 'hello world')).toBe(true)
  })
})

describe('a hostile server through the sessions', () => {
  for (const model of PER_REQUEST.filter((m) => m.stream !== 'listing-only')) {
    it(`${model.name}: ${model.stream === 'valid' ? 'valid results' : 'clean failures'}, no crash, no hang`, async () => {
      const run = await runHostileSession(server.url, model, media)
      expectNoGarbage(run.events)
      const results = run.events.filter((e) => e.kind !== 'request-error')
      const failures = run.events.filter((e) => e.kind === 'request-error')
      if (run.error !== undefined) {
        // Refused before streaming (broken metadata or config): a clear error of our own kind.
        expect(run.error instanceof DecodeError || run.error instanceof TritonError).toBe(true)
        const message = (run.error as Error).message
        expect(hasUnsafeCharacters(message)).toBe(false)
        expect(message.length).toBeLessThanOrEqual(1000)
        expect(model.listing === 'error' || model.stream === 'failures').toBe(true)
      }
      if (model.stream === 'valid') {
        expect(run.error).toBeUndefined()
        expect(results.length).toBeGreaterThan(0)
        expect(failures).toEqual([])
      } else {
        expect(results).toEqual([])
        expect(failures.length + (run.error === undefined ? 0 : 1)).toBeGreaterThan(0)
      }
      if (model.listing === 'kind' && model.stream === 'failures' && failures.length > 0) {
        // The cause is named: the server's output, or the model's own error message.
        const first = (failures[0] as { message: string }).message
        expect(first).toMatch(/the server's output|model failed|EEEE|the response|BYTES/)
      }
    }, 20_000)
  }
})
