/**
 * The cells of every bench report (terminal, Markdown): values with their units, winners and
 * ratios, one-line conclusions and the sweep's rows. Pure and deterministic (no locale, no
 * clock), so the CLI, the app's export and the tests produce the same text for the same runs.
 */
import {
  BENCH_METRICS,
  compareRuns,
  type BenchMetric,
  type BenchUnit,
  type MetricComparison,
} from '../../shared/bench-compare'
import type { BenchRun } from './bench-report'

/** Shown where there is no value: no successes (so no latency), or no server figures. */
export const NONE = '–'

/** Metrics that get a one-line conclusion in a comparison. */
const CONCLUDED: ReadonlySet<string> = new Set(
  'successRate qps p50 p95 p99 mean serverQueue serverCompute gpuUtilization'.split(' '),
)

/** Fixed decimals, rounding half away from zero (plain toFixed misrounds 1.005). */
export function fixed(x: number, digits: number): string {
  const f = 10 ** digits
  const r = Math.round(Math.abs(x) * f * (1 + Number.EPSILON)) / f
  return (r === 0 ? 0 : Math.sign(x) * r).toFixed(digits)
}

export function formatValue(unit: BenchUnit, v: number | undefined): string {
  if (v === undefined) return NONE
  switch (unit) {
    case 'count':
      return String(Math.round(v))
    case 'percent':
      return `${fixed(v * 100, 2)}%`
    case 'rps':
      return `${fixed(v, 2)} req/s`
    case 'ms':
      return `${fixed(v, 2)} ms`
  }
}

function formatDifference(unit: BenchUnit, c: MetricComparison): string {
  if (c.difference === undefined) return NONE
  const diff =
    unit === 'percent' ? `${fixed(c.difference * 100, 2)} pp` : formatValue(unit, c.difference)
  return c.ratio === undefined ? diff : `${fixed(c.ratio, 2)}x (${diff})`
}

function formatSpread(unit: BenchUnit, c: MetricComparison): string {
  if (c.spreadA === undefined || c.spreadB === undefined) return NONE
  const one = (s: number): string =>
    unit === 'percent' ? `${fixed(s * 100, 2)} pp` : formatValue(unit, s)
  return `${one(c.spreadA)} / ${one(c.spreadB)}`
}

/** Column names for two runs; identical labels get an A/B suffix so winners stay readable. */
export function namesOf(a: BenchRun, b: BenchRun): [string, string] {
  const la = a.label.trim() || 'A'
  const lb = b.label.trim() || 'B'
  return la === lb ? [`${la} (A)`, `${lb} (B)`] : [la, lb]
}

export function loadOf(run: BenchRun): string {
  if (run.mode === 'rate') return run.rate === undefined ? 'rate' : `${run.rate} req/s`
  return run.concurrency === undefined ? 'concurrency' : `concurrency ${run.concurrency}`
}

const windowsOf = (run: BenchRun): string =>
  run.windows && run.windows.length > 1 ? ` in ${run.windows.length} windows` : ''

export const describeRun = (run: BenchRun): string =>
  `${run.label}: ${run.model} @ ${run.url}${run.transport ? ` over ${run.transport}` : ''}, ${loadOf(run)}, ${run.durationSec} s${windowsOf(run)}, input ${run.input}`

/** Whether both runs were measured in windows, so the comparison shows each side's spread. */
export const hasSpread = (a: BenchRun, b: BenchRun): boolean =>
  (a.windows?.length ?? 0) > 1 && (b.windows?.length ?? 0) > 1

export function compareCells(a: BenchRun, b: BenchRun): string[][] {
  const [na, nb] = namesOf(a, b)
  const spread = hasSpread(a, b)
  return compareRuns(a, b).map((c, i) => {
    const unit = BENCH_METRICS[i].unit
    const winner = c.winner === 'A' ? na : c.winner === 'B' ? nb : c.winner === 'tie' ? 'Tie' : NONE
    const cells = [c.label, formatValue(unit, c.a), formatValue(unit, c.b), winner]
    cells.push(formatDifference(unit, c))
    if (spread) cells.push(formatSpread(unit, c))
    return cells
  })
}

export function compareHeader(a: BenchRun, b: BenchRun): string[] {
  const header = ['Metric', ...namesOf(a, b), 'Winner', 'Ratio/Difference']
  return hasSpread(a, b) ? [...header, 'Spread (A / B)'] : header
}

function conclusion(m: BenchMetric, c: MetricComparison, names: [string, string]): string {
  const [va, vb] = [c.a as number, c.b as number]
  const pair = `${formatValue(m.unit, va)} vs ${formatValue(m.unit, vb)}`
  if (m.better === 'none') {
    return `${c.label}: ${names[0]} ${formatValue(m.unit, va)}, ${names[1]} ${formatValue(m.unit, vb)} (not ranked)`
  }
  if (c.winner === 'tie') {
    const noise =
      c.spreadA !== undefined && c.spreadB !== undefined && !(c.difference === 0)
        ? `; within the windows' spread`
        : ''
    return `${c.label}: tie (${pair}${noise})`
  }
  const [win, lose] = c.winner === 'A' ? names : [names[1], names[0]]
  const [winV, loseV] = c.winner === 'A' ? [va, vb] : [vb, va]
  const by = c.ratio === undefined ? '' : ` ${fixed(c.ratio, 2)}x`
  const verb = m.unit === 'ms' ? 'faster than' : m.unit === 'rps' ? 'higher than' : 'better than'
  const values = `${formatValue(m.unit, winV)} vs ${formatValue(m.unit, loseV)}`
  return `${c.label}: ${win} is${by} ${verb} ${lose} (${values})`
}

