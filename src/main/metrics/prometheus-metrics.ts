/**
 * Triton's Prometheus page (`:8002/metrics`): fetch it, turn it into typed snapshots, and
 * turn two snapshots into rates and windowed averages. Every per-model figure on the page
 * is cumulative since load, so anything per-interval must come from a difference.
 */
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format'

export interface GpuMetrics {
  uuid: string
  /** 0..1 */
  utilization?: number
  memoryUsedBytes?: number
  memoryTotalBytes?: number
  powerWatts?: number
  powerLimitWatts?: number
  /** Cumulative since server start. */
  energyJoules?: number
}

export interface CpuMetrics {
  /** 0..1 */
  utilization?: number
  memoryUsedBytes?: number
  memoryTotalBytes?: number
}

/** Cumulative per-model counters, summed over every series of one model version. */
export interface ModelMetrics {
  model: string
  version: string
  /** Only present when Triton runs with model namespacing. */
  namespace?: string
  successCount: number
  /** Summed over all failure reasons. */
  failureCount: number
  inferenceCount: number
  execCount: number
  pendingRequests?: number
  /** False when the server runs with `counter_latencies=false`: the durations below are then 0. */
  hasLatencyCounters: boolean
  requestDurationUs: number
  queueDurationUs: number
  computeInputDurationUs: number
  computeInferDurationUs: number
  computeOutputDurationUs: number
}

export interface TritonMetricsSnapshot {
  takenAtMs: number
  gpus: GpuMetrics[]
  cpu: CpuMetrics
  models: ModelMetrics[]
  /** A server without GPUs (or with GPU metrics off) simply has no GPU lines. */
  hasGpuMetrics: boolean
}

export type TritonMetricsErrorKind = 'unreachable' | 'timeout' | 'http-status' | 'not-prometheus'

export class TritonMetricsError extends Error {
  constructor(
    readonly kind: TritonMetricsErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'TritonMetricsError'
  }
}

type ModelCounterField =
  | 'successCount'
  | 'failureCount'
  | 'inferenceCount'
  | 'execCount'
  | 'requestDurationUs'
  | 'queueDurationUs'
  | 'computeInputDurationUs'
  | 'computeInferDurationUs'
  | 'computeOutputDurationUs'

const MODEL_COUNTERS: Readonly<Record<string, ModelCounterField>> = {
  nv_inference_request_success: 'successCount',
  nv_inference_request_failure: 'failureCount',
  nv_inference_count: 'inferenceCount',
  nv_inference_exec_count: 'execCount',
  nv_inference_request_duration_us: 'requestDurationUs',
  nv_inference_queue_duration_us: 'queueDurationUs',
  nv_inference_compute_input_duration_us: 'computeInputDurationUs',
  nv_inference_compute_infer_duration_us: 'computeInferDurationUs',
  nv_inference_compute_output_duration_us: 'computeOutputDurationUs',
}

const GPU_GAUGES: Readonly<Record<string, Exclude<keyof GpuMetrics, 'uuid'>>> = {
  nv_gpu_utilization: 'utilization',
  nv_gpu_memory_used_bytes: 'memoryUsedBytes',
  nv_gpu_memory_total_bytes: 'memoryTotalBytes',
  nv_gpu_power_usage: 'powerWatts',
  nv_gpu_power_limit: 'powerLimitWatts',
  nv_energy_consumption: 'energyJoules',
}

const CPU_GAUGES: Readonly<Record<string, keyof CpuMetrics>> = {
  nv_cpu_utilization: 'utilization',
  nv_cpu_memory_used_bytes: 'memoryUsedBytes',
  nv_cpu_memory_total_bytes: 'memoryTotalBytes',
}

/** Prometheus writes infinities as `+Inf`/`-Inf`, which `Number()` does not read. */
function sampleValue(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const v = raw === '+Inf' || raw === 'Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw)
  return Number.isFinite(v) ? v : undefined
}

