import { rm } from 'node:fs/promises'
import type { SessionResultEvent } from '../../shared/results'
import type { SessionEvent, SessionState } from '../../shared/session-events'
import type { RequestOutcome, SessionSummary, Unprocessed } from '../../shared/session-summary'
import { toUserError } from '../app/user-error'
import { END_GRACE_MS, type InferChannel, type InferTransport } from '../transport/infer-channel'
import { TritonError } from '../triton/triton-error'
import { Backoff, type ReconnectPolicy } from './backoff'
import { classifyFailure, type Pipeline, type PipelineHost } from './pipelines/pipeline'
import type { SourceQueue } from './queues/source-queue'
import { SharedTimer } from './shared-timer'
import { RequestLedger } from './request-ledger'
import { ResultsLog } from './results-log'

export interface SessionOptions<T> {
  id: string
  transport: InferTransport
  /** The model answers one request with several responses (needs a stream). */
  decoupled?: boolean
  queue: SourceQueue<T>
  pipeline: (host: PipelineHost) => Pipeline<T>
  /** Answer deadline of every request. */
  deadlineMs: number
  reconnect: ReconnectPolicy
  /** How long `stop` waits for outstanding answers before it gives them up. */
  drainTimeoutMs: number
  /** The session's own folder: spilled audio, the results log, kept audio. */
  workDir: string
  /**
   * What the source makes of work never answered (seconds of audio, frames, a WAV), given the
   * items and requests left at the end; undefined when the source has nothing to report.
   */
  describeUnprocessed(items: T[], requests: number): Unprocessed | undefined
  /** Source items carry a sequence number to acknowledge when accepted (audio) or done (frames). */
  ackOnAccept?: (item: T) => number | undefined
}

type Listener = (event: SessionEvent) => void

/** Flow events (queue, in flight, drops) at most this often, for every session at once. */
const flowTimer = new SharedTimer(250)

const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms).unref?.())

/**
 * One session from source to panel: a bounded queue with the source's policy, a pipeline that
 * turns items into requests, a channel to the server that is reopened (with backoff) when it
 * drops, and one ledger where every request ends exactly once. The app, the CLI and the tests
 * drive it the same way: `start`, `push` from the source, `stop` (a drain, bounded in time).
 */
export class Session<T> {
  readonly id: string
  readonly ledger: RequestLedger
  readonly log: ResultsLog
  private readonly listeners = new Set<Listener>()
  private readonly pipeline: Pipeline<T>
  private readonly queue: SourceQueue<T>
  private channel: InferChannel | undefined
  private reconnecting: Promise<void> | undefined
  private reconnectWake: (() => void) | undefined
  private stateValue: SessionState = 'starting'
  /** Set once the session must end now: nothing is sent or retried after it. */
  private ending = false
  private failure: unknown
  private running: Promise<void> | undefined
  private stopping: Promise<SessionSummary> | undefined
  private finished: Promise<SessionSummary> | undefined
  /**
   * Kept across reconnects until a request is answered again: a server that accepts
   * connections but answers nothing must not reset the wait, nor the time to give up.
   */
  private backoff: { backoff: Backoff; successes: number } | undefined
  private lastLinkError: TritonError | undefined
  /** An item taken from the queue that the pipeline does not have yet. */
  private held: T | undefined
  /** The channel being closed on purpose: its clean end is not a lost link. */
  private closingChannel: InferChannel | undefined

  constructor(private readonly options: SessionOptions<T>) {
    this.id = options.id
    this.queue = options.queue
    this.log = new ResultsLog(options.workDir)
    this.ledger = new RequestLedger((record) => {
      this.log.record(record)
      if (record.ok)
        this.emit({
          kind: 'latency',
          atMs: record.atMs,
          roundTripMs: record.latencyMs,
          captureToSendMs: record.captureToSendMs,
        })
    })
    this.queue.onDidDrop = (item) => {
      this.ledger.droppedFrames++
      this.ack(this.options.ackOnAccept ? undefined : seqOf(item), 'dropped')
      this.scheduleFlow()
    }
    this.pipeline = options.pipeline(this.host())
  }

  get state(): SessionState {
    return this.stateValue
  }

