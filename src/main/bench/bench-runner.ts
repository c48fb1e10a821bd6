/**
 * The load generator behind `triton-live bench`, modelled on perf_analyzer: an open-loop
 * request rate or a closed loop of N concurrent workers, client latency in an HDR histogram,
 * the server's own time from ModelStatistics deltas and GPU figures from the metrics page.
 */
import { performance } from 'node:perf_hooks'
import type { ModelProfile } from '../../shared/model-profile'
import type { BenchRun } from '../metrics/bench-report'
import { LatencyRecorder } from '../metrics/latency-histogram'
import { fetchMetricsText, parseTritonMetrics } from '../metrics/prometheus-metrics'
import { statisticsDelta } from '../metrics/statistics-delta'
import type { RequestRecord } from '../sessions/request-ledger'
import { sequenceParameters, type InferRequestSpec } from '../triton/infer-messages'
import type { StreamCall } from '../triton/stream-call'
import type { Tensor } from '../triton/tensor-codec'
import type { ModelStatistics, TritonClient } from '../triton/triton-client'
import { TritonError } from '../triton/triton-error'
import type { BenchWorkload } from './bench-workload'

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
  client: TritonClient
  model: string
  /** When given, its version and outputs win over the workload's. */
  profile?: ModelProfile
  workload: BenchWorkload
  mode: BenchMode
  /** Triton's Prometheus page, polled every second; omit to skip GPU figures. */
  metricsUrl?: string
  signal?: AbortSignal
  /** Column name in reports; defaults to the model name. */
  label?: string
  /**
   * How long to wait for answers once sending has stopped; whatever is still unanswered is
   * then cancelled and counted as failed. Default 10 s.
   */
  drainTimeoutMs?: number
  /**
   * Rate mode, stream models (sequence or decoupled): requests are dealt round-robin over this
   * many streams, each carrying its own sequences in order (perf_analyzer's
   * --num-of-sequences). Default 4.
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
const METRICS_INTERVAL_MS = 1000

/** Failures that mean the server or the link is gone: the run stops rather than count them. */
const FATAL_KINDS: ReadonlySet<string> = new Set(['unreachable', 'tls', 'auth', 'unsupported'])

/** Sequence ids must not collide with other clients of the same server. */
function sequenceBase(): bigint {
  return (
    (BigInt(Date.now()) % 1_000_000_000n) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))
  )
}

/** One stream (or, for unary models, one worker) and where it is in its sequence. */
interface Lane {
  stream?: StreamCall
  /** Index of the next step within the current sequence. */
  position: number
  sequenceId: bigint
}

interface Step {
  inputs: Tensor[]
  sequence?: { id: bigint; start: boolean; end: boolean }
}

class Run {
  readonly recorder = new LatencyRecorder()
  readonly model: string
  readonly version: string | undefined
  readonly outputs: string[] | undefined
  readonly useStream: boolean
  private readonly pending = new Set<Promise<void>>()
  private readonly lanes: Lane[] = []
  /** Cancels unary calls once the drain timeout passes or the caller aborts. */
  private readonly cancel = new AbortController()
  private nextSequence = sequenceBase()
  private stepCounter = 0
  sent = 0
  succeeded = 0
  failed = 0
  lastAnswerAt = 0
  fatal: TritonError | undefined

  constructor(private readonly opts: RunBenchOptions) {
    const { workload, profile } = opts
    this.model = opts.model
    this.version = profile?.version ?? workload.version
    this.outputs = profile?.outputs ?? workload.outputs
    this.useStream = workload.sequence || workload.decoupled
  }

  lane(index: number): Lane {
    let lane = this.lanes[index]
    if (!lane) {
      lane = { position: 0, sequenceId: 0n }
      this.lanes[index] = lane
    }
    if (this.useStream && (!lane.stream || lane.stream.closed)) {
      // A stream that died takes its sequence with it; the next request starts a new one.
      lane.stream = this.opts.client.openStream({ decoupled: this.opts.workload.decoupled })
      lane.position = 0
    }
    return lane
  }

