/**
 * What a benchmark measures and how two runs are ranked: the one owner of these rules, used by
 * main's reports (CLI, exports) and the app's Benchmark tab alike.
 *
 * A winner is named only when the difference is larger than the noise. Runs measured in
 * several windows (perf_analyzer's measurement windows) carry each window's figures; a metric
 * then has a winner only if the two sides' window means differ by more than both spreads
 * (max - min over each side's windows) together. Otherwise, and within half a percent, a tie.
 */
import type { LatencySummary } from './results'

export type BenchUnit = 'count' | 'percent' | 'rps' | 'ms'
/** `none`: shown side by side but not ranked (more load or more requests is not "better"). */
export type BenchBetter = 'lower' | 'higher' | 'none'

/** The figures of one measurement: a whole run, or one of its windows. */
export interface BenchFigures {
  summary: LatencySummary
  server?: {
    avgQueueMs: number
    avgComputeInputMs: number
    avgComputeInferMs: number
    avgComputeOutputMs: number
  }
  gpu?: { avgUtilization?: number; maxMemoryUsedBytes?: number; avgPowerWatts?: number }
}

export interface ComparableRun extends BenchFigures {
  label: string
  /** Each measurement window's own figures, when the run was measured in several. */
  windows?: readonly BenchFigures[]
}

export interface BenchMetric {
  key: string
  label: string
  unit: BenchUnit
  better: BenchBetter
  /** Client figures exist for every run; server and GPU ones only where the server gives them. */
  source: 'client' | 'server' | 'gpu'
  get(figures: BenchFigures): number | undefined
}

const serverCompute = (f: BenchFigures): number | undefined =>
  f.server && f.server.avgComputeInputMs + f.server.avgComputeInferMs + f.server.avgComputeOutputMs

/** A latency exists only where something succeeded: no successes is "–", never 0 ms. */
const latency =
  (pick: (s: LatencySummary) => number) =>
  (f: BenchFigures): number | undefined =>
    f.summary.successes > 0 ? pick(f.summary) : undefined

const metric = (
  key: string,
  label: string,
  unit: BenchUnit,
  better: BenchBetter,
  get: BenchMetric['get'],
  source: BenchMetric['source'] = 'client',
): BenchMetric => ({ key, label, unit, better, source, get })

export const BENCH_METRICS: readonly BenchMetric[] = [
  metric('requests', 'Total Requests', 'count', 'none', (f) => f.summary.requests),
  metric('successes', 'Successful Requests', 'count', 'higher', (f) => f.summary.successes),
  metric('failures', 'Failed Requests', 'count', 'lower', (f) => f.summary.failures),
  metric('successRate', 'Success Rate', 'percent', 'higher', (f) => f.summary.successRate),
  metric('qps', 'QPS (Successful)', 'rps', 'higher', (f) => f.summary.throughput),
  metric(
    'p50',
    'p50',
    'ms',
    'lower',
    latency((s) => s.p50Ms),
  ),
  metric(
    'p95',
    'p95',
    'ms',
    'lower',
    latency((s) => s.p95Ms),
  ),
  metric(
    'p99',
    'p99',
    'ms',
    'lower',
    latency((s) => s.p99Ms),
  ),
  metric(
    'mean',
    'Mean',
    'ms',
    'lower',
    latency((s) => s.meanMs),
  ),
  metric(
    'min',
    'Min',
    'ms',
    'lower',
    latency((s) => s.minMs),
  ),
  metric(
    'max',
    'Max',
    'ms',
    'lower',
    latency((s) => s.maxMs),
  ),
  metric('serverQueue', 'Server queue', 'ms', 'lower', (f) => f.server?.avgQueueMs, 'server'),
  metric('serverCompute', 'Server compute', 'ms', 'lower', serverCompute, 'server'),
  // Higher utilisation can mean more work per request as easily as better use: not ranked.
  metric(
    'gpuUtilization',
    'GPU utilisation',
    'percent',
    'none',
    (f) => f.gpu?.avgUtilization,
    'gpu',
  ),
]

/** Equal within this relative margin counts as a tie. */
const TIE_MARGIN = 0.005
/** Latencies closer than this are timer noise, whatever their ratio (0.03 vs 0.034 ms is no win). */
const TIE_FLOOR_MS = 0.05

export interface MetricComparison {
  key: string
  label: string
  a?: number
  b?: number
  /** Undefined where the metric is not ranked or a value is missing. */
  winner?: 'A' | 'B' | 'tie'
  /** Larger over smaller, when both are positive and the unit is not a percentage. */
  ratio?: number
  /** |a - b|, in the metric's unit (percentage points as a 0..1 fraction). */
  difference?: number
  /** max - min over each side's windows, when both were measured in two or more. */
  spreadA?: number
  spreadB?: number
}

interface Windowed {
  mean: number
  spread: number
}

function windowed(m: BenchMetric, run: ComparableRun): Windowed | undefined {
  const values = (run.windows ?? []).flatMap((w) => {
    const v = m.get(w)
    return v === undefined ? [] : [v]
  })
  if (values.length < 2) return undefined
  const mean = values.reduce((x, y) => x + y, 0) / values.length
  return { mean, spread: Math.max(...values) - Math.min(...values) }
}

function within(m: BenchMetric, x: number, y: number): boolean {
  const floor = m.unit === 'ms' ? TIE_FLOOR_MS : 0
  return Math.abs(x - y) <= Math.max(floor, TIE_MARGIN * Math.max(Math.abs(x), Math.abs(y)))
}

const better = (m: BenchMetric, x: number, y: number): 'A' | 'B' =>
  x < y === (m.better === 'lower') ? 'A' : 'B'

function rank(m: BenchMetric, row: MetricComparison, a: ComparableRun, b: ComparableRun): void {
  const va = row.a as number
  const vb = row.b as number
  if (within(m, va, vb)) return void (row.winner = 'tie')
  const wa = windowed(m, a)
  const wb = windowed(m, b)
  if (!wa || !wb) return void (row.winner = better(m, va, vb))
  row.spreadA = wa.spread
  row.spreadB = wb.spread
  const beyondNoise = Math.abs(wa.mean - wb.mean) > wa.spread + wb.spread
  // The windows and the whole runs must agree on the direction, or it is noise after all.
  const agree = better(m, wa.mean, wb.mean) === better(m, va, vb)
  row.winner = beyondNoise && agree ? better(m, va, vb) : 'tie'
}

export function compareRuns(a: ComparableRun, b: ComparableRun): MetricComparison[] {
  return BENCH_METRICS.map((m) => {
    const va = m.get(a)
    const vb = m.get(b)
    const row: MetricComparison = { key: m.key, label: m.label, a: va, b: vb }
    if (va === undefined || vb === undefined) return row
    row.difference = Math.abs(va - vb)
    const lo = Math.min(va, vb)
    if (m.unit !== 'percent' && lo > 0) row.ratio = Math.max(va, vb) / lo
    if (m.better !== 'none') rank(m, row, a, b)
    return row
  })
}
