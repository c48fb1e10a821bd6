/**
 * The load generator behind `triton-live bench`, modelled on perf_analyzer: an open-loop
 * request rate or a closed loop of N concurrent workers, client latency in an HDR histogram,
 * the server's own time from ModelStatistics deltas and GPU figures from the metrics page.
 * Requests travel over any transport (gRPC stream by default, gRPC unary, HTTP, shared memory,
 * or an OpenAI-compatible service). One call measures one window; bench-measure.ts repeats and
 * interleaves windows.
 */
import { performance } from 'node:perf_hooks'
import type { ModelProfile } from '../../shared/model-profile'
import type { BenchRun } from '../metrics/bench-report'
import { statisticsDelta } from '../metrics/statistics-delta'
import type { RequestRecord } from '../sessions/request-ledger'
import { DEFAULT_TIMEOUT_MS } from '../triton/connection-options'
import type { ModelStatistics } from '../triton/triton-api'
import { TritonError } from '../triton/triton-error'
import { BenchRunState, sequenceBase, type BenchTransport, type Step } from './bench-run'
import type { BenchWorkload } from './bench-workload'
import { GpuSampler, METRICS_INTERVAL_MS } from './gpu-sampler'

export type BenchMode =
  | { kind: 'rate'; rate: number; durationSec: number }
  | { kind: 'concurrency'; concurrency: number; durationSec: number }

export interface BenchProgress {
  elapsedSec: number
  durationSec: number
  sent: number
  succeeded: number
  failed: number
}

export interface RunBenchOptions {
  transport: BenchTransport
  model: string
  /** When given, its version and outputs win over the workload's. */
  profile?: ModelProfile
  workload: BenchWorkload
  mode: BenchMode
  /** Triton's Prometheus page, polled every second; omit to skip GPU figures. */
  metricsUrl?: string
  signal?: AbortSignal
  /**
   * Column name in reports; defaults to the model name. A function is read after the first
   * request, so a label that names the transport says whether shared memory is really in use.
   */
  label?: string | (() => string)
  /** Each request's answer deadline; default 10 s (the connection's --timeout). */
  deadlineMs?: number
  /**
   * How long to wait for answers once sending has stopped; whatever is still unanswered is
   * then cancelled and counted as failed. Default 10 s.
   */
  drainTimeoutMs?: number
  /**
   * Rate mode, sequence and decoupled models: requests are dealt round-robin over this many
   * channels (gRPC streams), each carrying its own sequences in order (perf_analyzer's
   * --num-of-sequences); other models share one. Default 4.
   */
  streams?: number
  /** Called about once a second while the run lasts. */
  onProgress?(progress: BenchProgress): void
  /** Things the report cannot show, such as a metrics page that did not answer. */
  onNote?(message: string): void
  onRequest?(record: RequestRecord): void
}

const DEFAULT_DRAIN_TIMEOUT_MS = 10_000
const DEFAULT_STREAMS = 4
/**
 * A send going out later than this after its scheduled time (a busy client, or a sequence step
 * waiting behind the previous one over unary calls or HTTP) counts as late, at least.
 */
const LATE_FLOOR_MS = 10

/** Resolves after `ms`, or at once when the signal aborts; its listener never outlives it. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, Math.max(0, ms))
    signal?.addEventListener('abort', done, { once: true })
  })
}

export function checkMode(mode: BenchMode): void {
  if (!(mode.durationSec > 0) || !Number.isFinite(mode.durationSec)) {
    throw new RangeError(`duration must be a positive number of seconds, got ${mode.durationSec}`)
  }
  if (mode.kind === 'rate') {
    if (!(mode.rate > 0) || !Number.isFinite(mode.rate)) {
      throw new RangeError(
        `rate must be a positive number of requests per second, got ${mode.rate}`,
      )
    }
    if (Math.round(mode.rate * mode.durationSec) < 1) {
      throw new RangeError(
        `rate ${mode.rate}/s for ${mode.durationSec} s sends no request; raise the rate or the duration`,
      )
    }
  } else if (!Number.isInteger(mode.concurrency) || mode.concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${mode.concurrency}`)
  }
}

/**
 * One request before the clock starts: it opens the connection, and a workload the model
 * rejects fails here with the server's reason instead of as a report full of failures.
 */
