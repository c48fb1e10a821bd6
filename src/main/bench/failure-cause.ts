import { status } from '@grpc/grpc-js'
import { FAILURE_CAUSES } from '../../shared/bench-warnings'
import type { FailedOutcome } from '../../shared/session-summary'
import { TritonError } from '../triton/triton-error'

/**
 * Why one bench request failed, as a report counts it: the deadline, a response that would not
 * decode, the model's own refusal on the stream, the drain timeout, or the gRPC status by name.
 * `cutAtDrain`: the run had already cancelled what was left when this failure came back.
 */
export function failureCause(error: unknown, cutAtDrain: boolean): string {
  if (!(error instanceof TritonError)) return FAILURE_CAUSES.decode
  if (error.kind === 'timeout' || error.grpcCode === status.DEADLINE_EXCEEDED)
    return FAILURE_CAUSES.deadline
  if (error.kind === 'cancelled')
    return cutAtDrain ? FAILURE_CAUSES.unanswered : FAILURE_CAUSES.cancelled
  if (error.kind === 'model-error' && error.grpcCode === undefined) return FAILURE_CAUSES.modelError
  if (error.grpcCode !== undefined) return status[error.grpcCode] ?? `status ${error.grpcCode}`
  return error.kind
}

/** The ledger's outcome for a failed bench request, beside its finer cause. */
export function failureOutcome(error: unknown, cutAtDrain: boolean): FailedOutcome {
  if (!(error instanceof TritonError)) return 'decode-error'
  if (error.kind === 'timeout' || error.grpcCode === status.DEADLINE_EXCEEDED) return 'timeout'
  if (error.kind === 'cancelled') return cutAtDrain ? 'timeout' : 'cancelled'
  return 'server-error'
}
