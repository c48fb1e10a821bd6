import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { measure } from '../../src/main/bench/bench-measure'
import { parseConcurrencyLevels, runBench } from '../../src/main/bench/bench-runner'
import {
  buildBenchWorkload,
  planBenchModel,
  type BenchWorkload,
} from '../../src/main/bench/bench-workload'
import { DEMO_MODELS, type DemoModel } from '../../src/main/demo-endpoint/demo-models'
import { startDemoEndpoint, type DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'
import { probeMedia } from '../../src/main/media/media-probe'
import { toMarkdown } from '../../src/main/metrics/bench-report'
import { formatCompare } from '../../src/main/metrics/bench-text'
import { createTransport, type EndpointTransport } from '../../src/main/transport/create-transport'
import { TritonClient } from '../../src/main/triton/triton-client'
import { TritonError } from '../../src/main/triton/triton-error'
import type { HostileModel } from '../fixtures/hostile-models'
import { startHostileServer } from '../fixtures/hostile-server'

const SAMPLES = join(__dirname, '../../resources/samples')
const WAV = join(SAMPLES, 'tone-text.wav')
const MP4 = join(SAMPLES, 'boxes.mp4')

let demo: DemoEndpoint
let client: TritonClient
/** The default transport: one gRPC stream per worker. */
let transport: EndpointTransport

beforeAll(async () => {
  demo = await startDemoEndpoint({ port: 0, metricsPort: 0 })
  client = new TritonClient({ url: demo.url, timeoutMs: 10_000 })
  transport = createTransport(client)
})

afterAll(async () => {
  client.close()
  await demo.close()
})

async function workloadFor(model: string, file?: string): Promise<BenchWorkload> {
  return buildBenchWorkload(await planBenchModel(client, model), { file })
}

describe('bench workloads', () => {
  it('sends an offline ASR model the whole file as one window', async () => {
    const w = await workloadFor('tone-transcriber-offline', WAV)
    expect(w.steps).toHaveLength(1)
    expect(w.sequence).toBe(false)
    expect(w.steps[0].map((t) => t.name)).toEqual(['TEXT_PREFIX', 'WAV', 'WAV_LENS'])
    const seconds = (await probeMedia(WAV)).durationSec ?? 0
    expect(w.description).toBe(`tone-text.wav: one ${Number(seconds.toFixed(2))} s window`)
  })

  it('sends a streaming ASR model the file as chunks of one sequence', async () => {
    const w = await workloadFor('tone-transcriber-streaming', WAV)
    expect(w.sequence).toBe(true)
    expect(w.steps.length).toBeGreaterThan(5)
    expect(w.steps[0].find((t) => t.name === 'WAV')?.shape).toEqual([1, 10240])
  })

  it('decodes a video once and cycles its frames for a detector', async () => {
    const w = await workloadFor('color-box-detector-e2e', MP4)
    expect(w.steps).toHaveLength(40)
    expect(w.steps[0][0].shape).toEqual([1, 3, 640, 640])
    expect(w.description).toBe('boxes.mp4: 40 frames, cycled')
  })

  it('generates a second of tone, a blank frame or zeros shaped like the inputs without a file', async () => {
    const asr = await workloadFor('tone-transcriber-offline')
    const wav = asr.steps[0].find((t) => t.name === 'WAV')
    expect(wav?.shape).toEqual([1, 16000])
    expect(asr.steps[0].find((t) => t.name === 'TEXT_PREFIX')?.data).toEqual([
      '<|startoftranscript|><|en|><|transcribe|><|notimestamps|>',
    ])
    const det = await workloadFor('color-box-detector-yolov8')
    expect((det.steps[0][0].data as Float32Array).every((v) => v === 0)).toBe(true)
    const generic = await workloadFor('word-splitter-decoupled')
    expect(generic.decoupled).toBe(true)
    expect(generic.steps[0]).toEqual([
      { name: 'TEXT', datatype: 'BYTES', shape: [1], data: ['triton-live bench'] },
    ])
  })

  it('fails with a not-found error for an unknown model', async () => {
    const err = await planBenchModel(client, 'no-such-model').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TritonError)
    expect((err as TritonError).kind).toBe('not-found')
    expect((err as TritonError).message).toContain("'no-such-model'")
  })
})

