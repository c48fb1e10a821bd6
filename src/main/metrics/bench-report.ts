/**
 * Bench reports as files: Markdown (one run, a comparison, a sweep, or runs side by side), CSV
 * in perf_analyzer's columns, and JSON. Pure and deterministic, like the cells they are built
 * from (bench-format.ts).
 */
import { compareRuns } from '../../shared/bench-compare'
import { benchWarnings, describeFailures, type BenchLoadFacts } from '../../shared/bench-warnings'
import { roundJsonNumber } from '../../shared/json-numbers'
import type { RequestOutcome } from '../../shared/session-summary'
import {
  compareCells,
  compareConclusions,
  compareHeader,
  isSweep,
  NONE,
  loadOf,
  namesOf,
  ratioLines,
  runRows,
  sideBySideTable,
  sweepTable,
} from './bench-format'
import type { ServerTimeBreakdown } from './statistics-delta'

/** One window's own figures, kept when a run was measured in several. */
export interface BenchWindow {
  summary: BenchRun['summary']
  server?: ServerTimeBreakdown
  gpu?: BenchRun['gpu']
}

export interface BenchRun extends BenchLoadFacts {
  label: string
  url: string
  /** How the requests travelled: 'gRPC stream', 'HTTP + shm', 'OpenAI HTTP'. */
  transport?: string
  model: string
  mode: 'rate' | 'concurrency'
  rate?: number
  concurrency?: number
  /** Measured time at this load, all windows together. */
  durationSec: number
  /** What was sent: a file name or a description of generated data. */
  input: string
  /** Every request by how it ended, as sessions count them. */
  outcomes?: Record<RequestOutcome, number>
  /** Responses that matched no request sent (no id, or an unknown one); never counted as answers. */
  unmatched?: number
  server?: ServerTimeBreakdown
  windows?: BenchWindow[]
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

function conditionsTable(runs: readonly BenchRun[], names: string[]): string {
  const row = (label: string, f: (r: BenchRun) => string): string[] => [label, ...runs.map(f)]
  return markdownTable(
    ['Condition', ...names],
    [
      row('URL', (r) => r.url),
      row('Transport', (r) => r.transport ?? NONE),
      row('Model', (r) => r.model),
      row('Load', loadOf),
      row(
        'Duration',
        (r) => `${r.durationSec} s${r.windows ? ` (${r.windows.length} windows)` : ''}`,
      ),
      row('Input', (r) => r.input),
    ],
  )
}

function warningsSection(runs: readonly BenchRun[]): string[] {
  const warnings = runs.flatMap(benchWarnings)
  return warnings.length === 0 ? [] : ['## Warnings', '', ...warnings.map((w) => `- ${w}`), '']
}

function comparisonMarkdown(a: BenchRun, b: BenchRun): string[] {
  const names = namesOf(a, b)
  return [
    `# Benchmark: ${names[0]} vs ${names[1]}`,
    '',
    '## Test conditions',
    '',
    conditionsTable([a, b], names),
    '',
    ...warningsSection([a, b]),
    '## Results',
    '',
    markdownTable(compareHeader(a, b), compareCells(a, b)),
    '',
    '## Conclusions',
    '',
    ...compareConclusions(a, b).map((l) => `- ${l}`),
    '',
  ]
}

/** A Markdown report: one run, a two-run comparison, a sweep, or several runs side by side. */
export function toMarkdown(runs: BenchRun[]): string {
  if (runs.length === 0) throw new RangeError('toMarkdown needs at least one run')
  if (runs.length === 2 && !isSweep(runs)) return comparisonMarkdown(runs[0], runs[1]).join('\n')
  const names = runs.map((r, i) => r.label.trim() || `Run ${i + 1}`)
  const table = (t: { header: string[]; rows: string[][] }): string =>
    markdownTable(t.header, t.rows)
  const sideBySide = !isSweep(runs) && runs.length > 1
  const results = isSweep(runs)
    ? table(sweepTable(runs))
    : runs.length === 1
      ? markdownTable(['Metric', 'Value'], runRows(runs[0]))
      : table(sideBySideTable(runs))
  return [
    `# Benchmark: ${[...new Set(names)].join(', ')}`,
    '',
    '## Test conditions',
    '',
    isSweep(runs) ? conditionsTable([runs[0]], [names[0]]) : conditionsTable(runs, names),
    '',
    ...warningsSection(runs),
    '## Results',
    '',
    results,
    '',
    ...(sideBySide
      ? ['## Ratios to the first column', '', ...ratioLines(runs).map((l) => `- ${l}`), '']
      : []),
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
    ['Transport', (r) => r.transport],
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
    ['Failures by Cause', (r) => describeFailures(r.failuresByCause)],
    ['Inferences/Second', (r) => r.summary.throughput],
    ['Sent Rate', (r) => r.sentRate],
    ['Answered Rate', (r) => r.answeredRate],
    ['Late Sends', (r) => r.lateSends],
    ['Windows', (r) => r.windows?.length],
    ['Avg latency', (r) => latencyUs(r, r.summary.meanMs)],
    ['p50 latency', (r) => latencyUs(r, r.summary.p50Ms)],
    ['p95 latency', (r) => latencyUs(r, r.summary.p95Ms)],
    ['p99 latency', (r) => latencyUs(r, r.summary.p99Ms)],
    ['Min latency', (r) => latencyUs(r, r.summary.minMs)],
    ['Max latency', (r) => latencyUs(r, r.summary.maxMs)],
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

/** No successes, no latency: an empty cell rather than a 0 that reads as instant. */
const latencyUs = (r: BenchRun, ms: number): number | undefined =>
  r.summary.successes > 0 ? us(ms) : undefined

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
 * Sorted keys, so the JSON is the same whatever order a run's fields were set in, and numbers
 * rounded as every JSON writer of ours rounds them (ms to 0.01), so no float noise leaks out.
 */
function canonical(key: string, value: unknown): unknown {
  if (typeof value === 'number') return roundJsonNumber(key, value)
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  return Object.fromEntries(Object.entries(value).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
}

/** The runs as JSON with their warnings, plus the per-metric comparison when there are two. */
export function toJson(runs: BenchRun[]): string {
  const report = {
    format: 'triton-live-bench',
    version: 2,
    runs,
    warnings: runs.flatMap(benchWarnings),
    ...(runs.length === 2 && !isSweep(runs) ? { comparison: compareRuns(runs[0], runs[1]) } : {}),
  }
  return `${JSON.stringify(report, canonical, 2)}\n`
}
