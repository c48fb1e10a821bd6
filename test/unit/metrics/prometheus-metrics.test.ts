import { readFileSync } from 'node:fs'
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  defaultMetricsUrl,
  diffMetrics,
  fetchMetricsText,
  parseTritonMetrics,
  TritonMetricsError,
  type TritonMetricsSnapshot,
} from '../../../src/main/metrics/prometheus-metrics'

const GPU_TEXT = readFileSync(
  new URL('../../fixtures/triton-metrics-gpu.txt', import.meta.url),
  'utf8',
)
const GPU0 = 'GPU-6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b'
const GPU1 = 'GPU-9a8b7c6d-5e4f-4a3b-9c2d-0e1f2a3b4c5d'

// What a CPU-only Triton serves: per-model and CPU families, no nv_gpu_* lines, no gpu_uuid.
const CPU_ONLY_TEXT = `# HELP nv_inference_request_success Number of successful inference requests, all batch sizes
# TYPE nv_inference_request_success counter
nv_inference_request_success{model="simple",version="1"} 7
# HELP nv_inference_request_failure Number of failed inference requests, all batch sizes
# TYPE nv_inference_request_failure counter
nv_inference_request_failure{model="simple",reason="REJECTED",version="1"} 1
nv_inference_request_failure{model="simple",reason="OTHER",version="1"} 1
# HELP nv_inference_count Number of inferences performed (does not include cached requests)
# TYPE nv_inference_count counter
nv_inference_count{model="simple",version="1"} 7
# HELP nv_cpu_utilization CPU utilization rate [0.0 - 1.0]
# TYPE nv_cpu_utilization gauge
nv_cpu_utilization 0.5
# HELP nv_cpu_memory_used_bytes CPU used memory (RAM), in bytes
# TYPE nv_cpu_memory_used_bytes gauge
nv_cpu_memory_used_bytes 1048576`

function model(snapshot: TritonMetricsSnapshot, name: string) {
  const found = snapshot.models.find((m) => m.model === name)
  if (!found) throw new Error(`no model ${name}`)
  return found
}

describe('parseTritonMetrics', () => {
  it('reads both GPUs by uuid with utilisation, memory, power and energy', () => {
    const snap = parseTritonMetrics(GPU_TEXT, 1234)
    expect(snap.takenAtMs).toBe(1234)
    expect(snap.hasGpuMetrics).toBe(true)
    expect(snap.gpus).toEqual([
      {
        uuid: GPU0,
        utilization: 0.55,
        memoryTotalBytes: 25757220864,
        memoryUsedBytes: 9663676416,
        powerWatts: 187.25,
        powerLimitWatts: 300,
        energyJoules: 561750.5,
      },
      {
        uuid: GPU1,
        utilization: 0.33,
        memoryTotalBytes: 25757220864,
        memoryUsedBytes: 1073741824,
        powerWatts: 71.5,
        powerLimitWatts: 300,
        energyJoules: 214500,
      },
    ])
  })

  it('reads the CPU gauges', () => {
    expect(parseTritonMetrics(GPU_TEXT, 0).cpu).toEqual({
      utilization: 0.125,
      memoryTotalBytes: 67430006784,
      memoryUsedBytes: 21474836480,
    })
  })

  it('sums failures over reasons and a model version over its per-GPU series', () => {
    const snap = parseTritonMetrics(GPU_TEXT, 0)
    expect(snap.models.map((m) => `${m.model}/${m.version}`)).toEqual([
      'asr_ensemble/1',
      'yolov8n/1',
    ])
    expect(model(snap, 'asr_ensemble')).toEqual({
      model: 'asr_ensemble',
      version: '1',
      successCount: 282,
      failureCount: 3,
      inferenceCount: 282,
      execCount: 282,
      pendingRequests: 3,
      hasLatencyCounters: true,
      requestDurationUs: 2040185400,
      queueDurationUs: 846000,
      computeInputDurationUs: 282000,
      computeInferDurationUs: 2030000000,
      computeOutputDurationUs: 141000,
    })
    expect(model(snap, 'yolov8n')).toMatchObject({
      successCount: 1500,
      failureCount: 0,
      inferenceCount: 6000,
      execCount: 1500,
      pendingRequests: 1,
      requestDurationUs: 18000000,
      queueDurationUs: 3000000,
      computeInputDurationUs: 750000,
      computeInferDurationUs: 12000000,
      computeOutputDurationUs: 1500000,
    })
  })

  it('reports no GPU metrics for a CPU-only server', () => {
    const snap = parseTritonMetrics(CPU_ONLY_TEXT, 0)
    expect(snap.hasGpuMetrics).toBe(false)
    expect(snap.gpus).toEqual([])
    expect(snap.cpu).toEqual({ utilization: 0.5, memoryUsedBytes: 1048576 })
    // The last line has no newline after it; it must still be read.
    expect(model(snap, 'simple')).toMatchObject({
      successCount: 7,
      failureCount: 2,
      inferenceCount: 7,
      execCount: 0,
      hasLatencyCounters: false,
    })
  })

  it('refuses an HTML page and a malformed TYPE line with a TritonMetricsError', () => {
    const html = '<html><body>404 page not found</body></html>'
    expect(() => parseTritonMetrics(html, 0)).toThrow(TritonMetricsError)
    expect(() => parseTritonMetrics('# TYPE foo counter extra\nfoo 1\n', 0)).toThrow(
      /not Prometheus text/,
    )
  })
})

