import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoEndpoint, type DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'
import { sendSingleRequest } from '../../src/main/requests/single-request'
import { createTritonApi } from '../../src/main/triton/create-triton-api'
import type { TritonApi } from '../../src/main/triton/triton-api'
import { TritonError } from '../../src/main/triton/triton-error'
import type { ResponseView } from '../../src/shared/single-request'
import { runCli, type CliRun } from '../fixtures/built-app'
import type { ModelInferResponse } from '../../src/main/triton/generated/inference/ModelInferResponse'
import { HOSTILE_MODELS } from '../fixtures/hostile-models'
import { startHostileServer } from '../fixtures/hostile-server'

const cli = (args: string[]): Promise<CliRun> => runCli(args)

/** A 1x3x640x640 planar RGB frame in 0..1, black with one solid red rectangle. */
function redBoxFrame(x1: number, y1: number, x2: number, y2: number): Float32Array {
  const size = 640
  const frame = new Float32Array(3 * size * size)
  for (let y = y1; y < y2; y++) frame.fill(1, y * size + x1, y * size + x2)
  return frame
}

let demo: DemoEndpoint
let grpcApi: TritonApi
let httpApi: TritonApi
let dir: string

beforeAll(async () => {
  demo = await startDemoEndpoint({ port: 0, metricsPort: null, httpPort: 0 })
  grpcApi = createTritonApi({ url: demo.url })
  httpApi = createTritonApi({ url: demo.httpUrl ?? '' })
  dir = mkdtempSync(join(tmpdir(), 'triton-live-infer-'))
})

afterAll(async () => {
  grpcApi.close()
  httpApi.close()
  await demo.close()
  rmSync(dir, { recursive: true, force: true })
})

const words = (responses: readonly ResponseView[]): unknown[] =>
  responses.map((r) => r.outputs.find((o) => o.name === 'WORD')?.values[0])

