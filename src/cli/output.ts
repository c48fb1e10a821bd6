import { emptyAnswersSentence } from '../shared/empty-answers'
import { toRoundedJson } from '../shared/json-numbers'
import { MAX_LABEL_CHARS, MAX_TRANSCRIPT_CHARS } from '../shared/limits'
import type { DetectionFrameEvent, RequestErrorEvent, TranscriptEvent } from '../shared/results'
import { escapeJsonText, safeLine, safeText } from '../shared/safe-text'
import {
  OUTCOME_LABELS,
  REQUEST_OUTCOMES,
  type FlowEvent,
  type SessionSummary,
} from '../shared/session-summary'

export interface Output {
  json: boolean
  tty: boolean
  /** `--verbose`: every box of a frame on its own line instead of a count per label. */
  verbose?: boolean
  write(line: string): void
}

// Everything below that prints a server's text (transcripts, labels, errors, names) passes it
// through safe-text: a transcript must not be able to clear the screen or write the clipboard.

/** The last guard before stdout: escape sequences and controls out, line breaks kept. */
export function terminalText(text: string): string {
  return safeText(text)
}

/**
 * One JSON object per line: numbers rounded as every JSON writer of ours rounds them, and
 * every character a terminal acts on escaped (the data stays whole).
 */
export function jsonLine(value: unknown): string {
  return escapeJsonText(toRoundedJson(value))
}

/** A name or other short text from a server, as one clean line. */
export function serverName(text: string, max = MAX_LABEL_CHARS): string {
  return safeLine(text, max)
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
  return `[${mediaTime(e.startSec)} -> ${mediaTime(e.endSec)}] ${safeLine(e.text, MAX_TRANSCRIPT_CHARS)}  ${latency(e.latencyMs)}`
}

/** The interim text on a terminal, replacing the previous one in place (write it without a newline). */
export function partialTranscriptLine(e: TranscriptEvent): string {
  return `\r\x1b[2K… ${safeLine(e.text, MAX_TRANSCRIPT_CHARS)}`
}

export function requestErrorLine(e: RequestErrorEvent): string {
  return `request failed at ${e.timeSec.toFixed(2)} s: ${safeLine(e.message)}`
}

/** Labels shown by name in a frame's line; the rest are summed into "+N more". */
const LABELS_SHOWN = 4

const label = (text: string): string => safeLine(text, MAX_LABEL_CHARS)

/** "3 red, 2 green": boxes per label, most frequent first, ties by name. */
function countsByLabel(boxes: DetectionFrameEvent['boxes']): string {
  const counts = new Map<string, number>()
  for (const b of boxes) counts.set(label(b.label), (counts.get(label(b.label)) ?? 0) + 1)
  const sorted = [...counts].sort(([la, a], [lb, b]) => b - a || (la < lb ? -1 : 1))
  const shown = sorted.slice(0, LABELS_SHOWN).map(([name, n]) => `${n} ${name}`)
  const hidden = sorted.slice(LABELS_SHOWN).reduce((sum, [, n]) => sum + n, 0)
  return hidden > 0 ? `${shown.join(', ')}, +${hidden} more` : shown.join(', ')
}

function boxLine(b: DetectionFrameEvent['boxes'][number]): string {
  return `    ${label(b.label)} ${b.score.toFixed(2)} [${b.x.toFixed(0)},${b.y.toFixed(0)} ${b.width.toFixed(0)}x${b.height.toFixed(0)}]`
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

/** A load-test style report: outcomes, throughput and latency percentiles ("–" without successes). */
export function summaryTable(title: string, s: SessionSummary): string {
  const ms = (x: number): string => (s.successes > 0 ? `${x.toFixed(2)} ms` : '–')
  const failed = REQUEST_OUTCOMES.filter((o) => o !== 'success' && s.outcomes[o] > 0).map(
    (o): [string, string] => [`  ${OUTCOME_LABELS[o]}`, String(s.outcomes[o])],
  )
  const link: Array<[string, string]> = [
    ['Retried after a drop', String(s.retries)],
    ['Link lost', String(s.linkLosses)],
    ['Reconnects', String(s.reconnects)],
    ['Unmatched responses', String(s.unmatched)],
    ['Dropped frames', String(s.droppedFrames)],
    ['Empty answers', String(s.emptyAnswers)],
  ].filter(
    // After a lost link, "Reconnects 0" is news: it never came back.
    ([k, v]) => v !== '0' || (k === 'Reconnects' && s.linkLosses > 0),
  ) as Array<[string, string]>
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

/** What waits where while the link is down: "queued 3 chunks (1.9 s of audio), 2 in flight". */
export function flowLine(f: FlowEvent): string {
  const parts = [`queued ${f.queued} item${f.queued === 1 ? '' : 's'}`]
  if (f.queuedSec > 0) {
    const disk = f.spilledSec > 0 ? `, ${f.spilledSec.toFixed(1)} s on disk` : ''
    parts[0] += ` (${f.queuedSec.toFixed(1)} s of audio${disk})`
  }
  parts.push(`${f.inFlight} in flight`)
  if (f.retries > 0) parts.push(`${f.retries} sent again after a drop`)
  if (f.droppedFrames > 0) parts.push(`${f.droppedFrames} frames skipped`)
  if (f.unmatched > 0) parts.push(`${f.unmatched} unmatched answers`)
  return parts.join(', ')
}

/**
 * When a session got answers and every one was empty: "M answered N times with no text" (or
 * boxes), then what the model understands, from its config's description when it has one.
 * Undefined when anything was recognised, or nothing was answered.
 */
export function emptyAnswersNote(
  model: string,
  nothing: 'text' | 'boxes' | undefined,
  s: Pick<SessionSummary, 'successes' | 'emptyAnswers'>,
  description?: string,
): { message: string; understands: string } | undefined {
  if (!nothing || s.successes === 0 || s.emptyAnswers < s.successes) return undefined
  return {
    message: emptyAnswersSentence(safeLine(model, 256), s.successes, nothing),
    understands: description
      ? `What it understands: ${safeLine(description)}`
      : 'Its config does not say what it understands; check that the file suits this model.',
  }
}