/** Two scrapes two seconds apart with known deltas. */
function twoScrapes(): [TritonMetricsSnapshot, TritonMetricsSnapshot] {
  const prev = parseTritonMetrics(GPU_TEXT, 10_000)
  const next = structuredClone(prev)
  next.takenAtMs = 12_000
  const yolo = model(next, 'yolov8n')
  yolo.successCount += 100
  yolo.inferenceCount += 400
  yolo.execCount += 100
  yolo.requestDurationUs += 1_200_000
  yolo.queueDurationUs += 200_000
  yolo.computeInputDurationUs += 50_000
  yolo.computeInferDurationUs += 800_000
  yolo.computeOutputDurationUs += 100_000
  const asr = model(next, 'asr_ensemble')
  asr.successCount += 20
  asr.failureCount += 5
  next.gpus[0].energyJoules = (next.gpus[0].energyJoules ?? 0) + 400
  return [prev, next]
}

describe('diffMetrics', () => {
  it('turns counter deltas into rates and per-request averages', () => {
    const rates = diffMetrics(...twoScrapes())
    expect(rates.intervalSec).toBe(2)
    const yolo = rates.models.find((m) => m.model === 'yolov8n')
    expect(yolo).toMatchObject({
      counterReset: false,
      successes: 100,
      failures: 0,
      successPerSec: 50,
      failurePerSec: 0,
      failureRatio: 0,
      inferencePerSec: 200,
      avgBatch: 4,
    })
    expect(yolo?.avgRequestMs).toBeCloseTo(12, 9)
    expect(yolo?.avgQueueMs).toBeCloseTo(2, 9)
    expect(yolo?.avgComputeInputMs).toBeCloseTo(0.5, 9)
    expect(yolo?.avgComputeInferMs).toBeCloseTo(8, 9)
    expect(yolo?.avgComputeOutputMs).toBeCloseTo(1, 9)
    expect(yolo?.avgComputeMs).toBeCloseTo(9.5, 9)
  })

  it('gives the failure rate and share over the interval', () => {
    const asr = diffMetrics(...twoScrapes()).models.find((m) => m.model === 'asr_ensemble')
    expect(asr).toMatchObject({ successes: 20, failures: 5, failurePerSec: 2.5, failureRatio: 0.2 })
  })

  it('derives average GPU power from the energy counter', () => {
    const [gpu0, gpu1] = diffMetrics(...twoScrapes()).gpus
    expect(gpu0.avgPowerWatts).toBe(200)
    expect(gpu0.utilization).toBe(0.55)
    expect(gpu1.avgPowerWatts).toBe(0)
  })

  it('leaves averages undefined instead of dividing by zero when nothing happened', () => {
    const snap = parseTritonMetrics(GPU_TEXT, 1000)
    const rates = diffMetrics(snap, { ...snap, takenAtMs: 3000 })
    const yolo = rates.models.find((m) => m.model === 'yolov8n')
    expect(yolo).toMatchObject({ successes: 0, successPerSec: 0, inferencePerSec: 0 })
    expect(yolo?.avgQueueMs).toBeUndefined()
    expect(yolo?.avgComputeMs).toBeUndefined()
    expect(yolo?.avgBatch).toBeUndefined()
    expect(yolo?.failureRatio).toBeUndefined()
  })

  it('leaves rates undefined when both scrapes carry the same timestamp', () => {
    const snap = parseTritonMetrics(GPU_TEXT, 1000)
    const yolo = diffMetrics(snap, snap).models.find((m) => m.model === 'yolov8n')
    expect(yolo?.successPerSec).toBeUndefined()
    expect(yolo?.inferencePerSec).toBeUndefined()
  })

  it('treats counters that went backwards as a restart and counts from zero', () => {
    const before = `nv_inference_request_success{model="m",version="1"} 100
nv_inference_request_duration_us{model="m",version="1"} 500000
nv_inference_queue_duration_us{model="m",version="1"} 100000
nv_energy_consumption{gpu_uuid="${GPU0}"} 5000
`
    const after = `nv_inference_request_success{model="m",version="1"} 10
nv_inference_request_duration_us{model="m",version="1"} 40000
nv_inference_queue_duration_us{model="m",version="1"} 20000
nv_energy_consumption{gpu_uuid="${GPU0}"} 30
`
    const rates = diffMetrics(parseTritonMetrics(before, 0), parseTritonMetrics(after, 1000))
    const m = rates.models[0]
    expect(m.counterReset).toBe(true)
    expect(m.successes).toBe(10)
    expect(m.successPerSec).toBe(10)
    expect(m.avgRequestMs).toBe(4)
    expect(m.avgQueueMs).toBe(2)
    // Energy since the restart is unknown, so no average power rather than a negative one.
    expect(rates.gpus[0].avgPowerWatts).toBeUndefined()
  })

  it('counts a model that appeared between scrapes from zero', () => {
    const prev = parseTritonMetrics(CPU_ONLY_TEXT, 0)
    const next = parseTritonMetrics(GPU_TEXT, 2000)
    const asr = diffMetrics(prev, next).models.find((m) => m.model === 'asr_ensemble')
    expect(asr).toMatchObject({ counterReset: false, successes: 282, successPerSec: 141 })
  })

  it('leaves latency averages undefined when the server has latency counters off', () => {
    const a = parseTritonMetrics('nv_inference_request_success{model="m",version="1"} 1\n', 0)
    const b = parseTritonMetrics('nv_inference_request_success{model="m",version="1"} 5\n', 1000)
    const m = diffMetrics(a, b).models[0]
    expect(m.successes).toBe(4)
    expect(m.avgRequestMs).toBeUndefined()
    expect(m.avgQueueMs).toBeUndefined()
  })
})