describe('runBench against the demo endpoint', () => {
  it('sends exactly rate x duration requests in rate mode and the server counts the same', async () => {
    const workload = await workloadFor('tone-transcriber-offline', WAV)
    const run = await runBench({
      transport,
      model: 'tone-transcriber-offline',
      workload,
      mode: { kind: 'rate', rate: 20, durationSec: 1 },
      metricsUrl: demo.metricsUrl,
    })
    expect(run.summary.requests).toBe(20)
    expect(run.summary.successes).toBe(20)
    expect(run.summary.failures).toBe(0)
    expect(run.server?.requests).toBe(20)
    expect(run.server?.successes).toBe(20)
    expect(run.mode).toBe('rate')
    expect(run.rate).toBe(20)
    expect(run.summary.p50Ms).toBeGreaterThan(0)
    // A CPU-only server has no GPU lines, so there is nothing to report.
    expect(run.gpu).toBeUndefined()
  })

  it('spaces rate-mode requests at 1/rate rather than sending them in a burst', async () => {
    const workload = await workloadFor('tone-transcriber-offline')
    const sentAt: number[] = []
    const run = await runBench({
      transport,
      model: 'tone-transcriber-offline',
      workload,
      mode: { kind: 'rate', rate: 10, durationSec: 1 },
      onRequest: (r) => sentAt.push(r.atMs - r.latencyMs),
    })
    expect(run.summary.requests).toBe(10)
    const span = Math.max(...sentAt) - Math.min(...sentAt)
    // Ten requests a second for a second: the last goes out 0.9 s after the first, not at once.
    expect(span).toBeGreaterThan(800)
  })

  it('keeps two requests in flight in concurrency mode without failures', async () => {
    const workload = await workloadFor('tone-transcriber-offline', WAV)
    const run = await runBench({
      transport,
      model: 'tone-transcriber-offline',
      workload,
      mode: { kind: 'concurrency', concurrency: 2, durationSec: 0.3 },
    })
    expect(run.summary.successes).toBeGreaterThan(0)
    expect(run.summary.failures).toBe(0)
    expect(run.concurrency).toBe(2)
    expect(run.server?.requests).toBe(run.summary.requests)
  })

  it('streams sequences in order with start and end flags in both modes', async () => {
    const workload = await workloadFor('tone-transcriber-streaming', WAV)
    const rate = await runBench({
      transport,
      model: 'tone-transcriber-streaming',
      workload,
      mode: { kind: 'rate', rate: 40, durationSec: 1 },
    })
    expect(rate.summary.requests).toBe(40)
    expect(rate.summary.failures).toBe(0)
    expect(rate.server?.requests).toBe(40)
    const closed = await runBench({
      transport,
      model: 'tone-transcriber-streaming',
      workload,
      mode: { kind: 'concurrency', concurrency: 3, durationSec: 0.3 },
    })
    expect(closed.summary.successes).toBeGreaterThan(0)
    expect(closed.summary.failures).toBe(0)
    expect(closed.server?.requests).toBe(closed.summary.requests)
  })

  it('drives a decoupled model over the stream', async () => {
    const workload = await workloadFor('word-splitter-decoupled')
    const run = await runBench({
      transport,
      model: 'word-splitter-decoupled',
      workload,
      mode: { kind: 'concurrency', concurrency: 2, durationSec: 0.3 },
    })
    expect(run.summary.successes).toBeGreaterThan(0)
    expect(run.summary.failures).toBe(0)
  })

  it('compares two detectors on the same frames with both columns and a winner per metric', async () => {
    const runs = []
    for (const model of ['color-box-detector-yolov8', 'color-box-detector-e2e']) {
      runs.push(
        await runBench({
          transport,
          model,
          workload: await workloadFor(model, MP4),
          // A few frames at a gentle rate: the report's shape is under test, not the detectors.
          mode: { kind: 'rate', rate: 4, durationSec: 0.5 },
        }),
      )
    }
    const [a, b] = runs
    const report = formatCompare(a, b)
    const header = report.split('\n').find((l) => l.startsWith('Metric'))
    expect(header).toMatch(/color-box-detector-yolov8\s+color-box-detector-e2e\s+Winner/)
    const p50 = report.split('\n').find((l) => l.startsWith('p50'))
    expect(p50).toMatch(/(color-box-detector-yolov8|color-box-detector-e2e|Tie)\s+\S/)
    expect(report).toMatch(/^- p50: /m)
    expect(toMarkdown([a, b])).toContain('| **Successful Requests** |')
  })

  it('measures two targets window by window in turn, each level merged from its windows', async () => {
    const target = async (label: string) => ({
      transport,
      model: 'tone-transcriber-offline',
      label,
      workload: await workloadFor('tone-transcriber-offline'),
    })
    const order: string[] = []
    const levels = await measure({
      targets: [await target('a'), await target('b')],
      modes: [1, 2].map((concurrency) => ({ kind: 'concurrency', concurrency, durationSec: 0.4 })),
      windows: 2,
      onWindow: (t, mode, w) =>
        order.push(`${t.label} c=${mode.kind === 'concurrency' ? mode.concurrency : 0} w${w}`),
    })
    expect(order).toEqual([
      'a c=1 w1',
      'b c=1 w1',
      'a c=1 w2',
      'b c=1 w2',
      'a c=2 w1',
      'b c=2 w1',
      'a c=2 w2',
      'b c=2 w2',
    ])
    expect(levels.map((runs) => runs.map((r) => [r.label, r.concurrency, r.durationSec]))).toEqual([
      [
        ['a', 1, 0.4],
        ['b', 1, 0.4],
      ],
      [
        ['a', 2, 0.4],
        ['b', 2, 0.4],
      ],
    ])
    for (const run of levels.flat()) {
      const windows = run.windows ?? []
      expect(windows).toHaveLength(2)
      // The merged figures are every window's requests in one histogram.
      expect(run.summary.requests).toBe(windows[0].summary.requests + windows[1].summary.requests)
      expect(run.summary.failures).toBe(0)
    }
  })

  it('refuses to start when the first request fails and says why', async () => {
    const workload = await workloadFor('tone-transcriber-offline', WAV)
    // WAV as FP64 where the model takes FP32: what a wrong profile would send.
    const wrongType = workload.steps[0].map((t) =>
      t.name === 'WAV' ? { ...t, datatype: 'FP64' as const } : t,
    )
    const bad = { ...workload, steps: [wrongType] }
    const err = await runBench({
      transport,
      model: 'tone-transcriber-offline',
      workload: bad,
      mode: { kind: 'rate', rate: 5, durationSec: 1 },
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TritonError)
    expect((err as Error).message).toMatch(/first request to 'tone-transcriber-offline' failed/)
    expect((err as Error).message).toMatch(/'WAV' data-type is 'FP64'/)
    // On the stream the model's refusal comes back as the response's error_message.
    expect((err as TritonError).kind).toBe('model-error')
  })

  it('notes a metrics page it cannot reach instead of failing the run', async () => {
    const notes: string[] = []
    const run = await runBench({
      transport,
      model: 'tone-transcriber-offline',
      workload: await workloadFor('tone-transcriber-offline'),
      mode: { kind: 'rate', rate: 5, durationSec: 0.4 },
      metricsUrl: 'http://127.0.0.1:1/metrics',
      onNote: (n) => notes.push(n),
    })
    expect(run.summary.successes).toBe(2)
    expect(notes.join('\n')).toMatch(/no GPU figures: Cannot reach metrics page/)
  })

  it('stops with the abort reason when the caller aborts', async () => {
    const abort = new AbortController()
    setTimeout(() => abort.abort(new Error('user stopped')), 300)
    const err = await runBench({
      transport,
      model: 'tone-transcriber-offline',
      workload: await workloadFor('tone-transcriber-offline'),
      mode: { kind: 'concurrency', concurrency: 2, durationSec: 30 },
      signal: abort.signal,
    }).catch((e: unknown) => e)
    expect((err as Error).message).toBe('user stopped')
  })
})

describe('GPU figures from the metrics page', () => {
  let page: Server
  let url: string

  beforeAll(async () => {
    const text = readFileSync(join(__dirname, '../fixtures/triton-metrics-gpu.txt'), 'utf8')
    page = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      res.end(text)
    })
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(page.address() as AddressInfo).port}/metrics`
  })

  afterAll(async () => {
    await new Promise<void>((resolve) => page.close(() => resolve()))
  })

  it('reports average utilisation, peak memory and average power over the GPUs', async () => {
    const run = await runBench({
      transport,
      model: 'tone-transcriber-offline',
      workload: await workloadFor('tone-transcriber-offline'),
      mode: { kind: 'rate', rate: 5, durationSec: 1.2 },
      metricsUrl: url,
    })
    // The fixture's two GPUs: 55 % and 33 % busy, 9 GiB + 1 GiB used, 187.25 W + 71.5 W.
    expect(run.gpu?.avgUtilization).toBeCloseTo(0.44, 6)
    expect(run.gpu?.maxMemoryUsedBytes).toBe(9663676416 + 1073741824)
    expect(run.gpu?.avgPowerWatts).toBeCloseTo(258.75, 6)
  })
})

describe('requests the server never answers in time', () => {
  let slow: DemoEndpoint
  let slowClient: TritonClient

  beforeAll(async () => {
    // The offline transcriber made slow: each execution holds the model for 150 ms.
    const base = DEMO_MODELS.find((m) => m.name === 'tone-transcriber-offline') as DemoModel
    const sluggish: DemoModel = {
      ...base,
      execute(inputs, sequence) {
        const until = Date.now() + 150
        while (Date.now() < until) {
          // Busy on purpose: demo models run synchronously, like a backend holding its instance.
        }
        return base.execute(inputs, sequence)
      },
    }
    slow = await startDemoEndpoint({ port: 0, metricsPort: null, models: [sluggish] })
    slowClient = new TritonClient({ url: slow.url, timeoutMs: 10_000 })
  })

  afterAll(async () => {
    slowClient.close()
    await slow.close()
  })

  it('still counts every scheduled request, the unanswered ones as failed', async () => {
    const plan = await planBenchModel(slowClient, 'tone-transcriber-offline')
    const notes: string[] = []
    const run = await runBench({
      transport: createTransport(slowClient),
      model: 'tone-transcriber-offline',
      workload: await buildBenchWorkload(plan),
      mode: { kind: 'rate', rate: 20, durationSec: 0.5 },
      drainTimeoutMs: 100,
      onNote: (n) => notes.push(n),
    })
    expect(run.summary.requests).toBe(10)
    expect(run.summary.failures).toBeGreaterThan(0)
    expect(run.summary.successes + run.summary.failures).toBe(10)
    expect(run.failuresByCause).toEqual({
      'unanswered at the drain timeout': run.summary.failures,
    })
    expect(notes.join('\n')).toMatch(/cancelled and counted as failed/)
  })

  it('keeps twenty unary requests in flight without a listener warning from Node', async () => {
    const warnings: string[] = []
    const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`)
    process.on('warning', onWarning)
    try {
      const plan = await planBenchModel(slowClient, 'tone-transcriber-offline')
      const run = await runBench({
        transport: createTransport(slowClient, { mode: 'unary' }),
        model: 'tone-transcriber-offline',
        workload: await buildBenchWorkload(plan),
        mode: { kind: 'rate', rate: 40, durationSec: 0.5 },
        drainTimeoutMs: 100,
      })
      expect(run.summary.requests).toBe(20)
      // Warnings are emitted on the next tick; let them arrive before looking.
      await new Promise((r) => setImmediate(r))
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings).toEqual([])
  })
})

