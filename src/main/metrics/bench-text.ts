/** Bench reports for a terminal: one run, two side by side, or a sweep as one table. */
import { benchWarnings } from '../../shared/bench-warnings'
import {
  compareCells,
  compareConclusions,
  compareHeader,
  describeRun,
  ratioLines,
  runRows,
  sideBySideTable,
  sweepTable,
} from './bench-format'
import type { BenchRun } from './bench-report'

/** Plain-text table: first column left-aligned, the rest right-aligned. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col].length)))
  const line = (cells: string[]): string =>
    cells
      .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col])))
      .join('  ')
      .trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return [line(header), rule, ...rows.map(line)].join('\n')
}

function warningLines(runs: readonly BenchRun[]): string[] {
  const warnings = runs.flatMap(benchWarnings)
  return warnings.length === 0 ? [] : ['', ...warnings.map((w) => `warning: ${w}`)]
}

/** One run as a terminal table, then its warnings. */
export function formatRunTable(run: BenchRun): string {
  return [
    describeRun(run),
    '',
    textTable(['Metric', 'Value'], runRows(run)),
    ...warningLines([run]),
    '',
  ].join('\n')
}

/** Two runs side by side with winner and ratio per metric, one-line conclusions, warnings. */
export function formatCompare(a: BenchRun, b: BenchRun): string {
  const table = textTable(compareHeader(a, b), compareCells(a, b))
  const conclusions = compareConclusions(a, b).map((l) => `- ${l}`)
  return [
    `A ${describeRun(a)}`,
    `B ${describeRun(b)}`,
    '',
    table,
    '',
    ...conclusions,
    ...warningLines([a, b]),
    '',
  ].join('\n')
}

/** Three or more runs side by side, then each one's ratio to the first on the headline metrics. */
export function formatSideBySide(runs: readonly BenchRun[]): string {
  const { header, rows } = sideBySideTable(runs)
  const letter = (i: number): string => String.fromCharCode(65 + i)
  return [
    ...runs.map((r, i) => `${letter(i)} ${describeRun(r)}`),
    '',
    textTable(header, rows),
    '',
    ...ratioLines(runs).map((l) => `- ${l}`),
    ...warningLines(runs),
    '',
  ].join('\n')
}

const HEADLINE: ReadonlySet<string> = new Set(['qps', 'p50'])

/**
 * A concurrency sweep as one table, a row per level (and per target when two are compared),
 * then for two targets each level's verdict on throughput and p50, then the warnings.
 */
export function formatSweep(runs: readonly BenchRun[]): string {
  const { header, rows } = sweepTable(runs)
  const first = runs[0]
  const labels = [...new Set(runs.map((r) => r.label))]
  const title = `${labels.join(' vs ')}: ${first.model} @ ${first.url}, concurrency sweep, ${first.durationSec} s per level, input ${first.input}`
  const verdicts: string[] = []
  if (labels.length === 2) {
    for (const level of new Set(runs.map((r) => r.concurrency))) {
      const [a, b] = labels.map((l) => runs.find((r) => r.label === l && r.concurrency === level))
      if (!a || !b) continue
      for (const line of compareConclusions(a, b, HEADLINE))
        verdicts.push(`- concurrency ${level}: ${line}`)
    }
  }
  return [
    title,
    '',
    textTable(header, rows),
    ...(verdicts.length ? ['', ...verdicts] : []),
    ...warningLines(runs),
    '',
  ].join('\n')
}
