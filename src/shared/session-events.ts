import type { SessionResultEvent } from './results'
import type { AckEvent, FlowEvent, SessionSummary } from './session-summary'

/** A failure as the user sees it: what went wrong, and what to do about it. */
export interface UserError {
  message: string
  hint: string
  kind: string
}

export const SESSION_STATES = [
  'starting',
  'running',
  'reconnecting',
  'stopping',
  'stopped',
  'failed',
] as const
export type SessionState = (typeof SESSION_STATES)[number]

export interface SessionStatusEvent {
  kind: 'status'
  state: SessionState
  error?: UserError
  /** On 'stopped' and 'failed': the run's figures, and what was not processed. */
  summary?: SessionSummary
}

export interface LatencySample {
  kind: 'latency'
  atMs: number
  roundTripMs: number
  /** Capture to send: time the item waited in the app, in ms. */
  captureToSendMs?: number
}

/** Something the user should know once, such as a setting the session learnt from the server. */
export interface NoticeEvent {
  kind: 'notice'
  message: string
}

/** Everything a session tells its page (over its own port) or the command line. */
export type SessionEvent =
  SessionResultEvent | SessionStatusEvent | LatencySample | FlowEvent | AckEvent | NoticeEvent
