/** Cumulative per-model statistics in Triton's shape (nanosecond totals since start). */
export interface Duration {
  count: bigint
  ns: bigint
}

export interface ModelCounters {
  lastInferenceMs: number
  inferenceCount: bigint
  executionCount: bigint
  success: Duration
  fail: Duration
  queue: Duration
  computeInput: Duration
  computeInfer: Duration
  computeOutput: Duration
  pending: number
  failuresByReason: Record<'REJECTED' | 'BACKEND' | 'OTHER', number>
}

const zero = (): Duration => ({ count: 0n, ns: 0n })

export function newCounters(): ModelCounters {
  return {
    lastInferenceMs: 0,
    inferenceCount: 0n,
    executionCount: 0n,
    success: zero(),
    fail: zero(),
    queue: zero(),
    computeInput: zero(),
    computeInfer: zero(),
    computeOutput: zero(),
    pending: 0,
    failuresByReason: { REJECTED: 0, BACKEND: 0, OTHER: 0 },
  }
}

export function add(d: Duration, ns: bigint): void {
  d.count += 1n
  d.ns += ns
}

export function durationMessage(d: Duration): { count: string; ns: string } {
  return { count: d.count.toString(), ns: d.ns.toString() }
}