/** One line per headline metric, e.g. "p50: B is 2.33x faster than A (3183.08 ms vs 7418.89 ms)". */
export function compareConclusions(a: BenchRun, b: BenchRun, keys = CONCLUDED): string[] {
  const names = namesOf(a, b)
  return compareRuns(a, b).flatMap((c, i) =>
    keys.has(c.key) && c.a !== undefined && c.b !== undefined
      ? [conclusion(BENCH_METRICS[i], c, names)]
      : [],
  )
}

/** Every figure of one run as (label, value) rows. */
export function runRows(run: BenchRun): string[][] {
  const row = (m: BenchMetric): string[] => [m.label, formatValue(m.unit, m.get(run))]
  const rows = BENCH_METRICS.filter((m) => m.key !== 'gpuUtilization').map(row)
  if (run.mode === 'rate' && run.answeredRate !== undefined) {
    rows.splice(5, 0, ['Answered rate', formatValue('rps', run.answeredRate)])
  }
  const s = run.server
  if (s) {
    rows.push(
      ['Server compute input', formatValue('ms', s.avgComputeInputMs)],
      ['Server compute infer', formatValue('ms', s.avgComputeInferMs)],
      ['Server compute output', formatValue('ms', s.avgComputeOutputMs)],
      ['Server request (total)', formatValue('ms', s.avgServerMs)],
      ['Server avg batch', fixed(s.avgBatch, 2)],
    )
  }
  rows.push(...BENCH_METRICS.filter((m) => m.key === 'gpuUtilization').map(row))
  if (run.gpu?.maxMemoryUsedBytes !== undefined) {
    rows.push(['GPU memory (max)', `${fixed(run.gpu.maxMemoryUsedBytes / 2 ** 20, 1)} MiB`])
  }
  if (run.gpu?.avgPowerWatts !== undefined) {
    rows.push(['GPU power (avg)', `${fixed(run.gpu.avgPowerWatts, 1)} W`])
  }
  return rows
}

/** Metrics whose ratio to the first run a side-by-side report of three or more runs gives. */
const RATIOS = ['qps', 'p50', 'p95', 'p99', 'mean']

/**
 * For three or more runs: each headline metric of every run as a ratio to the first run's,
 * e.g. "QPS (Successful), of gRPC stream's 27.50 req/s: gRPC unary 0.52x, HTTP 0.99x".
 */
export function ratioLines(runs: readonly BenchRun[]): string[] {
  const [first, ...rest] = runs
  const name = (r: BenchRun, i: number): string => r.label.trim() || `Run ${i + 1}`
  return RATIOS.flatMap((key) => {
    const m = BENCH_METRICS.find((x) => x.key === key) as BenchMetric
    const base = m.get(first)
    if (base === undefined || !(base > 0)) return []
    const parts = rest.map((r, i) => {
      const v = m.get(r)
      return `${name(r, i + 1)} ${v === undefined ? NONE : `${fixed(v / base, 2)}x`}`
    })
    return [`${m.label}, of ${name(first, 0)}'s ${formatValue(m.unit, base)}: ${parts.join(', ')}`]
  })
}

/** Several runs (not a sweep) as one table: a row per metric, a column per run. */
export function sideBySideTable(runs: readonly BenchRun[]): { header: string[]; rows: string[][] } {
  const names = runs.map((r, i) => r.label.trim() || `Run ${i + 1}`)
  const columns = runs.map(runRows)
  return {
    header: ['Metric', ...names],
    rows: columns[0].map((row, i) => [row[0], ...columns.map((c) => c[i]?.[1] ?? NONE)]),
  }
}

/** A concurrency sweep: several levels of one kind of load. */
export function isSweep(runs: readonly BenchRun[]): boolean {
  return (
    runs.length > 1 &&
    runs.every((r) => r.mode === 'concurrency') &&
    new Set(runs.map((r) => r.concurrency)).size > 1
  )
}

const SWEEP_METRICS = ['requests', 'failures', 'qps', 'p50', 'p95', 'p99', 'mean', 'serverQueue']

/** perf_analyzer's layout: a row per level (and target) with throughput and latency. */
export function sweepTable(runs: readonly BenchRun[]): { header: string[]; rows: string[][] } {
  const targets = new Set(runs.map((r) => r.label)).size
  const metrics = SWEEP_METRICS.map((k) => BENCH_METRICS.find((m) => m.key === k) as BenchMetric)
  const compute = BENCH_METRICS.find((m) => m.key === 'serverCompute') as BenchMetric
  const header = ['Concurrency', ...(targets > 1 ? ['Target'] : [])]
  header.push(...metrics.map((m) => m.label), compute.label)
  const rows = runs.map((r) => [
    String(r.concurrency ?? ''),
    ...(targets > 1 ? [r.label] : []),
    ...[...metrics, compute].map((m) => formatValue(m.unit, m.get(r))),
  ])
  return { header, rows }
}
