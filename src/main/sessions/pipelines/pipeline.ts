import type { SessionResultEvent } from '../../../shared/results'
import type { FailedOutcome, RequestOutcome } from '../../../shared/session-summary'
import type { InferChannel } from '../../transport/infer-channel'
import { TritonError } from '../../triton/triton-error'
import type { RequestLedger } from '../request-ledger'

/** What a pipeline may ask of the session that runs it. */
export interface PipelineHost {
  readonly ledger: RequestLedger
  /** Answer deadline for every request, in ms. */
  readonly deadlineMs: number
  emit(event: SessionResultEvent): void
  /** A source item is done with: its credit goes back to the source. */
  ack(seq: number | undefined, outcome: RequestOutcome | 'dropped'): void
  /** The channel failed under a request: the session reconnects, then calls `resume`. */
  linkLost(channel: InferChannel, error: TritonError): void
  /** Something no reconnect can cure (auth, TLS, a refused message size): the session fails. */
  fail(error: unknown): void
  /** A one-time notice for the user, such as a setting learnt from the server. */
  notice(message: string): void
}

/** Work a pipeline accepted and had not finished when the session ended. */
export interface AbandonedWork<T> {
  /** Requests that will now never be answered (sent or not), counted as cancelled. */
  requests: number
  items: T[]
}

/**
 * Turns a source's items into requests and answers into results, and remembers what has not
 * been answered so it can be sent again on a new channel. ASR and detection each have one.
 */
export interface Pipeline<T> {
  /** Takes one item and sends what it makes; resolves when there is room for the next. */
  push(item: T, channel: InferChannel): Promise<void>
  /**
   * Resolves when a pushed item would go out at once. The session takes its next item only
   * then, so a live source's newer items keep replacing it in the queue instead of one stale
   * item waiting inside the pipeline.
   */
  room?(): Promise<void>
  /** Sends again, on a fresh channel, everything whose answer has not arrived. */
  resume(channel: InferChannel): Promise<void>
  /** Ends the work in progress (the open utterance) on the channel. */
  finish(channel: InferChannel): Promise<void>
  /** Resolves once nothing is in flight. */
  settled(): Promise<void>
  /** Gives up on everything unanswered and returns it. */
  abandon(): AbandonedWork<T>
  readonly inFlight: number
}

/** How a failed request is handled: the link, the request itself, a stop, or the session. */
export type FailureClass =
  | { kind: 'link'; error: TritonError }
  | { kind: 'request'; outcome: FailedOutcome }
  | { kind: 'cancelled' }
  | { kind: 'fatal' }

export function classifyFailure(error: unknown): FailureClass {
  if (!(error instanceof TritonError)) return { kind: 'request', outcome: 'decode-error' }
  switch (error.kind) {
    case 'cancelled':
      return { kind: 'cancelled' }
    case 'unreachable':
    case 'internal':
    case 'timeout':
      return { kind: 'link', error }
    case 'model-error':
    case 'invalid-argument':
    case 'not-found':
      return { kind: 'request', outcome: 'server-error' }
    default:
      return { kind: 'fatal' }
  }
}

/** Work sent again this many times in a row without getting further is given up, so no input that kills the server each time loops forever. */
export const MAX_ATTEMPTS = 4

/**
 * Which of the items still out (oldest first) a lost link counts against. On an ordered
 * stream the server works through requests in order, so only the oldest one out can have
 * taken it down; those behind it may never have reached it. On unary calls or HTTP every
 * item out was at the server, so each is counted.
 */
export function blamed<T>(
  itemsOldestFirst: readonly T[],
  isOut: (item: T) => boolean,
  ordered: boolean,
): T[] {
  const out = itemsOldestFirst.filter(isOut)
  return ordered ? out.slice(0, 1) : out
}

const NOW = Promise.resolve()

/** In-flight bookkeeping shared by the pipelines: a set of promises that wake waiters. */
export class InFlight {
  private readonly pending = new Set<Promise<void>>()

  get size(): number {
    return this.pending.size
  }

  /** `p` handles its own failures; a rejection here would be a bug, and is swallowed. */
  track(p: Promise<void>): void {
    const done = (): void => {
      this.pending.delete(tracked)
    }
    const tracked: Promise<void> = p.then(done, done)
    this.pending.add(tracked)
  }

  /** Resolves once fewer than `max` are in flight; at once, with no new promise, when so already. */
  room(max: number): Promise<void> {
    return this.pending.size < max ? NOW : this.waitForRoom(max)
  }

  private async waitForRoom(max: number): Promise<void> {
    while (this.pending.size >= max) await Promise.race(this.pending)
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending])
  }
}

/** One line for a request-error event or a log. */
export function errorText(error: unknown): string {
  return error instanceof TritonError
    ? error.toUserString()
    : error instanceof Error
      ? error.message
      : String(error)
}
