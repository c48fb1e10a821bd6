/**
 * Reports for `triton-live bench`: one run as a table, or two runs side by side with a winner
 * per metric. Pure and deterministic (no locale, no clock), so the CLI, the app's export and
 * the tests produce the same text for the same runs.
 */
import type { LatencySummary } from '../../shared/results'
import type { ServerTimeBreakdown } from './statistics-delta'

export interface BenchRun {
  label: string
  url: string
  model: string
  mode: 'rate' | 'concurrency'
  rate?: number
  concurrency?: number
  durationSec: number
  /** What was sent: a file name or a description of generated data. */
  input: string
  summary: LatencySummary
  server?: ServerTimeBreakdown
  gpu?: { avgUtilization?: number; maxMemoryUsedBytes?: number; avgPowerWatts?: number }
}

type Unit = 'count' | 'percent' | 'rps' | 'ms'
/** `none`: shown side by side but not ranked (more load or more requests is not "better"). */
type Better = 'lower' | 'higher' | 'none'

interface MetricDef {
  key: string
  label: string
  unit: Unit
  better: Better
  get: (run: BenchRun) => number | undefined
}

const serverCompute = (s: ServerTimeBreakdown | undefined): number | undefined =>
  s && s.avgComputeInputMs + s.avgComputeInferMs + s.avgComputeOutputMs

const metric = (
  key: string,
  label: string,
  unit: Unit,
  better: Better,
  get: MetricDef['get'],
): MetricDef => ({ key, label, unit, better, get })

const METRICS: readonly MetricDef[] = [
  metric('requests', 'Total Requests', 'count', 'none', (r) => r.summary.requests),
  metric('successes', 'Successful Requests', 'count', 'higher', (r) => r.summary.successes),
  metric('failures', 'Failed Requests', 'count', 'lower', (r) => r.summary.failures),
  metric('successRate', 'Success Rate', 'percent', 'higher', (r) => r.summary.successRate),
  metric('qps', 'QPS (Successful)', 'rps', 'higher', (r) => r.summary.throughput),
  metric('p50', 'p50', 'ms', 'lower', (r) => r.summary.p50Ms),
  metric('p95', 'p95', 'ms', 'lower', (r) => r.summary.p95Ms),
  metric('p99', 'p99', 'ms', 'lower', (r) => r.summary.p99Ms),
  metric('mean', 'Mean', 'ms', 'lower', (r) => r.summary.meanMs),
  metric('min', 'Min', 'ms', 'lower', (r) => r.summary.minMs),
  metric('max', 'Max', 'ms', 'lower', (r) => r.summary.maxMs),
  metric('serverQueue', 'Server queue', 'ms', 'lower', (r) => r.server?.avgQueueMs),
  metric('serverCompute', 'Server compute', 'ms', 'lower', (r) => serverCompute(r.server)),
  // Higher utilisation can mean more work per request as easily as better use: not ranked.
  metric('gpuUtilization', 'GPU utilisation', 'percent', 'none', (r) => r.gpu?.avgUtilization),
]

/** Metrics that get a one-line conclusion in a comparison. */
const CONCLUDED: ReadonlySet<string> = new Set(
  'successRate qps p50 p95 p99 mean serverQueue serverCompute gpuUtilization'.split(' '),
)

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
}

export function compareRuns(a: BenchRun, b: BenchRun): MetricComparison[] {
  return METRICS.map((m) => {
    const va = m.get(a)
    const vb = m.get(b)
    const row: MetricComparison = { key: m.key, label: m.label, a: va, b: vb }
    if (va === undefined || vb === undefined) return row
    row.difference = Math.abs(va - vb)
    const lo = Math.min(va, vb)
    if (m.unit !== 'percent' && lo > 0) row.ratio = Math.max(va, vb) / lo
    if (m.better === 'none') return row
    const floor = m.unit === 'ms' ? TIE_FLOOR_MS : 0
    if (row.difference <= Math.max(floor, TIE_MARGIN * Math.max(Math.abs(va), Math.abs(vb)))) {
      row.winner = 'tie'
    } else row.winner = va < vb === (m.better === 'lower') ? 'A' : 'B'
    return row
  })
}

/** Fixed decimals, rounding half away from zero (plain toFixed misrounds 1.005). */
function fixed(x: number, digits: number): string {
  const f = 10 ** digits
  const r = Math.round(Math.abs(x) * f * (1 + Number.EPSILON)) / f
  return (r === 0 ? 0 : Math.sign(x) * r).toFixed(digits)
}