  /** The next request for a lane: steps cycle globally, or walk the lane's sequence in order. */
  nextStep(lane: Lane, forceEnd = false): Step {
    const steps = this.opts.workload.steps
    if (!this.opts.workload.sequence) return { inputs: steps[this.stepCounter++ % steps.length] }
    const index = lane.position
    const start = index === 0
    if (start) lane.sequenceId = ++this.nextSequence
    const end = forceEnd || index === steps.length - 1
    lane.position = end ? 0 : index + 1
    return { inputs: steps[index], sequence: { id: lane.sequenceId, start, end } }
  }

  /** Whether a lane is inside a sequence that has not been ended yet, on a live stream. */
  midSequence(index: number): boolean {
    const lane = this.lanes[index]
    return (
      this.opts.workload.sequence &&
      lane !== undefined &&
      lane.position !== 0 &&
      lane.stream?.closed === false
    )
  }

  spec(step: Step): InferRequestSpec {
    return {
      model: this.model,
      version: this.version,
      inputs: step.inputs,
      outputs: this.outputs,
      parameters: step.sequence ? sequenceParameters(step.sequence) : undefined,
    }
  }

  /** Sends one request and resolves once it is answered, failed or cancelled; never rejects. */
  send(lane: Lane, step: Step): Promise<void> {
    this.sent += 1
    const began = performance.now()
    const p = this.exchange(lane, step, began).then(
      (latencyMs) => {
        this.succeeded += 1
        this.recorder.record(latencyMs)
        this.lastAnswerAt = performance.now()
        this.opts.onRequest?.({ ok: true, outcome: 'success', latencyMs, atMs: Date.now() })
      },
      (error: unknown) => {
        this.failed += 1
        this.recorder.recordFailure()
        this.lastAnswerAt = performance.now()
        this.opts.onRequest?.({
          ok: false,
          outcome:
            error instanceof TritonError && error.kind === 'timeout' ? 'timeout' : 'server-error',
          latencyMs: performance.now() - began,
          atMs: Date.now(),
        })
        if (error instanceof TritonError && FATAL_KINDS.has(error.kind)) this.fatal ??= error
        // The server may have dropped the sequence; the lane's next request starts afresh.
        if (step.sequence && !step.sequence.end) lane.position = 0
      },
    )
    this.pending.add(p)
    void p.finally(() => this.pending.delete(p))
    return p
  }

  private async exchange(lane: Lane, step: Step, began: number): Promise<number> {
    const spec = this.spec(step)
    if (!lane.stream) {
      await this.opts.client.infer(spec, { signal: this.cancel.signal })
      return performance.now() - began
    }
    const outcome = await lane.stream.infer(spec)
    const total = performance.now() - began
    // perf_analyzer times decoupled models to the first response; the rest is streaming output.
    return this.opts.workload.decoupled
      ? Math.max(0, total - (outcome.latencyMs - outcome.firstResponseMs))
      : total
  }

  get inFlight(): number {
    return this.pending.size
  }

  /**
   * Waits for every request sent so far; after `timeoutMs` cancels the rest, which then settle
   * as failures. True when everything was answered in time.
   */
  async drain(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const all = Promise.all([...this.pending])
    // Ends the timer once everything is in, so no idle timeout holds the process open.
    const settled = new AbortController()
    const timer = signal ? AbortSignal.any([signal, settled.signal]) : settled.signal
    const inTime = await Promise.race([
      all.then(() => true),
      sleep(timeoutMs, timer).then(() => false),
    ])
    settled.abort()
    if (!inTime) this.abortAll()
    await all
    return inTime
  }

  abortAll(): void {
    this.cancel.abort()
    for (const lane of this.lanes) lane?.stream?.cancel()
  }

  /** Half-closes every stream so the server sees a clean end. */
  async close(): Promise<void> {
    await Promise.all(
      this.lanes.map(async (lane) => {
        if (lane?.stream && !lane.stream.closed) await lane.stream.end().catch(() => undefined)
      }),
    )
  }
}