function parseFamilies(text: string): PrometheusFamily[] {
  // The parser reads an HTML page as odd samples without complaint; refuse it up front.
  if (!looksLikePrometheus(text)) {
    throw new TritonMetricsError('not-prometheus', 'Metrics page is not Prometheus text')
  }
  try {
    // The parser drops the last sample when the text lacks a final newline.
    return parsePrometheusTextFormat(text.endsWith('\n') ? text : `${text}\n`)
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err)
    throw new TritonMetricsError('not-prometheus', `Metrics page is not Prometheus text: ${detail}`)
  }
}

function emptyModel(model: string, version: string, namespace?: string): ModelMetrics {
  return {
    model,
    version,
    ...(namespace === undefined ? {} : { namespace }),
    successCount: 0,
    failureCount: 0,
    inferenceCount: 0,
    execCount: 0,
    hasLatencyCounters: false,
    requestDurationUs: 0,
    queueDurationUs: 0,
    computeInputDurationUs: 0,
    computeInferDurationUs: 0,
    computeOutputDurationUs: 0,
  }
}

/** Reads the counters and gauges triton-live uses; every other family is ignored. */
export function parseTritonMetrics(text: string, nowMs: number): TritonMetricsSnapshot {
  const gpus = new Map<string, GpuMetrics>()
  const cpu: CpuMetrics = {}
  const models = new Map<string, ModelMetrics>()
  const modelFor = (labels: Record<string, string>): ModelMetrics | undefined => {
    const { model, version = '', namespace } = labels
    if (model === undefined) return undefined
    // Series of one model version differ by gpu_uuid, reason or metric tags: sum them.
    const key = JSON.stringify([namespace ?? null, model, version])
    let entry = models.get(key)
    if (!entry) {
      entry = emptyModel(model, version, namespace)
      models.set(key, entry)
    }
    return entry
  }

  for (const family of parseFamilies(text)) {
    const counter = MODEL_COUNTERS[family.name]
    const gpuField = GPU_GAUGES[family.name]
    const cpuField = CPU_GAUGES[family.name]
    const pending = family.name === 'nv_inference_pending_request_count'
    if (!counter && !gpuField && !cpuField && !pending) continue
    for (const sample of family.metrics) {
      const value = sampleValue(sample.value)
      if (value === undefined) continue
      const labels = sample.labels ?? {}
      if (counter || pending) {
        const entry = modelFor(labels)
        if (!entry) continue
        if (pending) entry.pendingRequests = (entry.pendingRequests ?? 0) + value
        else if (counter) entry[counter] += value
        if (counter === 'requestDurationUs') entry.hasLatencyCounters = true
      } else if (gpuField) {
        const uuid = labels.gpu_uuid
        if (!uuid) continue
        let gpu = gpus.get(uuid)
        if (!gpu) {
          gpu = { uuid }
          gpus.set(uuid, gpu)
        }
        gpu[gpuField] = value
      } else if (cpuField) {
        cpu[cpuField] = value
      }
    }
  }

  return {
    takenAtMs: nowMs,
    gpus: [...gpus.values()],
    cpu,
    models: [...models.values()],
    hasGpuMetrics: gpus.size > 0,
  }
}

/** Per-model figures over one scrape interval. Undefined wherever the interval has no data. */
export interface ModelRates {
  model: string
  version: string
  namespace?: string
  /** True when a counter went backwards (server restart or model reload): `next` was used whole. */
  counterReset: boolean
  successes: number
  failures: number
  successPerSec?: number
  failurePerSec?: number
  /** Failed share of the requests that finished in the interval, 0..1. */
  failureRatio?: number
  inferencePerSec?: number
  /** Δinference_count / Δexec_count. */
  avgBatch?: number
  avgRequestMs?: number
  avgQueueMs?: number
  /** compute_input + compute_infer + compute_output. */
  avgComputeMs?: number
  avgComputeInputMs?: number
  avgComputeInferMs?: number
  avgComputeOutputMs?: number
  pendingRequests?: number
}

