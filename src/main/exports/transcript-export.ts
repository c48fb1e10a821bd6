/**
 * Transcripts as files: plain text, SubRip (.srt), WebVTT (.vtt) and JSON. Only final text is
 * written; partials are drafts that a later event of the same utterance replaced.
 */
import type { TranscriptEvent } from '../../shared/results'

export interface Utterance {
  utterance: number
  startSec: number
  endSec: number
  /** Round trip of the request that produced the final text. */
  latencyMs: number
  text: string
}

/**
 * The final text of each utterance, in media order. An utterance with several finals keeps
 * the last; empty text is dropped, since a cue with no words is noise in a player.
 */
export function finalUtterances(events: readonly TranscriptEvent[]): Utterance[] {
  const byUtterance = new Map<number, TranscriptEvent>()
  for (const e of events) if (e.final) byUtterance.set(e.utterance, e)
  return [...byUtterance.values()]
    .filter((e) => e.text.trim() !== '')
    .map((e) => ({
      utterance: e.utterance,
      startSec: Math.max(0, e.startSec),
      endSec: Math.max(0, e.endSec),
      latencyMs: e.latencyMs,
      text: e.text.trim(),
    }))
    .sort((a, b) => a.startSec - b.startSec || a.utterance - b.utterance)
}

/** One line per utterance. */
export function toTxt(events: readonly TranscriptEvent[]): string {
  return finalUtterances(events)
    .map((u) => `${oneLine(u.text)}\n`)
    .join('')
}

const oneLine = (text: string): string => text.replace(/\s*\r?\n\s*/g, ' ')

/** Cue text must not hold a blank line (it would end the cue) or the timing arrow. */
function cueText(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('\n')
    .replace(/-->/g, '->')
}

/** Whole milliseconds; a cue that would end before it starts is given one millisecond. */
function cueTimes(u: Utterance): [number, number] {
  const start = Math.round(u.startSec * 1000)
  return [start, Math.max(start + 1, Math.round(u.endSec * 1000))]
}

function clock(ms: number, separator: ',' | '.'): string {
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor(ms / 60_000) % 60
  const s = Math.floor(ms / 1000) % 60
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0')
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`
}

/** SubRip: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, a blank line after each. */
export function toSrt(events: readonly TranscriptEvent[]): string {
  return finalUtterances(events)
    .map((u, i) => {
      const [start, end] = cueTimes(u)
      return `${i + 1}\n${clock(start, ',')} --> ${clock(end, ',')}\n${cueText(u.text)}\n\n`
    })
    .join('')
}

/** WebVTT cue text escapes the three characters the format gives meaning to. */
function vttText(text: string): string {
  return cueText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** WebVTT: the header, then cues `HH:MM:SS.mmm --> HH:MM:SS.mmm`. */
export function toWebVtt(events: readonly TranscriptEvent[]): string {
  const cues = finalUtterances(events).map((u) => {
    const [start, end] = cueTimes(u)
    return `${clock(start, '.')} --> ${clock(end, '.')}\n${vttText(u.text)}\n\n`
  })
  return `WEBVTT\n\n${cues.join('')}`
}

/** Every utterance with its media times and the latency of the request that finalised it. */
export function toTranscriptJson(events: readonly TranscriptEvent[]): string {
  const utterances = finalUtterances(events).map((u) => ({
    utterance: u.utterance,
    startSec: round(u.startSec, 3),
    endSec: round(u.endSec, 3),
    latencyMs: round(u.latencyMs, 2),
    text: u.text,
  }))
  const report = {
    format: 'triton-live-transcript',
    version: 1,
    text: utterances.map((u) => oneLine(u.text)).join(' '),
    utterances,
  }
  return `${JSON.stringify(report, null, 2)}\n`
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits))
