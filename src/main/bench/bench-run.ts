/**
 * One measurement window in flight: its lanes (streams or unary workers), every request it
 * sent, and the ledger where each ends as a latency or as a failure with its cause.
 */
import { performance } from 'node:perf_hooks'
import type { ModelProfile } from '../../shared/model-profile'
import { LatencyRecorder } from '../metrics/latency-histogram'
import type { RequestRecord } from '../sessions/request-ledger'
import { sequenceParameters, type InferRequestSpec } from '../triton/infer-messages'
import type { StreamCall } from '../triton/stream-call'
import type { Tensor } from '../triton/tensor-codec'
import type { PreparedInfer, TritonClient } from '../triton/triton-client'
import { TritonError } from '../triton/triton-error'
import type { BenchWorkload } from './bench-workload'
import { failureCause, failureOutcome } from './failure-cause'

export interface RunSettings {
  client: TritonClient
  model: string
  profile?: ModelProfile
  workload: BenchWorkload
  onRequest?(record: RequestRecord): void
}

/** Failures that mean the server or the link is gone: the run stops rather than count them. */
const FATAL_KINDS: ReadonlySet<string> = new Set(['unreachable', 'tls', 'auth', 'unsupported'])

/** Prepared (serialized) requests are kept up to this many bytes; the rest are built per send. */
const PREPARED_BUDGET_BYTES = 256 * 2 ** 20

/** Sequence ids must not collide with other clients of the same server. */
export function sequenceBase(): bigint {
  return (
    (BigInt(Date.now()) % 1_000_000_000n) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))
  )
}

/** One stream (or, for unary models, one worker) and where it is in its sequence. */
export interface Lane {
  stream?: StreamCall
  /** Index of the next step within the current sequence. */
  position: number
  sequenceId: bigint
}

export interface Step {
  /** Which of the workload's steps this is. */
  index: number
  inputs: Tensor[]
  sequence?: { id: bigint; start: boolean; end: boolean }
}

export class BenchRunState {
  readonly recorder = new LatencyRecorder()
  readonly useStream: boolean
  readonly causes: Record<string, number> = {}
  private readonly version: string | undefined
  private readonly outputs: string[] | undefined
  private readonly pending = new Set<Promise<void>>()
  private readonly lanes: Lane[] = []
  /** One controller per unary call in flight: a shared signal would gather a listener per call. */
  private readonly unaryCalls = new Set<AbortController>()
  private readonly prepared = new Map<number, PreparedInfer>()
  private preparedBytes = 0
  private nextSequence = sequenceBase()
  private stepCounter = 0
  private cutAtDrain = false
  sent = 0
  succeeded = 0
  failed = 0
  lateSends = 0
  firstSentAt: number | undefined
  lastSentAt: number | undefined
  firstSuccessAt: number | undefined
  lastSuccessAt: number | undefined
  lastAnswerAt = 0
  fatal: TritonError | undefined

