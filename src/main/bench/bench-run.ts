/**
 * One measurement window in flight: its lanes (channels of the transport), every request it
 * sent, and the ledger where each ends as one outcome (a latency, or a failure with its cause).
 *
 * Why a load generator is not a Session: a Session puts a bounded queue in front of the model
 * (the source waits when it is full), replays what a dropped link left unanswered and decodes
 * every answer. A benchmark must do none of that: an open-loop rate sends request i at i/rate
 * whether or not earlier ones were answered (a waiting queue would hide the overload it is
 * there to show), a request lost to the link is a failure to count rather than to retry, and
 * decoding answers would measure this client instead of the server. So bench shares the rest
 * with sessions: the transport and its channels (gRPC stream or unary, HTTP, shared memory),
 * the request building of the pipelines (request-builder.ts, via the workload), the deadline
 * per request and the RequestLedger with its outcomes.
 */
import { performance } from 'node:perf_hooks'
import type { ModelProfile } from '../../shared/model-profile'
import { RequestLedger, type RequestRecord } from '../sessions/request-ledger'
import type { InferChannel, InferTransport } from '../transport/infer-channel'
import { sequenceParameters, type InferRequestSpec } from '../triton/infer-messages'
import type { Tensor } from '../triton/tensor-codec'
import type { TritonApi } from '../triton/triton-api'
import { TritonError } from '../triton/triton-error'
import type { BenchWorkload } from './bench-workload'
import { failureCause, failureOutcome } from './failure-cause'

/** How a bench reaches its target: a transport, with the Triton server behind it if there is one. */
export type BenchTransport = InferTransport & {
  /** For ModelStatistics; absent for a service that is not Triton (OpenAI-compatible). */
  readonly api?: TritonApi
}

export interface RunSettings {
  transport: BenchTransport
  model: string
  profile?: ModelProfile
  workload: BenchWorkload
  /** Every request fails as 'deadline exceeded' when unanswered this long after it was sent. */
  deadlineMs: number
  onRequest?(record: RequestRecord): void
}

/** Failures that mean the server or the link is gone: the run stops rather than count them. */
const FATAL_KINDS: ReadonlySet<string> = new Set(['unreachable', 'tls', 'auth', 'unsupported'])

/** Sequence ids must not collide with other clients of the same server. */
export function sequenceBase(): bigint {
  return (
    (BigInt(Date.now()) % 1_000_000_000n) * 1_000_000n + BigInt(Math.floor(Math.random() * 1e6))
  )
}

/** One channel (a gRPC stream, or a group of unary calls) and where it is in its sequence. */
export interface Lane {
  channel?: InferChannel
  /** Index of the next step within the current sequence. */
  position: number
  sequenceId: bigint
  /** Settles when the lane's last request has; a sequence waits on it over unordered channels. */
  last: Promise<void>
}

/** Rate mode: when a request was due, and how long after that its sending counts as late. */
export interface Schedule {
  due: number
  lateAfterMs: number
}

export interface Step {
  /** Which of the workload's steps this is. */
  index: number
  inputs: Tensor[]
  sequence?: { id: bigint; start: boolean; end: boolean }
}

export class BenchRunState {
  readonly ledger: RequestLedger
  /** Lanes of their own for sequences (each in order) and decoupled models; else one lane. */
  readonly multiLane: boolean
  readonly causes: Record<string, number> = {}
  private readonly version: string | undefined
  private readonly outputs: string[] | undefined
  private readonly pending = new Set<Promise<void>>()
  private readonly lanes: Lane[] = []
  private nextSequence = sequenceBase()
  private stepCounter = 0
  private cutAtDrain = false
  sent = 0
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
    this.multiLane = workload.sequence || workload.decoupled
    this.ledger = new RequestLedger(opts.onRequest)
  }

  get succeeded(): number {
    return this.ledger.successes
  }

  get failed(): number {
    return this.ledger.failures
  }

  lane(index: number): Lane {
    let lane = this.lanes[index]
    if (!lane) {
      lane = { position: 0, sequenceId: 0n, last: Promise.resolve() }
      this.lanes[index] = lane
    }
    if (!lane.channel || lane.channel.closed) {
      // A channel that died takes its sequence with it; the next request starts a new one.
      lane.channel = this.opts.transport.open({
        decoupled: this.opts.workload.decoupled,
        onUnmatched: () => void this.ledger.unmatched++,
      })
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

  /** Whether a lane is inside a sequence that has not been ended yet, on a live channel. */
  midSequence(index: number): boolean {
    const lane = this.lanes[index]
    return (
      this.opts.workload.sequence &&
      lane !== undefined &&
      lane.position !== 0 &&
      lane.channel?.closed === false
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
   * Its latency, or its time to failure, runs from this call: over unary calls or HTTP a
   * sequence step first waits for the lane's previous request, and a backlog there must show
   * (as latency, and as a late send when it goes out past `schedule`) rather than hide.
   */
  send(lane: Lane, step: Step, schedule?: Schedule): Promise<void> {
    this.sent += 1
    const queued = performance.now()
    this.firstSentAt ??= queued
    this.lastSentAt = queued
    const channel = lane.channel as InferChannel
    // Over unary calls or HTTP, requests may overtake each other: a sequence keeps one in flight.
    const before = step.sequence && !channel.ordered ? lane.last : undefined
    const p = (before ?? Promise.resolve())
      .then(() => this.exchange(channel, step, queued, schedule))
      .then(
        (latencyMs) => this.succeed(latencyMs),
        (error: unknown) => this.fail(error, queued, lane, step),
      )
    lane.last = p
    this.pending.add(p)
    void p.finally(() => this.pending.delete(p))
    return p
  }

  private succeed(latencyMs: number): void {
    const now = performance.now()
    this.ledger.succeeded(latencyMs)
    this.firstSuccessAt ??= now
    this.lastSuccessAt = now
    this.lastAnswerAt = now
  }

  private fail(error: unknown, began: number, lane: Lane, step: Step): void {
    const cause = failureCause(error, this.cutAtDrain)
    this.causes[cause] = (this.causes[cause] ?? 0) + 1
    this.lastAnswerAt = performance.now()
    this.ledger.failed(failureOutcome(error, this.cutAtDrain), performance.now() - began)
    if (error instanceof TritonError && FATAL_KINDS.has(error.kind)) this.fatal ??= error
    // The server may have dropped the sequence; the lane's next request starts afresh.
    if (step.sequence && !step.sequence.end) lane.position = 0
  }

  /** The client-side latency: from `queued`, when the run handed the request over, to its (first) answer. */
  private async exchange(
    channel: InferChannel,
    step: Step,
    queued: number,
    schedule: Schedule | undefined,
  ): Promise<number> {
    if (schedule && performance.now() - schedule.due > schedule.lateAfterMs) this.lateSends += 1
    const answer = await channel.infer(this.spec(step), { deadlineMs: this.opts.deadlineMs })
    const total = performance.now() - queued
    // perf_analyzer times decoupled models to the first response; the rest is streaming output.
    return this.opts.workload.decoupled
      ? Math.max(0, total - (answer.latencyMs - answer.firstResponseMs))
      : total
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
    for (const lane of this.lanes) lane?.channel?.cancel()
  }

  /** Ends every channel cleanly, so the server sees a stream's half-close. */
  async close(): Promise<void> {
    await Promise.all(
      this.lanes.map(async (lane) => {
        if (lane?.channel && !lane.channel.closed) await lane.channel.end().catch(() => undefined)
      }),
    )
  }
}