export interface GpuRates extends GpuMetrics {
  /** Mean power over the interval from the energy counter, steadier than the instant gauge. */
  avgPowerWatts?: number
}

export interface MetricsRates {
  fromMs: number
  toMs: number
  intervalSec: number
  models: ModelRates[]
  gpus: GpuRates[]
  cpu: CpuMetrics
  hasGpuMetrics: boolean
}

const COUNTER_FIELDS: readonly ModelCounterField[] = Object.values(MODEL_COUNTERS)

/** The zero baseline for a model that starts counting inside the interval. */
const fresh: ModelMetrics = { ...emptyModel('', ''), hasLatencyCounters: true }

const modelKey = (m: ModelMetrics): string =>
  JSON.stringify([m.namespace ?? null, m.model, m.version])

const ratio = (num: number, den: number): number | undefined => (den > 0 ? num / den : undefined)

function modelRates(
  prevModel: ModelMetrics | undefined,
  next: ModelMetrics,
  intervalSec: number,
): ModelRates {
  const counterReset = prevModel !== undefined && COUNTER_FIELDS.some((f) => next[f] < prevModel[f])
  // A model that was absent before, or whose counters restarted, counts from zero.
  const base = counterReset || prevModel === undefined ? fresh : prevModel
  const d = (f: ModelCounterField): number => next[f] - base[f]
  const successes = d('successCount')
  const failures = d('failureCount')
  const perSec = (n: number): number | undefined => (intervalSec > 0 ? n / intervalSec : undefined)
  // Durations per successful request, as the Triton metrics guide derives windowed latency;
  // meaningless if either end lacks the latency counters.
  const timed = next.hasLatencyCounters && base.hasLatencyCounters
  const perRequestMs = (us: number): number | undefined =>
    timed ? mapDefined(ratio(us, successes), (v) => v / 1000) : undefined
  const input = d('computeInputDurationUs')
  const infer = d('computeInferDurationUs')
  const output = d('computeOutputDurationUs')
  return {
    model: next.model,
    version: next.version,
    ...(next.namespace === undefined ? {} : { namespace: next.namespace }),
    counterReset,
    successes,
    failures,
    successPerSec: perSec(successes),
    failurePerSec: perSec(failures),
    failureRatio: ratio(failures, successes + failures),
    inferencePerSec: perSec(d('inferenceCount')),
    avgBatch: ratio(d('inferenceCount'), d('execCount')),
    avgRequestMs: perRequestMs(d('requestDurationUs')),
    avgQueueMs: perRequestMs(d('queueDurationUs')),
    avgComputeMs: perRequestMs(input + infer + output),
    avgComputeInputMs: perRequestMs(input),
    avgComputeInferMs: perRequestMs(infer),
    avgComputeOutputMs: perRequestMs(output),
    pendingRequests: next.pendingRequests,
  }
}

function mapDefined<T, U>(v: T | undefined, f: (v: T) => U): U | undefined {
  return v === undefined ? undefined : f(v)
}

/** Rates and windowed averages between two scrapes of the same server. */
export function diffMetrics(
  prev: TritonMetricsSnapshot,
  next: TritonMetricsSnapshot,
): MetricsRates {
  const intervalSec = (next.takenAtMs - prev.takenAtMs) / 1000
  const prevModels = new Map(prev.models.map((m) => [modelKey(m), m]))
  const prevGpus = new Map(prev.gpus.map((g) => [g.uuid, g]))
  const gpus = next.gpus.map((gpu): GpuRates => {
    const before = prevGpus.get(gpu.uuid)?.energyJoules
    const after = gpu.energyJoules
    const joules =
      before !== undefined && after !== undefined && after >= before ? after - before : undefined
    return {
      ...gpu,
      avgPowerWatts: intervalSec > 0 ? mapDefined(joules, (j) => j / intervalSec) : undefined,
    }
  })
  return {
    fromMs: prev.takenAtMs,
    toMs: next.takenAtMs,
    intervalSec,
    models: next.models.map((m) => modelRates(prevModels.get(modelKey(m)), m, intervalSec)),
    gpus,
    cpu: { ...next.cpu },
    hasGpuMetrics: next.hasGpuMetrics,
  }
}

