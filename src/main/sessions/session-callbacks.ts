import type { SessionResultEvent } from '../../shared/results'
import { TritonError } from '../triton/triton-error'

export interface RequestRecord {
  ok: boolean
  /** Round trip from the write of the request to its final response. */
  latencyMs: number
  /** From capture (microphone, camera) to the write, when the source stamped it. */
  captureToSendMs?: number
  /** Wall-clock time of the answer. */
  atMs: number
}

/** Where a session reports: results for the user, and one record per request for the numbers. */
export interface SessionCallbacks {
  onEvent(event: SessionResultEvent): void
  onRequest?(record: RequestRecord): void
}

/** A request-level failure becomes an event; a broken stream is rethrown to end the session. */
export function isFatal(error: unknown): boolean {
  if (!(error instanceof TritonError)) return true
  return (
    error.kind !== 'model-error' && error.kind !== 'invalid-argument' && error.kind !== 'not-found'
  )
}

export function errorText(error: unknown): string {
  return error instanceof TritonError
    ? error.toUserString()
    : error instanceof Error
      ? error.message
      : String(error)
}