  onDidEmit(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(event: SessionEvent): void {
    for (const l of this.listeners) l(event)
  }

  private setState(state: SessionState, error?: unknown): void {
    if (this.stateValue === state && !error) return
    this.stateValue = state
    this.emit({ kind: 'status', state, ...(error ? { error: toUserError(error) } : {}) })
  }

  private host(): PipelineHost {
    return {
      ledger: this.ledger,
      deadlineMs: this.options.deadlineMs,
      emit: (e: SessionResultEvent) => {
        this.log.append(e)
        this.emit(e)
        this.scheduleFlow()
      },
      ack: (seq, outcome) => this.ack(seq, outcome),
      linkLost: (channel, error) => this.linkLost(channel, error),
      fail: (error) => this.fail(error),
      notice: (message) => this.emit({ kind: 'notice', message }),
    }
  }

  private ack(seq: number | undefined, outcome: RequestOutcome | 'dropped'): void {
    if (seq !== undefined) this.emit({ kind: 'ack', seq, outcome })
  }

  /**
   * Opens the first channel; rejects with the reason when the endpoint cannot be reached, and
   * then releases what the session had opened (its log, its folder, its transport), since
   * nothing ran and nothing is left to keep.
   */
  async start(): Promise<void> {
    if (this.running) throw new Error('a session starts once')
    // A dead endpoint should fail Start promptly; 5 s still covers a slow TLS handshake.
    try {
      await this.options.transport.ready(Math.min(this.options.deadlineMs, 5000))
    } catch (e) {
      await this.queue.dispose()
      await this.log.close()
      await this.options.transport.close().catch(() => undefined)
      await rm(this.options.workDir, { recursive: true, force: true })
      throw e
    }
    this.channel = this.openChannel()
    this.setState('running')
    this.running = this.pump().catch((e: unknown) => this.fail(e))
    this.finished = this.running.then(() => this.end())
  }

  /** Accepts one item from the source; resolves when the queue has taken it. */
  async push(item: T): Promise<void> {
    if (this.closing) return
    try {
      await this.queue.push(item)
    } catch (e) {
      // The queue closed under a waiting source: the session is stopping, not failing.
      if (this.closing) return
      throw e
    }
    if (this.options.ackOnAccept) this.ack(this.options.ackOnAccept(item), 'success')
    this.scheduleFlow()
  }

  /** The source has nothing more (a file's end): the session finishes what it has, then ends. */
  endOfInput(): void {
    this.queue.close()
  }

  /** The source itself failed (a file that cannot be decoded): the session ends with that error. */
  abort(error: unknown): void {
    this.fail(error)
  }

  /** True once the session is ending: sources stop feeding it. */
  get closing(): boolean {
    return this.ending || this.stopping !== undefined
  }

  /** Resolves with the summary once the session has ended, by itself or by `stop`. */
  get done(): Promise<SessionSummary> {
    if (!this.finished) throw new Error('the session has not started')
    return this.finished
  }

  /**
   * Stop is a drain: no more input, the open utterance is ended, outstanding answers are awaited
   * up to `drainTimeoutMs`, then whatever is left is given up, counted and described.
   */
  stop(): Promise<SessionSummary> {
    if (!this.finished) {
      this.ending = true
      return Promise.resolve(this.ledger.summary())
    }
    this.stopping ??= this.drain()
    return this.stopping
  }

  private async drain(): Promise<SessionSummary> {
    if (this.stateValue === 'running' || this.stateValue === 'reconnecting')
      this.setState('stopping')
    this.queue.close()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.drainTimeoutMs)
    })
    await Promise.race([this.running, timeout])
    clearTimeout(timer)
    this.endNow()
    return this.done
  }

  /** Stops sending and retrying at once; the pump winds down and `end` accounts for the rest. */
  private endNow(): void {
    this.ending = true
    this.reconnectWake?.()
    this.channel?.cancel()
    this.channel = undefined
  }

  private fail(error: unknown): void {
    if (this.ending) return
    this.failure ??= error
    this.queue.close()
    this.endNow()
  }

  private openChannel(): InferChannel {
    const channel = this.options.transport.open({
      decoupled: this.options.decoupled,
      idPrefix: this.id.slice(0, 8),
      onUnmatched: () => {
        this.ledger.unmatched++
        this.scheduleFlow()
      },
    })
    channel.onDidClose((error) => {
      if (this.channel !== channel || this.ending) return
      if (!error && this.closingChannel === channel) return
      if (!error) return this.linkLost(channel, serverEnded(this.options.transport.target))
      const c = classifyFailure(error)
      if (c.kind === 'fatal') this.fail(error)
      else this.linkLost(channel, error)
    })
    return channel
  }

  /** Feeds queued items to the pipeline until the source closes, then finishes and settles. */
  private async pump(): Promise<void> {
    for (;;) {
      await this.pipeline.room?.()
      const item = await this.queue.take()
      if (item === undefined) break
      // Held until the pipeline has it, so an end while reconnecting still accounts for it.
      this.held = item
      // The usual case, a live channel, costs no await.
      const live = !this.ending && !this.reconnecting ? this.channel : undefined
      const channel = live ?? (await this.ready())
      if (!channel) return
      this.held = undefined
      // After waiting for a link, a live camera sends its newest frame, not the one it held.
      await this.pipeline.push(this.queue.newest?.(item) ?? item, channel)
      this.scheduleFlow()
    }
    while (!this.ending) {
      const channel = await this.ready()
      if (!channel) return
      await this.pipeline.finish(channel)
      await this.pipeline.settled()
      // A link lost while settling means a replay is under way: wait for it and settle again.
      if (this.channel === channel && !channel.closed) {
        // A server that never closes its side must not hold the session open.
        this.closingChannel = channel
        await Promise.race([channel.end().catch(() => undefined), delay(END_GRACE_MS)])
        return
      }
    }
  }

  /** The live channel, after any reconnect and replay; undefined once the session is ending. */
  private async ready(): Promise<InferChannel | undefined> {
    // During a replay the new channel is already set, but new items wait until it is done.
    while (!this.ending && (!this.channel || this.reconnecting)) {
      this.reconnecting ??= this.reconnect()
      await this.reconnecting
    }
    return this.ending ? undefined : this.channel
  }

  private linkLost(channel: InferChannel, error: TritonError): void {
    if (this.channel !== channel || this.ending) return
    this.channel = undefined
    this.lastLinkError = error
    this.ledger.linkLosses++
    channel.cancel()
    this.setState('reconnecting', error)
    this.reconnecting ??= this.reconnect()
  }

  /** Capped, jittered backoff; back the moment the endpoint answers, then replay. */
  private async reconnect(): Promise<void> {
    if (!this.backoff || this.ledger.successes > this.backoff.successes)
      this.backoff = {
        backoff: new Backoff(this.options.reconnect),
        successes: this.ledger.successes,
      }
    const backoff = this.backoff.backoff
    try {
      while (!this.ending) {
        if (backoff.expired()) {
          const why = this.lastLinkError ? `: ${this.lastLinkError.message}` : ''
          this.fail(
            new TritonError(
              this.lastLinkError?.kind === 'timeout' ? 'timeout' : 'unreachable',
              `gave up after ${backoff.elapsedSec().toFixed(0)} s without an answer from ${this.options.transport.target}${why}`,
              'check the server and the link, then run the session again',
            ),
          )
          return
        }
        const wait = backoff.next()
        const attemptStarted = Date.now()
        try {
          await this.options.transport.ready(wait)
        } catch (e) {
          if (classifyFailure(e).kind === 'fatal') return this.fail(e)
          await this.sleep(wait - (Date.now() - attemptStarted))
          continue
        }
        if (this.ending) return
        const channel = this.openChannel()
        this.channel = channel
        await this.pipeline.resume(channel)
        if (this.channel !== channel) continue
        this.ledger.reconnects++
        if (!this.stopping) this.setState('running')
        return
      }
    } finally {
      this.reconnecting = undefined
    }
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.ending) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done(): void {
        clearTimeout(timer)
        resolve()
      }
      this.reconnectWake = done
    })
  }

  /** Accounts for what was never answered, closes the log and says how the session ended. */
  private async end(): Promise<SessionSummary> {
    this.ending = true
    this.channel?.cancel()
    flowTimer.cancel(this.emitFlow)
    const abandoned = this.pipeline.abandon()
    const queued = await this.queue.drain()
    if (this.held !== undefined) queued.unshift(this.held)
    this.held = undefined
    const items = [...abandoned.items, ...queued]
    const requests = abandoned.requests + queued.length
    if (requests > 0) {
      // Given up on by the user's stop: cancelled; by a dead or silent server: its failure.
      const outcome =
        this.failure === undefined
          ? 'cancelled'
          : this.lastLinkError?.kind === 'timeout'
            ? 'timeout'
            : 'server-error'
      this.ledger.failed(outcome, 0, abandoned.requests)
    }
    // Also with no request left: audio given up on along the way is kept and reported here.
    this.ledger.unprocessed = this.options.describeUnprocessed(items, requests)
    this.ledger.end()
    await this.queue.dispose()
    await this.log.close()
    // Shared-memory regions are unregistered and unlinked with the session.
    await this.options.transport.close().catch(() => undefined)
    const summary = this.ledger.summary()
    const failed = this.failure !== undefined
    this.stateValue = failed ? 'failed' : 'stopped'
    this.emit({
      kind: 'status',
      state: this.stateValue,
      ...(failed ? { error: toUserError(this.failure) } : {}),
      summary,
    })
    return summary
  }

  private scheduleFlow(): void {
    if (!this.ending) flowTimer.schedule(this.emitFlow)
  }

  private readonly emitFlow = (): void => this.emit(this.flow())

  flow(): Extract<SessionEvent, { kind: 'flow' }> {
    const q = this.queue
    return {
      kind: 'flow',
      queued: this.queue.length,
      queuedSec: q.queuedSec ?? 0,
      spilledSec: q.spilledSec ?? 0,
      inFlight: this.pipeline.inFlight,
      droppedFrames: this.ledger.droppedFrames,
      unmatched: this.ledger.unmatched,
      retries: this.ledger.retries,
    }
  }

  summary(): SessionSummary {
    return this.ledger.summary()
  }
}

function seqOf(item: unknown): number | undefined {
  const seq = (item as { seq?: unknown }).seq
  return typeof seq === 'number' ? seq : undefined
}

function serverEnded(target: string): TritonError {
  return new TritonError(
    'unreachable',
    `${target} ended the stream`,
    'the server may be restarting; the session reconnects',
  )
}