/**
 * The metrics page for a gRPC target: Triton serves it over plain HTTP on port 8002 of the
 * same host. Accepts `host:port`, `grpc://`/`grpcs://` URLs, `dns:///host:port` and IPv6.
 */
export function defaultMetricsUrl(grpcUrl: string): string {
  let rest = grpcUrl.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  rest = rest.replace(/^\/+/, '')
  rest = rest.split(/[/?#]/, 1)[0]
  rest = rest.slice(rest.lastIndexOf('@') + 1)
  let host: string
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']')
    if (end < 0) throw new RangeError(`Cannot read a host from "${grpcUrl}"`)
    host = rest.slice(0, end + 1)
  } else if (rest.split(':').length > 2) {
    // A bare IPv6 address has no port; URLs need it bracketed.
    host = `[${rest}]`
  } else {
    host = rest.split(':', 1)[0]
  }
  if (host === '' || host === '[]') throw new RangeError(`Cannot read a host from "${grpcUrl}"`)
  return `http://${host}:8002/metrics`
}

// A sample line: metric name, optional labels, a value. Loose on purpose: only meant to tell
// Prometheus text apart from an HTML or JSON page someone pointed us at.
const SAMPLE_LINE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?[ \t]+[-+]?(\d|\.\d|Inf|NaN)/

function looksLikePrometheus(text: string): boolean {
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    if (!SAMPLE_LINE.test(line)) return false
  }
  return true
}

function describeCause(err: unknown): string {
  // undici reports "fetch failed" and keeps the socket error (ECONNREFUSED, ENOTFOUND) as cause.
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err
  if (!(cause instanceof Error)) return String(cause)
  const code = (cause as NodeJS.ErrnoException).code
  return cause.message || code || cause.name
}

/**
 * GETs the metrics page. Throws TritonMetricsError with a one-line message when the page
 * cannot be reached, answers with a non-200 status, or is not Prometheus text; a caller's
 * abort is rethrown as is so cancellation stays recognisable.
 */
export async function fetchMetricsText(
  url: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 5000
  // perf_analyzer's --metrics-url takes "host:8002/metrics" without a scheme; so do we.
  const target = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`
  const timeout = AbortSignal.timeout(timeoutMs)
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
  try {
    const response = await fetch(target, { signal, headers: { accept: 'text/plain' } })
    if (response.status !== 200) {
      // Discard the body so the connection can be reused.
      await response.body?.cancel().catch(() => undefined)
      const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`
      throw new TritonMetricsError(
        'http-status',
        `Metrics page ${url} answered HTTP ${status} (Triton serves metrics on port 8002 at /metrics)`,
      )
    }
    const contentType = response.headers.get('content-type') ?? ''
    const text = await response.text()
    if (/html|json/i.test(contentType) || !looksLikePrometheus(text)) {
      throw new TritonMetricsError(
        'not-prometheus',
        `Page ${url} is not Prometheus text${contentType ? ` (content-type ${contentType})` : ''}: is it Triton's metrics port?`,
      )
    }
    return text
  } catch (err) {
    if (err instanceof TritonMetricsError) throw err
    if (options.signal?.aborted) throw options.signal.reason
    if (timeout.aborted) {
      throw new TritonMetricsError(
        'timeout',
        `Metrics page ${url} did not answer within ${timeoutMs} ms`,
        { cause: err },
      )
    }
    throw new TritonMetricsError(
      'unreachable',
      `Cannot reach metrics page ${url}: ${describeCause(err)}`,
      { cause: err },
    )
  }
}