/** Resolves after `ms`, or at once when the signal aborts. */
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

function checkMode(mode: BenchMode): void {
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
async function warmUp(run: Run, opts: RunBenchOptions): Promise<void> {
  const steps = opts.workload.steps
  const step: Step = opts.workload.sequence
    ? { inputs: steps[0], sequence: { id: sequenceBase(), start: true, end: true } }
    : { inputs: steps[0] }
  const stream = run.useStream
    ? opts.client.openStream({ decoupled: opts.workload.decoupled })
    : undefined
  const onAbort = (): void => stream?.cancel()
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    if (stream) await stream.infer(run.spec(step))
    else await opts.client.infer(run.spec(step), { signal: opts.signal })
    await stream?.end()
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
    if (stream && !stream.closed) stream.cancel()
  }
}

async function statisticsOf(
  opts: RunBenchOptions,
  version: string | undefined,
): Promise<ModelStatistics[] | undefined> {
  try {
    return await opts.client.modelStatistics(opts.model, version ?? '', { signal: opts.signal })
  } catch (e) {
    if (e instanceof TritonError && e.kind === 'unsupported') return undefined
    throw e
  }
}

/** Samples GPU gauges from the metrics page once a second while a run lasts. */
class GpuSampler {
  private readonly utilization: number[] = []
  private readonly power: number[] = []
  private maxMemory: number | undefined
  private polls = 0
  private failedWith: string | undefined
  private busy: Promise<void> | undefined

  constructor(
    private readonly url: string,
    private readonly signal: AbortSignal,
  ) {}

  poll(): void {
    // A slow page must not pile up requests: skip a tick while the last one is out.
    if (this.busy) return
    this.busy = this.once().finally(() => (this.busy = undefined))
  }

  private async once(): Promise<void> {
    try {
      const text = await fetchMetricsText(this.url, {
        timeoutMs: METRICS_INTERVAL_MS,
        signal: this.signal,
      })
      const snapshot = parseTritonMetrics(text, Date.now())
      this.polls += 1
      const gpus = snapshot.gpus
      if (gpus.length === 0) return
      // One figure for the server: mean utilisation over its GPUs, total memory and power.
      const util = gpus.flatMap((g) => (g.utilization === undefined ? [] : [g.utilization]))
      if (util.length > 0) this.utilization.push(util.reduce((a, b) => a + b, 0) / util.length)
      const memory = gpus.flatMap((g) =>
        g.memoryUsedBytes === undefined ? [] : [g.memoryUsedBytes],
      )
      if (memory.length > 0) {
        const used = memory.reduce((a, b) => a + b, 0)
        this.maxMemory = Math.max(this.maxMemory ?? 0, used)
      }
      const watts = gpus.flatMap((g) => (g.powerWatts === undefined ? [] : [g.powerWatts]))
      if (watts.length > 0) this.power.push(watts.reduce((a, b) => a + b, 0))
    } catch (e) {
      if (this.signal.aborted) return
      this.failedWith ??= e instanceof Error ? e.message : String(e)
    }
  }

  async finish(): Promise<{ gpu?: BenchRun['gpu']; note?: string }> {
    await this.busy
    const mean = (xs: number[]): number | undefined =>
      xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length
    const gpu: NonNullable<BenchRun['gpu']> = {}
    const avgUtilization = mean(this.utilization)
    const avgPowerWatts = mean(this.power)
    if (avgUtilization !== undefined) gpu.avgUtilization = avgUtilization
    if (this.maxMemory !== undefined) gpu.maxMemoryUsedBytes = this.maxMemory
    if (avgPowerWatts !== undefined) gpu.avgPowerWatts = avgPowerWatts
    const any = Object.keys(gpu).length > 0
    let note: string | undefined
    if (this.polls === 0 && this.failedWith) {
      note = `no GPU figures: ${this.failedWith}`
    } else if (!any && this.polls > 0) {
      note = `no GPU figures: ${this.url} has no GPU lines (a server without GPUs, or GPU metrics off)`
    }
    return { gpu: any ? gpu : undefined, note }
  }
}