describe('one request to any model, as the app and the CLI send it', () => {
  it('streams the decoupled word splitter one response per word, the last one final', async () => {
    const seen: ResponseView[] = []
    const outcome = await sendSingleRequest(
      grpcApi,
      {
        model: 'word-splitter-decoupled',
        inputs: [{ name: 'TEXT', value: { kind: 'text', text: 'hello big world' } }],
      },
      { onResponse: (r) => seen.push(r) },
    )
    expect(outcome.details.decoupled).toBe(true)
    expect(outcome.transport).toBe('gRPC stream')
    expect(words(seen)).toEqual(['hello', 'big', 'world'])
    expect(seen.map((r) => r.index)).toEqual([1, 2, 3])
    expect(words(outcome.responses)).toEqual(['hello', 'big', 'world'])
    expect(outcome.responses.map((r) => r.final)).toEqual([false, false, true])
    expect(outcome.responseCount).toBe(3)
    expect(outcome.sentShapes).toEqual({ TEXT: [1] })
  })

  it('sends numbers to a detector over gRPC and HTTP and reads back the box it drew', async () => {
    const frame = redBoxFrame(100, 50, 200, 150)
    const file = join(dir, 'frame.bin')
    writeFileSync(file, new Uint8Array(frame.buffer))
    for (const api of [grpcApi, httpApi]) {
      const outcome = await sendSingleRequest(api, {
        model: 'color-box-detector-efficientnms',
        inputs: [
          {
            name: 'images',
            value: { kind: 'bytes', bytes: new Uint8Array(frame.buffer), source: 'frame.bin' },
          },
        ],
      })
      const out = new Map(outcome.responses[0].outputs.map((o) => [o.name, o]))
      expect(outcome.sentShapes.images).toEqual([1, 3, 640, 640])
      expect(out.get('num_dets')?.values).toEqual([1])
      expect(out.get('det_classes')?.values[0]).toBe(0)
      expect(out.get('det_boxes')?.values.slice(0, 4)).toEqual([100, 50, 200, 150])
      expect(out.get('det_boxes')?.count).toBe(400)
    }
    expect(httpApi.protocol).toBe('http')
  })

  it('names the model inputs when an input name is wrong, before sending anything', async () => {
    const err = await sendSingleRequest(grpcApi, {
      model: 'word-splitter-decoupled',
      inputs: [{ name: 'TXT', value: { kind: 'text', text: 'a' } }],
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TritonError)
    expect((err as TritonError).message).toBe(
      "'word-splitter-decoupled' has no input 'TXT'; its inputs are TEXT (BYTES [1])",
    )
  })

  it('says a decoupled model needs a gRPC stream when the URL is HTTP', async () => {
    const err = await sendSingleRequest(httpApi, {
      model: 'word-splitter-decoupled',
      inputs: [{ name: 'TEXT', value: { kind: 'text', text: 'a b' } }],
    }).catch((e: unknown) => e)
    expect((err as TritonError).message).toContain('answers only over a gRPC stream, not over HTTP')
  })
})

describe('a request to a model that never answers', () => {
  const silence = HOSTILE_MODELS.filter((m) => m.name === 'silence')
  /** Runs `run` against a hostile server that serves `models`, closing both after. */
  async function withHostile<T>(
    models: typeof silence,
    run: (api: TritonApi) => Promise<T>,
  ): Promise<T> {
    const server = await startHostileServer({ models })
    const api = createTritonApi({ url: server.url })
    try {
      return await run(api)
    } finally {
      api.close()
      await server.close()
    }
  }
  const spec = {
    model: 'silence',
    inputs: [
      { name: 'WAV', value: { kind: 'json' as const, text: '[[0, 0]]' } },
      { name: 'WAV_LENS', value: { kind: 'json' as const, text: '[[2]]' } },
    ],
  }

  it('ends as cancelled when the user gives up, long before its deadline', async () => {
    const abort = new AbortController()
    const err = await withHostile(silence, (api) =>
      sendSingleRequest(api, spec, {
        deadlineMs: 600_000,
        signal: abort.signal,
        // Given up on once the model is known and the request is on its way.
        onDetails: () => setImmediate(() => abort.abort()),
      }).catch((e: unknown) => e),
    )
    expect(err).toBeInstanceOf(TritonError)
    expect((err as TritonError).kind).toBe('cancelled')
    expect((err as TritonError).message).toBe("the request to 'silence' was cancelled")
  })

  it('returns the answer of a server that answers but never closes the call', async () => {
    const holder = {
      ...silence[0],
      name: 'never-closes',
      answer: (_: unknown, ok: ModelInferResponse) => ({
        kind: 'respond-and-hold' as const,
        response: ok,
      }),
    }
    const outcome = await withHostile([holder], (api) =>
      sendSingleRequest(api, { ...spec, model: 'never-closes' }, { deadlineMs: 600_000 }),
    )
    expect(outcome.responseCount).toBe(1)
    expect(outcome.responses[0].outputs.map((o) => o.name)).toEqual(['TRANSCRIPTS'])
  })

  it("times out at the caller's deadline and says what to do in the caller's words", async () => {
    const err = await withHostile(silence, (api) =>
      sendSingleRequest(api, spec, {
        deadlineMs: 300,
        timeoutHint: "raise the endpoint's Answer deadline in its settings, or check the server",
      }).catch((e: unknown) => e),
    )
    expect((err as TritonError).kind).toBe('timeout')
    expect((err as TritonError).message).toMatch(/^no final response within 0\.3 s: /)
    expect((err as TritonError).hint).toBe(
      "the model may be slow or stuck; raise the endpoint's Answer deadline in its settings, or check the server",
    )
  })
})

/** `triton-live infer --url <demo> --model <model> ...rest`, as a user types it. */
const inferCli = (model: string, ...rest: string[]): Promise<CliRun> =>
  cli(['infer', '--url', demo.url, '--model', model, ...rest])

// The built CLI in a child process: on a busy machine a cold start alone can take seconds, so
// these get a generous bound.
describe('triton-live infer', { timeout: 90_000 }, () => {
  it('prints each word of the decoupled splitter as it arrives, then the count and latency', async () => {
    const r = await inferCli('word-splitter-decoupled', '--input', 'TEXT=the quick brown fox')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines.slice(0, 4)).toEqual([
      '#1 WORD BYTES [1]: the',
      '#2 WORD BYTES [1]: quick',
      '#3 WORD BYTES [1]: brown',
      '#4 WORD BYTES [1]: fox',
    ])
    expect(lines[4]).toMatch(
      /^4 responses in \d+\.\d\d ms \(first after \d+\.\d\d ms\) over gRPC stream$/,
    )
  })

  it('sends a JSON document to a BYTES input as its text, as a Python backend expects it', async () => {
    const r = await inferCli('word-splitter-decoupled', '--input', 'TEXT={"prompt": "hi there"}')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout.trim().split('\n').slice(0, 3)).toEqual([
      '#1 WORD BYTES [1]: {"prompt":',
      '#2 WORD BYTES [1]: "hi',
      '#3 WORD BYTES [1]: there"}',
    ])
  })

  it('reads a numeric input from a file and prints the detector outputs, or JSON with --json', async () => {
    const file = join(dir, 'frame-cli.bin')
    writeFileSync(file, new Uint8Array(redBoxFrame(10, 20, 110, 60).buffer))
    const r = await inferCli(
      'color-box-detector-efficientnms',
      '--input',
      `images=@${file}`,
      '--output',
      'num_dets',
      '--output',
      'det_boxes',
      '--json',
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const [response, summary] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    const outputs = response.outputs as Array<{ name: string; values: number[] }>
    expect(outputs.map((o) => o.name).sort()).toEqual(['det_boxes', 'num_dets'])
    expect(outputs.find((o) => o.name === 'num_dets')?.values).toEqual([1])
    expect(outputs.find((o) => o.name === 'det_boxes')?.values.slice(0, 4)).toEqual([
      10, 20, 110, 60,
    ])
    expect(summary).toMatchObject({ kind: 'summary', responses: 1, transport: 'gRPC stream' })
  })

  it('refuses a wrong input name in one line that lists the valid inputs, exit 1', async () => {
    const r = await inferCli('tone-transcriber-offline', '--input', 'AUDIO=[0, 0]')
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim().split('\n')).toEqual([
      "triton-live: 'tone-transcriber-offline' has no input 'AUDIO'; its inputs are TEXT_PREFIX (BYTES [-1, 1]), WAV (FP32 [-1, -1]), WAV_LENS (INT32 [-1, 1]) (name one of those inputs)",
    ])
  })
})