describe('a sequence over unary calls to a model slower than the rate', () => {
  it('counts each step held back behind the one before as a late send', async () => {
    // Answers the warm-up at once, then holds each answer 100 ms: over unary calls a sequence
    // keeps one request in flight, so step k cannot go out before (k - 1) x 100 ms, though it
    // is due at (k - 1) x 25 ms and late 12.5 ms after that.
    let answered = 0
    const sluggish: HostileModel = {
      name: 'sluggish-streaming-asr',
      family: 'asr',
      listing: 'kind',
      stream: 'valid',
      answer: (_req, ok) =>
        answered++ === 0
          ? { kind: 'respond', response: ok }
          : { kind: 'slow', afterMs: 100, response: ok },
    }
    const server = await startHostileServer({ models: [sluggish] })
    const unaryClient = new TritonClient({ url: server.url })
    try {
      const workload = await buildBenchWorkload(
        await planBenchModel(unaryClient, 'sluggish-streaming-asr'),
      )
      expect(workload.sequence).toBe(true)
      const run = await runBench({
        transport: createTransport(unaryClient, { mode: 'unary' }),
        model: 'sluggish-streaming-asr',
        workload,
        mode: { kind: 'rate', rate: 40, durationSec: 0.25 },
        streams: 1,
      })
      expect(run.summary.requests).toBe(10)
      expect(run.summary.successes).toBe(10)
      expect(answered).toBe(11)
      // Every step after the first waited for the previous answer: at least nine went out late.
      expect(run.lateSends).toBeGreaterThanOrEqual(9)
    } finally {
      unaryClient.close()
      await server.close()
    }
  })
})

describe('concurrency levels', () => {
  it('reads a single level, a start:end:step range and a list', () => {
    expect(parseConcurrencyLevels('4')).toEqual([4])
    expect(parseConcurrencyLevels('1:8:2')).toEqual([1, 3, 5, 7])
    expect(parseConcurrencyLevels('1:4')).toEqual([1, 2, 3, 4])
    expect(parseConcurrencyLevels('1,2,4')).toEqual([1, 2, 4])
  })

  it('rejects levels that are not positive integers or a range that runs backwards', () => {
    expect(() => parseConcurrencyLevels('0')).toThrow(/positive integer/)
    expect(() => parseConcurrencyLevels('1.5')).toThrow(/positive integer/)
    expect(() => parseConcurrencyLevels('8:1')).toThrow(/ends before it starts/)
    expect(() => parseConcurrencyLevels('1:2:3:4')).toThrow(/start:end/)
  })
})