async function warmUp(run: BenchRunState, opts: RunBenchOptions): Promise<void> {
  const steps = opts.workload.steps
  const step: Pick<Step, 'inputs' | 'sequence'> = opts.workload.sequence
    ? { inputs: steps[0], sequence: { id: sequenceBase(), start: true, end: true } }
    : { inputs: steps[0] }
  const channel = opts.transport.open({ decoupled: opts.workload.decoupled })
  const onAbort = (): void => channel.cancel()
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    await channel.infer(run.spec(step), { deadlineMs: opts.deadlineMs ?? DEFAULT_TIMEOUT_MS })
    await channel.end()
  } catch (e) {
    opts.signal?.throwIfAborted()
    const kind = e instanceof TritonError ? e.kind : 'invalid-argument'
    const hint =
      e instanceof TritonError ? e.hint : 'check the model profile against the model metadata'
    const why = e instanceof Error ? e.message : String(e)
    throw new TritonError(
      kind,
      `the first request to '${opts.model}' failed, so no load was sent: ${why}`,
      hint,
    )
  } finally {
    opts.signal?.removeEventListener('abort', onAbort)
    if (!channel.closed) channel.cancel()
  }
}

async function statisticsOf(
  opts: RunBenchOptions,
  version: string | undefined,
): Promise<ModelStatistics[] | undefined> {
  const api = opts.transport.api
  if (!api) return undefined
  try {
    return await api.modelStatistics(opts.model, version ?? '', { signal: opts.signal })
  } catch (e) {
    if (e instanceof TritonError && e.kind === 'unsupported') return undefined
    throw e
  }
}

/** Rate-mode figures: what was sent, how late, and what the endpoint sustained. */
function rateFacts(run: BenchRunState, mode: BenchMode): Partial<BenchRun> {
  if (mode.kind !== 'rate') return {}
  const interval = 1 / mode.rate
  const sendSec =
    run.firstSentAt === undefined || run.lastSentAt === undefined
      ? 0
      : (run.lastSentAt - run.firstSentAt) / 1000 + interval
  // Successes spaced first to last: the endpoint's pace, whatever the latency offset.
  const span =
    run.firstSuccessAt === undefined || run.lastSuccessAt === undefined
      ? 0
      : (run.lastSuccessAt - run.firstSuccessAt) / 1000
  const answeredRate =
    run.succeeded >= 2 && span > 0
      ? (run.succeeded - 1) / span
      : run.succeeded / Math.max(mode.durationSec, sendSec)
  return {
    sentRate: sendSec > 0 ? run.sent / sendSec : 0,
    lateSends: run.lateSends,
    answeredRate,
  }
}

/**
 * Runs one load level against one model and returns its figures. Rate mode is open loop:
 * exactly round(rate x duration) requests, request i sent at i/rate seconds, whether or not
 * earlier ones have been answered; those still unanswered after the drain timeout count as
 * failed. Concurrency mode keeps N requests in flight until the duration ends. Each worker
 * (rate mode: each of --num-sequences lanes for sequence and decoupled models, else one) has
 * its own channel of the transport, so a sequence stays in order on a gRPC stream; over unary
 * calls and HTTP a sequence keeps one request in flight. Rejects if the caller aborts or the
 * server becomes unreachable.
 */
export async function runBench(opts: RunBenchOptions): Promise<BenchRun> {
  const { mode, workload, signal } = opts
  checkMode(mode)
  if (workload.steps.length === 0) throw new RangeError('the workload has no requests to send')
  const run = new BenchRunState({ ...opts, deadlineMs: opts.deadlineMs ?? DEFAULT_TIMEOUT_MS })
  const version = opts.profile?.version ?? workload.version
  await warmUp(run, opts)
  const statsBefore = await statisticsOf(opts, version)

  const stopMetrics = new AbortController()
  const sampler = opts.metricsUrl ? new GpuSampler(opts.metricsUrl, stopMetrics.signal) : undefined
  const started = performance.now()
  const progress = (): void =>
    opts.onProgress?.({
      elapsedSec: (performance.now() - started) / 1000,
      durationSec: mode.durationSec,
      sent: run.sent,
      succeeded: run.succeeded,
      failed: run.failed,
    })
  sampler?.poll()
  const ticker = setInterval(() => {
    sampler?.poll()
    progress()
  }, METRICS_INTERVAL_MS)
  const onAbort = (): void => run.abortAll()
  signal?.addEventListener('abort', onAbort, { once: true })

  const drainTimeoutMs = opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS
  let drained: boolean
  try {
    if (mode.kind === 'rate') await sendAtRate(run, opts, mode, started)
    else await sendConcurrently(run, opts, mode, started)
    drained = await run.drain(drainTimeoutMs, signal)
  } finally {
    clearInterval(ticker)
    stopMetrics.abort()
    signal?.removeEventListener('abort', onAbort)
    if (signal?.aborted || run.fatal) run.abortAll()
    await run.close()
  }
  signal?.throwIfAborted()
  if (run.fatal) throw run.fatal
  progress()
  const label = (typeof opts.label === 'function' ? opts.label() : opts.label) ?? opts.model
  if (!drained) {
    opts.onNote?.(
      `${label}: requests still unanswered ${drainTimeoutMs / 1000} s after the last send were cancelled and counted as failed`,
    )
  }
  const statsAfter = await statisticsOf(opts, version)
  const gpu = await sampler?.finish()
  if (gpu?.note) opts.onNote?.(`${label}: ${gpu.note}`)
  if (!statsAfter)
    opts.onNote?.(
      opts.transport.api
        ? `${label}: the server has no statistics extension, so no server-side times`
        : `${label}: ${opts.transport.target} is not Triton and reports no server-side times`,
    )

  // Throughput over the whole run: at least the nominal duration, longer if answers lagged.
  const measuredSec = Math.max(mode.durationSec, (run.lastAnswerAt - started) / 1000)
  const { unmatched } = run.ledger
  const result: BenchRun = {
    label,
    url: opts.transport.target,
    transport: opts.transport.label,
    model: opts.model,
    mode: mode.kind,
    ...(mode.kind === 'rate' ? { rate: mode.rate } : { concurrency: mode.concurrency }),
    durationSec: mode.durationSec,
    input: workload.description,
    summary: run.ledger.latency(measuredSec),
    outcomes: run.ledger.outcomeCounts,
    ...(unmatched > 0 ? { unmatched } : {}),
    failuresByCause: { ...run.causes },
    ...rateFacts(run, mode),
  }
  const server = statsAfter
    ? statisticsDelta(statsBefore, statsAfter, { name: opts.model })
    : undefined
  if (server) result.server = server
  if (gpu?.gpu) result.gpu = gpu.gpu
  return result
}