function formatValue(unit: Unit, v: number | undefined): string {
  if (v === undefined) return 'n/a'
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

function formatDifference(unit: Unit, c: MetricComparison): string {
  if (c.difference === undefined) return '-'
  const diff =
    unit === 'percent' ? `${fixed(c.difference * 100, 2)} pp` : formatValue(unit, c.difference)
  return c.ratio === undefined ? diff : `${fixed(c.ratio, 2)}x (${diff})`
}

/** Column names for two runs; identical labels get an A/B suffix so winners stay readable. */
function namesOf(a: BenchRun, b: BenchRun): [string, string] {
  const la = a.label.trim() || 'A'
  const lb = b.label.trim() || 'B'
  return la === lb ? [`${la} (A)`, `${lb} (B)`] : [la, lb]
}

function loadOf(run: BenchRun): string {
  if (run.mode === 'rate') return run.rate === undefined ? 'rate' : `${run.rate} req/s`
  return run.concurrency === undefined ? 'concurrency' : `concurrency ${run.concurrency}`
}

function compareCells(a: BenchRun, b: BenchRun): string[][] {
  const [na, nb] = namesOf(a, b)
  return compareRuns(a, b).map((c, i) => {
    const unit = METRICS[i].unit
    const winner = c.winner === 'A' ? na : c.winner === 'B' ? nb : c.winner === 'tie' ? 'Tie' : '-'
    return [
      c.label,
      formatValue(unit, c.a),
      formatValue(unit, c.b),
      winner,
      formatDifference(unit, c),
    ]
  })
}

/** One line per headline metric, e.g. "p50: B is 2.33x faster than A (3183.08 ms vs 7418.89 ms)". */
export function compareConclusions(a: BenchRun, b: BenchRun): string[] {
  const names = namesOf(a, b)
  const lines: string[] = []
  compareRuns(a, b).forEach((c, i) => {
    const m = METRICS[i]
    if (!CONCLUDED.has(c.key) || c.a === undefined || c.b === undefined) return
    const pair = `${formatValue(m.unit, c.a)} vs ${formatValue(m.unit, c.b)}`
    if (m.better === 'none') {
      lines.push(
        `${c.label}: ${names[0]} ${formatValue(m.unit, c.a)}, ${names[1]} ${formatValue(m.unit, c.b)} (not ranked)`,
      )
      return
    }
    if (c.winner === 'tie') {
      lines.push(`${c.label}: tie (${pair})`)
      return
    }
    const [win, lose] = c.winner === 'A' ? names : [names[1], names[0]]
    const [winV, loseV] = c.winner === 'A' ? [c.a, c.b] : [c.b, c.a]
    const by = c.ratio === undefined ? '' : ` ${fixed(c.ratio, 2)}x`
    const verb = m.unit === 'ms' ? 'faster than' : m.unit === 'rps' ? 'higher than' : 'better than'
    const values = `${formatValue(m.unit, winV)} vs ${formatValue(m.unit, loseV)}`
    lines.push(`${c.label}: ${win} is${by} ${verb} ${lose} (${values})`)
  })
  return lines
}

/** Plain-text table: first column left-aligned, the rest right-aligned. */
function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col].length)))
  const line = (cells: string[]): string =>
    cells
      .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col])))
      .join('  ')
      .trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return [line(header), rule, ...rows.map(line)].join('\n')
}

const escapeMd = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|')

function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map(escapeMd).join(' | ')} |`
  const bold = (cells: string[]): string[] => [`**${cells[0]}**`, ...cells.slice(1)]
  return [
    line(header),
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => line(bold(r))),
  ].join('\n')
}

function runRows(run: BenchRun): string[][] {
  const row = (m: MetricDef): string[] => [m.label, formatValue(m.unit, m.get(run))]
  const rows = METRICS.filter((m) => m.key !== 'gpuUtilization').map(row)
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
  rows.push(...METRICS.filter((m) => m.key === 'gpuUtilization').map(row))
  if (run.gpu?.maxMemoryUsedBytes !== undefined) {
    rows.push(['GPU memory (max)', `${fixed(run.gpu.maxMemoryUsedBytes / 2 ** 20, 1)} MiB`])
  }
  if (run.gpu?.avgPowerWatts !== undefined) {
    rows.push(['GPU power (avg)', `${fixed(run.gpu.avgPowerWatts, 1)} W`])
  }
  return rows
}

const describeRun = (run: BenchRun): string =>
  `${run.label}: ${run.model} @ ${run.url}, ${loadOf(run)}, ${run.durationSec} s, input ${run.input}`

/** One run as a terminal table. */
export function formatRunTable(run: BenchRun): string {
  return `${describeRun(run)}\n\n${textTable(['Metric', 'Value'], runRows(run))}\n`
}

/** Two runs side by side with winner and ratio per metric, then one-line conclusions. */
export function formatCompare(a: BenchRun, b: BenchRun): string {
  const [na, nb] = namesOf(a, b)
  const table = textTable(['Metric', na, nb, 'Winner', 'Ratio/Difference'], compareCells(a, b))
  const conclusions = compareConclusions(a, b).map((l) => `- ${l}`)
  return [`A ${describeRun(a)}`, `B ${describeRun(b)}`, '', table, '', ...conclusions, ''].join(
    '\n',
  )
}

function conditionsTable(runs: BenchRun[], names: string[]): string {
  const row = (label: string, f: (r: BenchRun) => string): string[] => [label, ...runs.map(f)]
  return markdownTable(
    ['Condition', ...names],
    [
      row('URL', (r) => r.url),
      row('Model', (r) => r.model),
      row('Load', loadOf),
      row('Duration', (r) => `${r.durationSec} s`),
      row('Input', (r) => r.input),
    ],
  )
}

/** A Markdown report: one run, a two-run comparison, or several runs side by side. */
export function toMarkdown(runs: BenchRun[]): string {
  if (runs.length === 0) throw new RangeError('toMarkdown needs at least one run')
  if (runs.length === 2) {
    const [a, b] = runs
    const names = namesOf(a, b)
    return [
      `# Benchmark: ${names[0]} vs ${names[1]}`,
      '',
      '## Test conditions',
      '',
      conditionsTable(runs, names),
      '',
      '## Results',
      '',
      markdownTable(['Metric', ...names, 'Winner', 'Ratio/Difference'], compareCells(a, b)),
      '',
      '## Conclusions',
      '',
      ...compareConclusions(a, b).map((l) => `- ${l}`),
      '',
    ].join('\n')
  }
  const names = runs.map((r, i) => r.label.trim() || `Run ${i + 1}`)
  const rows = METRICS.map((m) => [m.label, ...runs.map((r) => formatValue(m.unit, m.get(r)))])
  return [
    `# Benchmark: ${names.join(', ')}`,
    '',
    '## Test conditions',
    '',
    conditionsTable(runs, names),
    '',
    '## Results',
    '',
    runs.length === 1
      ? markdownTable(['Metric', 'Value'], runRows(runs[0]))
      : markdownTable(['Metric', ...names], rows),
    '',
  ].join('\n')
}

