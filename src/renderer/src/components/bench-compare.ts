import type { BenchRunView } from '../../../shared/ipc-contract'
import { formatMs } from './latency-stats'

type Better = 'lower' | 'higher' | 'none'
type Unit = 'count' | 'percent' | 'rps' | 'ms'

interface MetricDef {
  key: string
  label: string
  unit: Unit
  better: Better
  get(run: BenchRunView): number | undefined
}

const compute = (r: BenchRunView): number | undefined =>
  r.server && r.server.avgComputeInputMs + r.server.avgComputeInferMs + r.server.avgComputeOutputMs

const m = (
  key: string,
  label: string,
  unit: Unit,
  better: Better,
  get: MetricDef['get'],
): MetricDef => ({ key, label, unit, better, get })

/**
 * The same metrics, and the same sense of "better", as the report main writes: a mirror of
 * METRICS, TIE_MARGIN and TIE_FLOOR_MS in src/main/metrics/bench-report.ts (compareRuns), which
 * the renderer cannot import. Change both together; the e2e compare test checks that the
 * panel's winner matches the saved report's.
 */
export const BENCH_METRICS: readonly MetricDef[] = [
  m('requests', 'Requests', 'count', 'none', (r) => r.summary.requests),
  m('successes', 'Successful', 'count', 'higher', (r) => r.summary.successes),
  m('failures', 'Failed', 'count', 'lower', (r) => r.summary.failures),
  m('successRate', 'Success rate', 'percent', 'higher', (r) => r.summary.successRate),
  m('throughput', 'Throughput', 'rps', 'higher', (r) => r.summary.throughput),
  m('p50', 'p50', 'ms', 'lower', (r) => r.summary.p50Ms),
  m('p95', 'p95', 'ms', 'lower', (r) => r.summary.p95Ms),
  m('p99', 'p99', 'ms', 'lower', (r) => r.summary.p99Ms),
  m('mean', 'Mean', 'ms', 'lower', (r) => r.summary.meanMs),
  m('min', 'Min', 'ms', 'lower', (r) => r.summary.minMs),
  m('max', 'Max', 'ms', 'lower', (r) => r.summary.maxMs),
  m('serverQueue', 'Server queue', 'ms', 'lower', (r) => r.server?.avgQueueMs),
  m('serverCompute', 'Server compute', 'ms', 'lower', compute),
  // More utilisation can mean more work per request as easily as better use: not ranked.
  m('gpuUtilization', 'GPU utilisation', 'percent', 'none', (r) => r.gpu?.avgUtilization),
]

/** Equal within half a percent counts as a tie, as in main's report. */
const TIE_MARGIN = 0.005
/** …and times closer than this are noise, however small both are (a 0.02 ms queue). */
const TIE_FLOOR_MS = 0.05

export interface BenchRow {
  key: string
  label: string
  cells: string[]
  /** Only for two runs: the winning run's column name, 'Tie' or '–'. */
  winner?: string
  ratio?: string
}

function format(unit: Unit, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a'
  switch (unit) {
    case 'count':
      return String(Math.round(v))
    case 'percent':
      return `${(v * 100).toFixed(1)}%`
    case 'rps':
      return `${v.toFixed(2)} req/s`
    case 'ms':
      return `${formatMs(v)} ms`
  }
}

/** Column names: run labels, with A/B added when both are the same. */
export function runNames(runs: readonly BenchRunView[]): string[] {
  const labels = runs.map((r) => r.label)
  return labels.length === 2 && labels[0] === labels[1]
    ? [`${labels[0]} (A)`, `${labels[1]} (B)`]
    : labels
}

export function benchRows(runs: readonly BenchRunView[]): BenchRow[] {
  const names = runNames(runs)
  return BENCH_METRICS.filter((d) => runs.some((r) => d.get(r) !== undefined)).map((d) => {
    const values = runs.map((r) => d.get(r))
    const row: BenchRow = {
      key: d.key,
      label: d.label,
      cells: values.map((v) => format(d.unit, v)),
    }
    if (runs.length !== 2) return row
    const [a, b] = values
    row.winner = '–'
    if (a === undefined || b === undefined) return row
    const lo = Math.min(a, b)
    if (d.unit !== 'percent' && lo > 0) row.ratio = `${(Math.max(a, b) / lo).toFixed(2)}×`
    if (d.better === 'none') return row
    const floor = d.unit === 'ms' ? TIE_FLOOR_MS : 0
    if (Math.abs(a - b) <= Math.max(floor, TIE_MARGIN * Math.max(Math.abs(a), Math.abs(b))))
      row.winner = 'Tie'
    else row.winner = a < b === (d.better === 'lower') ? names[0] : names[1]
    return row
  })
}
