import type { DetectionFrameEvent, RequestErrorEvent, TranscriptEvent } from '../shared/results'
import { OUTCOME_LABELS, REQUEST_OUTCOMES, type SessionSummary } from '../shared/session-summary'
import { MAX_LABEL_CHARS, MAX_TRANSCRIPT_CHARS } from '../shared/limits'
import { safeJson, safeLine, safeText } from '../shared/safe-text'

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

// Everything below that prints a server's text (transcripts, labels, errors, names) passes it
// through safe-text: a transcript must not be able to clear the screen or write the clipboard.

/** The last guard before stdout: escape sequences and controls out, line breaks kept. */
export function terminalText(text: string): string {
  return safeText(text)
}

export function transcriptLine(e: TranscriptEvent): string {
  return `[${mediaTime(e.startSec)} -> ${mediaTime(e.endSec)}] ${safeLine(e.text, MAX_TRANSCRIPT_CHARS)}  (${e.latencyMs.toFixed(1)} ms)`
}

/** The interim text on a terminal, replacing the previous one in place (write it without a newline). */
export function partialTranscriptLine(e: TranscriptEvent): string {
  return `\r\x1b[2K… ${safeLine(e.text, MAX_TRANSCRIPT_CHARS)}`
}

export function requestErrorLine(e: RequestErrorEvent): string {
  return `request failed at ${e.timeSec.toFixed(2)} s: ${safeLine(e.message)}`
}

/** One JSON object per line, with every character a terminal acts on escaped (the data stays whole). */
export function jsonLine(value: unknown): string {
  return safeJson(value)
}

/** A name or other short text from a server, as one clean line. */
export function serverName(text: string, max = MAX_LABEL_CHARS): string {
  return safeLine(text, max)
}

export function detectionLine(e: DetectionFrameEvent): string {
  const boxes = e.boxes
    .map(
      (b) =>
        `${safeLine(b.label, MAX_LABEL_CHARS)} ${b.score.toFixed(2)} [${b.x.toFixed(0)},${b.y.toFixed(0)} ${b.width.toFixed(0)}x${b.height.toFixed(0)}]`,
    )
    .join('  ')
  return `frame ${String(e.frame).padStart(4)} ${mediaTime(e.timeSec)}  ${e.boxes.length} box${e.boxes.length === 1 ? '' : 'es'}${boxes ? '  ' + boxes : ''}  (${e.latencyMs.toFixed(1)} ms)`
}

/** A load-test style report: outcomes, throughput and latency percentiles ("–" without successes). */
export function summaryTable(title: string, s: SessionSummary): string {
  const ms = (x: number): string => (s.successes > 0 ? `${x.toFixed(2)} ms` : '–')
  const failed = REQUEST_OUTCOMES.filter((o) => o !== 'success' && s.outcomes[o] > 0).map(
    (o): [string, string] => [`  ${OUTCOME_LABELS[o]}`, String(s.outcomes[o])],
  )
  const link: Array<[string, string]> = [
    ['Retried after a drop', String(s.retries)],
    ['Reconnects', String(s.reconnects)],
    ['Unmatched responses', String(s.unmatched)],
    ['Dropped frames', String(s.droppedFrames)],
    ['Empty answers', String(s.emptyAnswers)],
  ].filter(([, v]) => v !== '0') as Array<[string, string]>
  const rows: Array<[string, string]> = [
    ['Requests', String(s.requests)],
    ['Successful', String(s.successes)],
    ['Failed', String(s.failures)],
    ...failed,
    ...link,
    ['Success rate', s.requests > 0 ? `${(s.successRate * 100).toFixed(2)}%` : '–'],
    ['Duration', `${s.durationSec.toFixed(2)} s`],
    ['Throughput', `${s.throughput.toFixed(2)} req/s`],
    ['Latency p50', ms(s.p50Ms)],
    ['Latency p95', ms(s.p95Ms)],
    ['Latency p99', ms(s.p99Ms)],
    ['Latency mean', ms(s.meanMs)],
    ['Latency min', ms(s.minMs)],
    ['Latency max', ms(s.maxMs)],
  ]
  if (s.unprocessed) rows.push(['Not processed', unprocessedWhat(s)])
  const width = Math.max(...rows.map(([k]) => k.length))
  return [title, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n')
}

function unprocessedWhat(s: SessionSummary): string {
  const u = s.unprocessed
  if (!u) return 'nothing'
  if (u.audioSec > 0)
    return `${u.audioSec.toFixed(1)} s of audio from ${(u.audioStartSec ?? 0).toFixed(1)} s`
  if (u.frames > 0) return `${u.frames} frame${u.frames === 1 ? '' : 's'}`
  return `${u.requests} request${u.requests === 1 ? '' : 's'}`
}

/** "3.2 s of audio not transcribed (from 12.0 s): kept in X" — what a stop could not finish. */
export function unprocessedLine(s: SessionSummary, keptAt: string): string {
  return `${unprocessedWhat(s)} not transcribed: kept in ${keptAt}`
}
