import type { DetectionFrameEvent, LatencySummary, TranscriptEvent } from '../shared/results'

export interface Output {
  json: boolean
  tty: boolean
  write(line: string): void
}

export function mediaTime(sec: number): string {
  const m = Math.floor(sec / 60)
  const s = sec - m * 60
  return `${String(m).padStart(2, '0')}:${s.toFixed(1).padStart(4, '0')}`
}

export function transcriptLine(e: TranscriptEvent): string {
  return `[${mediaTime(e.startSec)} -> ${mediaTime(e.endSec)}] ${e.text}  (${e.latencyMs.toFixed(1)} ms)`
}

export function detectionLine(e: DetectionFrameEvent): string {
  const boxes = e.boxes
    .map(
      (b) =>
        `${b.label} ${b.score.toFixed(2)} [${b.x.toFixed(0)},${b.y.toFixed(0)} ${b.width.toFixed(0)}x${b.height.toFixed(0)}]`,
    )
    .join('  ')
  return `frame ${String(e.frame).padStart(4)} ${mediaTime(e.timeSec)}  ${e.boxes.length} box${e.boxes.length === 1 ? '' : 'es'}${boxes ? '  ' + boxes : ''}  (${e.latencyMs.toFixed(1)} ms)`
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
    ['Latency p50', `${s.p50Ms.toFixed(2)} ms`],
    ['Latency p95', `${s.p95Ms.toFixed(2)} ms`],
    ['Latency p99', `${s.p99Ms.toFixed(2)} ms`],
    ['Latency mean', `${s.meanMs.toFixed(2)} ms`],
    ['Latency min', `${s.minMs.toFixed(2)} ms`],
    ['Latency max', `${s.maxMs.toFixed(2)} ms`],
  ]
  const width = Math.max(...rows.map(([k]) => k.length))
  return [title, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n')
}