async function sendAtRate(
  run: BenchRunState,
  opts: RunBenchOptions,
  mode: Extract<BenchMode, { kind: 'rate' }>,
  started: number,
): Promise<void> {
  const total = Math.round(mode.rate * mode.durationSec)
  const lanes = run.multiLane ? Math.max(1, Math.min(opts.streams ?? DEFAULT_STREAMS, total)) : 1
  const lateAfterMs = Math.max(LATE_FLOOR_MS, 500 / mode.rate)
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / mode.rate
    const wait = due - performance.now()
    // Requests that fell behind schedule (a busy event loop) go out at once, not skipped.
    if (wait > 0) await sleep(wait, opts.signal)
    if (opts.signal?.aborted || run.fatal) return
    const lane = run.lane(i % lanes)
    // A lane's last request closes its sequence, so no sequence is left open on the server.
    void run.send(lane, run.nextStep(lane, i + lanes >= total), { due, lateAfterMs })
  }
}

async function sendConcurrently(
  run: BenchRunState,
  opts: RunBenchOptions,
  mode: Extract<BenchMode, { kind: 'concurrency' }>,
  started: number,
): Promise<void> {
  const deadline = started + mode.durationSec * 1000
  const stop = (): boolean =>
    performance.now() >= deadline || Boolean(opts.signal?.aborted) || run.fatal !== undefined
  const worker = async (index: number): Promise<void> => {
    while (!stop()) {
      const lane = run.lane(index)
      await run.send(lane, run.nextStep(lane))
    }
    // Close an unfinished sequence with its next chunk so the server does not hold its state.
    if (!opts.signal?.aborted && !run.fatal && run.midSequence(index)) {
      const lane = run.lane(index)
      await run.send(lane, run.nextStep(lane, true))
    }
  }
  await Promise.all(Array.from({ length: mode.concurrency }, (_, i) => worker(i)))
}

/**
 * Concurrency levels as perf_analyzer's --concurrency-range takes them: "4", "1:8:2"
 * (start:end:step, end included) or a list "1,2,4".
 */
export function parseConcurrencyLevels(text: string): number[] {
  const int = (s: string, what: string): number => {
    const n = Number(s.trim())
    if (s.trim() === '' || !Number.isInteger(n) || n < 1) {
      throw new RangeError(`concurrency ${what} must be a positive integer, got '${s}'`)
    }
    return n
  }
  const t = text.trim()
  if (t.includes(':')) {
    const parts = t.split(':')
    if (parts.length > 3)
      throw new RangeError(`concurrency range '${text}' must be start:end or start:end:step`)
    const start = int(parts[0], 'start')
    const end = int(parts[1], 'end')
    const step = parts.length === 3 ? int(parts[2], 'step') : 1
    if (end < start) throw new RangeError(`concurrency range '${text}' ends before it starts`)
    const levels: number[] = []
    for (let c = start; c <= end; c += step) levels.push(c)
    return levels
  }
  const levels = t.split(',').map((s) => int(s, 'level'))
  return [...new Set(levels)]
}
