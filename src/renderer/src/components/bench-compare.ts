import { BENCH_METRICS, compareRuns, type BenchUnit } from '../../../shared/bench-compare'
import type { BenchRunView } from '../../../shared/ipc-contract'
import { formatMs } from './latency-stats'

/**
 * The Benchmark tab's rows. Which metrics there are, which way is better and when a
 * difference is only noise all come from src/shared/bench-compare.ts, the rules main's report
 * uses too; this module only decides how a cell reads on screen.
 */
export interface BenchRow {
  key: string
  label: string
  cells: string[]
  /** Only for two runs: the winning run's column name, 'Tie' or '–'. */
  winner?: string
  ratio?: string
  /** Only for two runs measured in windows: each side's spread, "3.1 / 4.0 ms". */
  spread?: string
}

function format(unit: BenchUnit, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–'
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

function spreadText(
  unit: BenchUnit,
  a: number | undefined,
  b: number | undefined,
): string | undefined {
  if (a === undefined || b === undefined) return undefined
  const one = (s: number): string =>
    unit === 'percent' ? `${(s * 100).toFixed(1)} pp` : unit === 'ms' ? formatMs(s) : s.toFixed(2)
  return `${one(a)} / ${one(b)}${unit === 'ms' ? ' ms' : ''}`
}

export function benchRows(runs: readonly BenchRunView[]): BenchRow[] {
  const names = runNames(runs)
  const comparison = runs.length === 2 ? compareRuns(runs[0], runs[1]) : undefined
  return BENCH_METRICS.flatMap((d, i) => {
    const values = runs.map((r) => d.get(r))
    // A server without statistics or GPUs has no such rows; a latency without successes is '–'.
    if (d.source !== 'client' && values.every((v) => v === undefined)) return []
    const row: BenchRow = {
      key: d.key,
      label: d.label,
      cells: values.map((v) => format(d.unit, v)),
    }
    const c = comparison?.[i]
    if (!c) return [row]
    row.winner = c.winner === 'A' ? names[0] : c.winner === 'B' ? names[1] : c.winner ? 'Tie' : '–'
    if (c.ratio !== undefined) row.ratio = `${c.ratio.toFixed(2)}×`
    row.spread = spreadText(d.unit, c.spreadA, c.spreadB)
    return [row]
  })
}
