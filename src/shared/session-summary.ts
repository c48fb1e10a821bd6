import type { LatencySummary } from './results'

/**
 * How a request ends: every request a session sends ends as exactly one of these. A request
 * lost to a dropped link and sent again on a new stream is one request (its attempts are
 * counted as retries), so a run that recovered from a restart loses nothing and fails nothing.
 */
export const REQUEST_OUTCOMES = [
  'success',
  'server-error',
  'decode-error',
  'timeout',
  'cancelled',
] as const
export type RequestOutcome = (typeof REQUEST_OUTCOMES)[number]
export type FailedOutcome = Exclude<RequestOutcome, 'success'>

export const OUTCOME_LABELS: Readonly<Record<RequestOutcome, string>> = {
  success: 'Succeeded',
  'server-error': 'Server errors',
  'decode-error': 'Decode errors',
  timeout: 'Timed out',
  cancelled: 'Cancelled',
}

/** What a session had not processed when it ended: kept, and said, never silently dropped. */
export interface Unprocessed {
  /** Requests sent but never answered, and work never sent. */
  requests: number
  /** Audio without a final transcript, in seconds of media. */
  audioSec: number
  /** Media time where that audio starts. */
  audioStartSec?: number
  /** A WAV of that audio, kept while the app runs (and written beside an export). */
  keptAudioPath?: string
  frames: number
}

/** A session's figures at its end (and along the way): latency, outcomes and flow. */
export interface SessionSummary extends LatencySummary {
  outcomes: Record<RequestOutcome, number>
  /** Responses that matched no request the session sent (no id, unknown or repeated id). */
  unmatched: number
  /** Requests sent again on a new stream after the link dropped. */
  retries: number
  /** Times the link was lost (a dropped connection, a restart, a deadline passed); each starts a reconnect. */
  linkLosses: number
  /** Times the session got the link back and resumed: fewer than `linkLosses` when one was lost again first. */
  reconnects: number
  /** Live frames replaced by a newer one before they were sent. */
  droppedFrames: number
  /** Answers that carried no text (ASR) or no boxes (detection). */
  emptyAnswers: number
  unprocessed?: Unprocessed
}

/** Flow control as the user sees it: how much waits where. Sent when it changes, throttled. */
export interface FlowEvent {
  kind: 'flow'
  /** Items accepted and not yet sent. */
  queued: number
  /** Seconds of audio among them (microphone and audio files). */
  queuedSec: number
  /** Of which held on disk because the in-memory bound was reached. */
  spilledSec: number
  inFlight: number
  droppedFrames: number
  unmatched: number
  retries: number
}

/** One pushed item is done with (answered, failed or dropped): a credit back to its source. */
export interface AckEvent {
  kind: 'ack'
  /** The sequence number the source gave the item. */
  seq: number
  outcome: RequestOutcome | 'dropped'
}

export function emptyOutcomes(): Record<RequestOutcome, number> {
  return { success: 0, 'server-error': 0, 'decode-error': 0, timeout: 0, cancelled: 0 }
}