/**
 * Runs one load level against one model and returns its figures. Rate mode is open loop:
 * exactly round(rate x duration) requests, request i sent at i/rate seconds, whether or not
 * earlier ones have been answered; those still unanswered after the drain timeout count as
 * failed. Concurrency mode keeps N requests in flight until the duration ends. Sequence and
 * decoupled models go over ModelStreamInfer, one stream per worker so each sequence stays in
 * order; other models use unary ModelInfer. Rejects if the caller aborts or the server
 * becomes unreachable.
 */
export async function runBench(opts: RunBenchOptions): Promise<BenchRun> {
  const { mode, workload, signal } = opts
  checkMode(mode)
  if (workload.steps.length === 0) throw new RangeError('the workload has no requests to send')
  const run = new Run(opts)
  await warmUp(run, opts)
  const statsBefore = await statisticsOf(opts, run.version)

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

  let drained: boolean
  try {
    if (mode.kind === 'rate') await sendAtRate(run, opts, mode, started)
    else await sendConcurrently(run, opts, mode, started)
    drained = await run.drain(opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS, signal)
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
  if (!drained) {
    opts.onNote?.(
      `${opts.label ?? opts.model}: requests still unanswered ${(opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS) / 1000} s after the last send were cancelled and counted as failed`,
    )
  }
  const statsAfter = await statisticsOf(opts, run.version)
  const gpu = await sampler?.finish()
  if (gpu?.note) opts.onNote?.(`${opts.label ?? opts.model}: ${gpu.note}`)
  if (!statsAfter)
    opts.onNote?.(
      `${opts.label ?? opts.model}: the server has no statistics extension, so no server-side times`,
    )

  // Throughput over the whole run: at least the nominal duration, longer if answers lagged.
  const measuredSec = Math.max(mode.durationSec, (run.lastAnswerAt - started) / 1000)
  const result: BenchRun = {
    label: opts.label ?? opts.model,
    url: opts.client.target,
    model: opts.model,
    mode: mode.kind,
    ...(mode.kind === 'rate' ? { rate: mode.rate } : { concurrency: mode.concurrency }),
    durationSec: mode.durationSec,
    input: workload.description,
    summary: run.recorder.summary(measuredSec),
  }
  const server = statsAfter
    ? statisticsDelta(statsBefore, statsAfter, { name: opts.model })
    : undefined
  if (server) result.server = server
  if (gpu?.gpu) result.gpu = gpu.gpu
  return result
}

async function sendAtRate(
  run: Run,
  opts: RunBenchOptions,
  mode: Extract<BenchMode, { kind: 'rate' }>,
  started: number,
): Promise<void> {
  const total = Math.round(mode.rate * mode.durationSec)
  const lanes = run.useStream ? Math.max(1, Math.min(opts.streams ?? DEFAULT_STREAMS, total)) : 1
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / mode.rate
    const wait = due - performance.now()
    // Requests that fell behind schedule (a busy event loop) go out at once, not skipped.
    if (wait > 0) await sleep(wait, opts.signal)
    if (opts.signal?.aborted || run.fatal) return
    const lane = run.lane(i % lanes)
    // A lane's last request closes its sequence, so no sequence is left open on the server.
    void run.send(lane, run.nextStep(lane, i + lanes >= total))
  }
}

async function sendConcurrently(
  run: Run,
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

/** A concurrency sweep: one run per level, in order, each labelled with its level. */
export async function runConcurrencySweep(
  opts: Omit<RunBenchOptions, 'mode'>,
  levels: readonly number[],
  durationSec: number,
  onRun?: (run: BenchRun) => void,
): Promise<BenchRun[]> {
  const runs: BenchRun[] = []
  const label = opts.label ?? opts.model
  for (const concurrency of levels) {
    const run = await runBench({
      ...opts,
      label: levels.length > 1 ? `${label} c=${concurrency}` : label,
      mode: { kind: 'concurrency', concurrency, durationSec },
    })
    runs.push(run)
    onRun?.(run)
  }
  return runs
}
