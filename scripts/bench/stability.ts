// When a figure measured in windows has settled: perf_analyzer's rule (its
// --stability-percentage, default 10), applied to our per-request CPU.

/** How many of the newest windows must agree. */
export const STABLE_WINDOWS = 3

/** perf_analyzer's default: the newest windows' largest value within 10 % of their smallest. */
export const STABLE_SPREAD = 0.1

/** Whether the last STABLE_WINDOWS values are all positive and max / min ≤ 1 + STABLE_SPREAD. */
export function stableTail(values: readonly number[]): boolean {
  if (values.length < STABLE_WINDOWS) return false
  const tail = values.slice(-STABLE_WINDOWS)
  const lo = Math.min(...tail)
  return lo > 0 && Math.max(...tail) <= lo * (1 + STABLE_SPREAD)
}