describe('defaultMetricsUrl', () => {
  it.each([
    ['localhost:8001', 'http://localhost:8002/metrics'],
    ['grpc://triton.example.com:8001', 'http://triton.example.com:8002/metrics'],
    ['grpcs://10.0.0.5', 'http://10.0.0.5:8002/metrics'],
    ['[::1]:8001', 'http://[::1]:8002/metrics'],
    ['grpc://[fe80::1]:8001/', 'http://[fe80::1]:8002/metrics'],
    ['::1', 'http://[::1]:8002/metrics'],
    ['dns:///gpu-box:8001', 'http://gpu-box:8002/metrics'],
  ])('maps %s to %s', (grpcUrl, metricsUrl) => {
    expect(defaultMetricsUrl(grpcUrl)).toBe(metricsUrl)
  })

  it('refuses a target without a host', () => {
    expect(() => defaultMetricsUrl('grpc://:8001')).toThrow(RangeError)
  })
})

describe('fetchMetricsText', () => {
  let server: Server | undefined

  afterEach(async () => {
    const s = server
    server = undefined
    if (s) {
      s.closeAllConnections()
      await new Promise<void>((resolve) => s.close(() => resolve()))
    }
  })

  async function serve(handler: RequestListener): Promise<string> {
    const s = createServer(handler)
    server = s
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}/metrics`
  }

  async function failure(promise: Promise<unknown>): Promise<TritonMetricsError> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    )
    if (!(err instanceof TritonMetricsError))
      throw new Error(`expected TritonMetricsError, got ${String(err)}`)
    expect(err.message).not.toContain('\n')
    return err
  }

  it('returns the page text from a Prometheus endpoint', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
      res.end(GPU_TEXT)
    })
    expect(await fetchMetricsText(url, { timeoutMs: 2000 })).toBe(GPU_TEXT)
  })

  it('accepts a URL without a scheme, as perf_analyzer does', async () => {
    const url = await serve((_req, res) => res.end(CPU_ONLY_TEXT))
    expect(await fetchMetricsText(url.replace('http://', ''))).toBe(CPU_ONLY_TEXT)
  })

  it('names the HTTP status of a non-200 answer', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(404, 'Not Found')
      res.end('nope')
    })
    const err = await failure(fetchMetricsText(url))
    expect(err.kind).toBe('http-status')
    expect(err.message).toContain('HTTP 404 Not Found')
  })

  it('refuses an HTML page served with status 200', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html><body>Welcome</body></html>')
    })
    const err = await failure(fetchMetricsText(url))
    expect(err.kind).toBe('not-prometheus')
    expect(err.message).toContain('not Prometheus text')
  })

  it('reports a closed port as unreachable', async () => {
    const url = await serve((_req, res) => res.end())
    const s = server
    server = undefined
    await new Promise<void>((resolve) => s?.close(() => resolve()))
    const err = await failure(fetchMetricsText(url, { timeoutMs: 2000 }))
    expect(err.kind).toBe('unreachable')
    expect(err.message).toContain('ECONNREFUSED')
  })

  it('gives up after the timeout when the server never answers', async () => {
    const url = await serve(() => undefined)
    const err = await failure(fetchMetricsText(url, { timeoutMs: 100 }))
    expect(err.kind).toBe('timeout')
    expect(err.message).toContain('within 100 ms')
  })

  it("rethrows the caller's abort reason rather than a metrics error", async () => {
    const url = await serve(() => undefined)
    const controller = new AbortController()
    const pending = fetchMetricsText(url, { timeoutMs: 5000, signal: controller.signal })
    const reason = new Error('user cancelled')
    controller.abort(reason)
    await expect(pending).rejects.toBe(reason)
  })
})
