/** Figures for the latency glance, from at most LATENCY_WINDOW values (a sort is cheap there). */
export interface LatencyStats {
  count: number
  lastMs?: number
  meanMs?: number
  p50Ms?: number
  p95Ms?: number
  p99Ms?: number
  minMs?: number
  maxMs?: number
}

/** Nearest-rank percentile of sorted values: the smallest value with at least p% at or below it. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

export function latencyStats(values: readonly number[]): LatencyStats {
  if (values.length === 0) return { count: 0 }
  const sorted = Float64Array.from(values).sort()
  let sum = 0
  for (const v of values) sum += v
  const arr = Array.from(sorted)
  return {
    count: values.length,
    lastMs: values[values.length - 1],
    meanMs: sum / values.length,
    p50Ms: percentile(arr, 50),
    p95Ms: percentile(arr, 95),
    p99Ms: percentile(arr, 99),
    minMs: arr[0],
    maxMs: arr[arr.length - 1],
  }
}

/** 12.3 ms under 100, whole milliseconds above, '–' when there is nothing yet. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–'
  return ms < 100 ? ms.toFixed(1) : Math.round(ms).toString()
}
