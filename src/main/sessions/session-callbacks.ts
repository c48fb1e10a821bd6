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

/**
 * A broken link or stream ends the session (or triggers a reconnect); anything about one
 * request (the model refused it, its answer had the wrong shape) is reported and skipped.
 */
export function isFatal(error: unknown): error is TritonError {
  if (!(error instanceof TritonError)) return false
  return (
    error.kind !== 'model-error' && error.kind !== 'invalid-argument' && error.kind !== 'not-found'
  )
}

/** A request cut short because the user stopped: neither a failure nor a result. */
export function isCancellation(error: unknown): boolean {
  return error instanceof TritonError && error.kind === 'cancelled'
}

export function errorText(error: unknown): string {
  return error instanceof TritonError
    ? error.toUserString()
    : error instanceof Error
      ? error.message
      : String(error)
}