/**
 * Latency and server columns are in microseconds and named as in perf_analyzer's `-f` CSV
 * (plus `--verbose-csv`'s "Avg latency"), so tools that read those files can read these.
 */
const CSV_COLUMNS: ReadonlyArray<readonly [string, (r: BenchRun) => string | number | undefined]> =
  [
    ['Label', (r) => r.label],
    ['URL', (r) => r.url],
    ['Model', (r) => r.model],
    ['Input', (r) => r.input],
    ['Mode', (r) => r.mode],
    ['Concurrency', (r) => r.concurrency],
    ['Request Rate', (r) => r.rate],
    ['Duration (s)', (r) => r.durationSec],
    ['Request Count', (r) => r.summary.requests],
    ['Successful Requests', (r) => r.summary.successes],
    ['Failed Requests', (r) => r.summary.failures],
    ['Success Rate', (r) => r.summary.successRate],
    ['Inferences/Second', (r) => r.summary.throughput],
    ['Avg latency', (r) => us(r.summary.meanMs)],
    ['p50 latency', (r) => us(r.summary.p50Ms)],
    ['p95 latency', (r) => us(r.summary.p95Ms)],
    ['p99 latency', (r) => us(r.summary.p99Ms)],
    ['Min latency', (r) => us(r.summary.minMs)],
    ['Max latency', (r) => us(r.summary.maxMs)],
    ['Server Queue', (r) => us(r.server?.avgQueueMs)],
    ['Server Compute Input', (r) => us(r.server?.avgComputeInputMs)],
    ['Server Compute Infer', (r) => us(r.server?.avgComputeInferMs)],
    ['Server Compute Output', (r) => us(r.server?.avgComputeOutputMs)],
    ['Server Request', (r) => us(r.server?.avgServerMs)],
    ['Avg GPU Utilization', (r) => r.gpu?.avgUtilization],
    ['Max GPU Memory Usage', (r) => r.gpu?.maxMemoryUsedBytes],
    ['Avg GPU Power Usage', (r) => r.gpu?.avgPowerWatts],
  ]

function us(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms * 1000)
}

function csvField(v: string | number | undefined): string {
  if (v === undefined) return ''
  // Six decimals are more than any figure here carries and hide float noise like 0.1+0.2.
  const s = typeof v === 'number' ? String(Number(v.toFixed(6))) : v
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** A header line, then one line per run. */
export function toCsv(runs: BenchRun[]): string {
  const lines = [CSV_COLUMNS.map(([name]) => csvField(name)).join(',')]
  for (const run of runs) lines.push(CSV_COLUMNS.map(([, get]) => csvField(get(run))).join(','))
  return `${lines.join('\n')}\n`
}

/**
 * Sorted keys, so the JSON is the same whatever order a run's fields were set in, and 12
 * significant digits, so float noise (10 - 9.4 = 0.5999999999999996) does not leak out.
 */
function canonical(_key: string, value: unknown): unknown {
  if (typeof value === 'number')
    return Number.isInteger(value) ? value : Number(value.toPrecision(12))
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  return Object.fromEntries(Object.entries(value).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
}

/** The runs as JSON, plus the per-metric comparison when there are exactly two. */
export function toJson(runs: BenchRun[]): string {
  const report = {
    format: 'triton-live-bench',
    version: 1,
    runs,
    ...(runs.length === 2 ? { comparison: compareRuns(runs[0], runs[1]) } : {}),
  }
  return `${JSON.stringify(report, canonical, 2)}\n`
}