  constructor(private readonly opts: RunSettings) {
    const { workload, profile } = opts
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
    if (!this.opts.workload.sequence) {
      const index = this.stepCounter++ % steps.length
      return { index, inputs: steps[index] }
    }
    const index = lane.position
    const start = index === 0
    if (start) lane.sequenceId = ++this.nextSequence
    const end = forceEnd || index === steps.length - 1
    lane.position = end ? 0 : index + 1
    return { index, inputs: steps[index], sequence: { id: lane.sequenceId, start, end } }
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

  spec(step: Pick<Step, 'inputs' | 'sequence'>): InferRequestSpec {
    return {
      model: this.opts.model,
      version: this.version,
      inputs: step.inputs,
      outputs: this.outputs,
      parameters: step.sequence ? sequenceParameters(step.sequence) : undefined,
    }
  }

  /**
   * Sends one request and resolves once it is answered, failed or cancelled; never rejects.
   * `lateBy`: how far behind its schedule the send is, in ms (rate mode).
   */
  send(lane: Lane, step: Step, lateBy = 0): Promise<void> {
    this.sent += 1
    const began = performance.now()
    this.firstSentAt ??= began
    this.lastSentAt = began
    if (lateBy > 0) this.lateSends += 1
    const p = this.exchange(lane, step, began).then(
      (latencyMs) => this.succeed(latencyMs),
      (error: unknown) => this.fail(error, began, lane, step),
    )
    this.pending.add(p)
    void p.finally(() => this.pending.delete(p))
    return p
  }

  private succeed(latencyMs: number): void {
    const now = performance.now()
    this.succeeded += 1
    this.recorder.record(latencyMs)
    this.firstSuccessAt ??= now
    this.lastSuccessAt = now
    this.lastAnswerAt = now
    this.opts.onRequest?.({ ok: true, outcome: 'success', latencyMs, atMs: Date.now() })
  }

  private fail(error: unknown, began: number, lane: Lane, step: Step): void {
    this.failed += 1
    this.recorder.recordFailure()
    const cause = failureCause(error, this.cutAtDrain)
    this.causes[cause] = (this.causes[cause] ?? 0) + 1
    this.lastAnswerAt = performance.now()
    this.opts.onRequest?.({
      ok: false,
      outcome: failureOutcome(error, this.cutAtDrain),
      latencyMs: performance.now() - began,
      atMs: Date.now(),
    })
    if (error instanceof TritonError && FATAL_KINDS.has(error.kind)) this.fatal ??= error
    // The server may have dropped the sequence; the lane's next request starts afresh.
    if (step.sequence && !step.sequence.end) lane.position = 0
  }

  private async exchange(lane: Lane, step: Step, began: number): Promise<number> {
    if (!lane.stream) {
      const call = new AbortController()
      this.unaryCalls.add(call)
      try {
        const prepared = step.sequence ? undefined : this.preparedFor(step)
        if (prepared) await this.opts.client.inferPrepared(prepared, { signal: call.signal })
        else await this.opts.client.infer(this.spec(step), { signal: call.signal })
      } finally {
        this.unaryCalls.delete(call)
      }
      return performance.now() - began
    }
    const outcome = await lane.stream.infer(this.spec(step))
    const total = performance.now() - began
    // perf_analyzer times decoupled models to the first response; the rest is streaming output.
    return this.opts.workload.decoupled
      ? Math.max(0, total - (outcome.latencyMs - outcome.firstResponseMs))
      : total
  }

  /** The step serialized once and kept, while the budget lasts. */
  private preparedFor(step: Step): PreparedInfer | undefined {
    const cached = this.prepared.get(step.index)
    if (cached) return cached
    if (this.preparedBytes >= PREPARED_BUDGET_BYTES) return undefined
    const prepared = this.opts.client.prepareInfer(this.spec(step))
    this.prepared.set(step.index, prepared)
    this.preparedBytes += prepared.bytes.length
    return prepared
  }

  get inFlight(): number {
    return this.pending.size
  }

  /**
   * Waits for every request sent so far; after `timeoutMs` cancels the rest, which then settle
   * as failures ("unanswered at the drain timeout"). True when everything was answered in time.
   */
  async drain(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const all = Promise.all([...this.pending])
    let stop: () => void = () => undefined
    const cut = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs))
      const onAbort = (): void => resolve(false)
      if (signal?.aborted) resolve(false)
      signal?.addEventListener('abort', onAbort, { once: true })
      // Always removed, so a signal shared by many windows never gathers listeners.
      stop = () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
      }
    })
    const inTime = await Promise.race([all.then(() => true), cut])
    stop()
    if (!inTime) {
      this.cutAtDrain = !signal?.aborted
      this.abortAll()
    }
    await all
    return inTime
  }

  abortAll(): void {
    for (const call of this.unaryCalls) call.abort()
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
