import { toRoundedJson } from '../shared/json-numbers'
import type { DetectionFrameEvent, LatencySummary, TranscriptEvent } from '../shared/results'

export interface Output {
  json: boolean
  tty: boolean
  /** `--verbose`: every box of a frame on its own line instead of a count per label. */
  verbose?: boolean
  write(line: string): void
}

/** One JSON object per line, numbers rounded as every JSON writer of ours rounds them. */
export function jsonLine(value: unknown): string {
  return toRoundedJson(value)
}

/** Media time as mm:ss.mmm, so 30 fps frames a frame apart show different times. */
export function mediaTime(sec: number): string {
  const ms = Math.max(0, Math.round(sec * 1000))
  const m = Math.floor(ms / 60_000)
  const rest = ms - m * 60_000
  const s = Math.floor(rest / 1000)
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(rest % 1000).padStart(3, '0')}`
}

const latency = (ms: number): string => `(${ms.toFixed(1)} ms)`

export function transcriptLine(e: TranscriptEvent): string {
  return `[${mediaTime(e.startSec)} -> ${mediaTime(e.endSec)}] ${e.text}  ${latency(e.latencyMs)}`
}

/** Labels shown by name in a frame's line; the rest are summed into "+N more". */
const LABELS_SHOWN = 4

/** "3 red, 2 green": boxes per label, most frequent first, ties by name. */
function countsByLabel(boxes: DetectionFrameEvent['boxes']): string {
  const counts = new Map<string, number>()
  for (const b of boxes) counts.set(b.label, (counts.get(b.label) ?? 0) + 1)
  const sorted = [...counts].sort(([la, a], [lb, b]) => b - a || (la < lb ? -1 : 1))
  const shown = sorted.slice(0, LABELS_SHOWN).map(([label, n]) => `${n} ${label}`)
  const hidden = sorted.slice(LABELS_SHOWN).reduce((sum, [, n]) => sum + n, 0)
  return hidden > 0 ? `${shown.join(', ')}, +${hidden} more` : shown.join(', ')
}

function boxLine(b: DetectionFrameEvent['boxes'][number]): string {
  return `    ${b.label} ${b.score.toFixed(2)} [${b.x.toFixed(0)},${b.y.toFixed(0)} ${b.width.toFixed(0)}x${b.height.toFixed(0)}]`
}

/**
 * One line per frame that stays short however many boxes it has (a count per label); with
 * `verbose`, every box follows on its own indented line.
 */
export function detectionLine(e: DetectionFrameEvent, verbose = false): string {
  const n = e.boxes.length
  const counted = n > 0 ? `: ${countsByLabel(e.boxes)}` : ''
  const head = `frame ${String(e.frame).padStart(4)} ${mediaTime(e.timeSec)}  ${n} box${n === 1 ? '' : 'es'}${counted}  ${latency(e.latencyMs)}`
  return verbose && n > 0 ? [head, ...e.boxes.map(boxLine)].join('\n') : head
}

/** Latency cells read "–" when nothing succeeded: there is no latency to show, not 0 ms. */
function ms(s: LatencySummary, v: number): string {
  return s.successes === 0 ? '–' : `${v.toFixed(2)} ms`
}

/** A load-test style report: counts, success rate, throughput and latency percentiles. */
export function summaryTable(title: string, s: LatencySummary): string {
  const rows: Array<[string, string]> = [
    ['Requests', String(s.requests)],
    ['Successful', String(s.successes)],
    ['Failed', String(s.failures)],
    ['Success rate', `${(s.successRate * 100).toFixed(2)}%`],
    ['Duration', `${s.durationSec.toFixed(2)} s`],
    ['Throughput', `${s.throughput.toFixed(2)} req/s`],
    ['Latency p50', ms(s, s.p50Ms)],
    ['Latency p95', ms(s, s.p95Ms)],
    ['Latency p99', ms(s, s.p99Ms)],
    ['Latency mean', ms(s, s.meanMs)],
    ['Latency min', ms(s, s.minMs)],
    ['Latency max', ms(s, s.maxMs)],
  ]
  const width = Math.max(...rows.map(([k]) => k.length))
  return [title, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n')
}
