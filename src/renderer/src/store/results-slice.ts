import type {
  RequestErrorEvent,
  SessionResultEvent,
  TranscriptEvent,
} from '../../../shared/results'
import { insertByTime, type DetectionRecord } from '../components/overlay-helpers'
import type { SliceCreator } from './types'

export interface TranscriptLine {
  utterance: number
  text: string
  startSec: number
  endSec: number
  latencyMs: number
}

export interface ResultsState {
  finals: TranscriptLine[]
  partial?: TranscriptLine
  /**
   * File sessions only: results sorted by media time, so the overlay can look up the one for
   * the playback time. Appended in place (copying up to MAX_FILE_DETECTIONS records for every
   * batch, 30 times a second, would be the costliest thing the window does); a new revision
   * says it changed, and a new session gets a new array. The camera keeps none: it only ever
   * shows `latestDetection`.
   */
  detections: DetectionRecord[]
  detectionsRevision: number
  latestDetection?: DetectionRecord
  transcriptCount: number
  detectionCount: number
  requestErrorCount: number
  lastRequestError?: RequestErrorEvent
}

export interface ResultsSlice {
  results: ResultsState
  clearTranscript(): void
  resetResults(): void
}

/**
 * About 20 minutes of a 30 fps file. Past it the earliest media times go, a tenth at a time so
 * the trim is rare; exports read main's own record, never this buffer.
 */
export const MAX_FILE_DETECTIONS = 36_000
export const MAX_FINAL_LINES = 5_000

export function initialResultsState(): ResultsState {
  return {
    finals: [],
    detections: [],
    detectionsRevision: 0,
    transcriptCount: 0,
    detectionCount: 0,
    requestErrorCount: 0,
  }
}

function toLine(e: TranscriptEvent): TranscriptLine {
  return {
    utterance: e.utterance,
    text: e.text,
    startSec: e.startSec,
    endSec: e.endSec,
    latencyMs: e.latencyMs,
  }
}

/**
 * Puts a final line in utterance order, replacing an earlier answer for the same utterance, so
 * every utterance has one line (and the panel can key rows by it). Usually a push or a
 * replacement of the last line.
 */
function placeFinal(finals: TranscriptLine[], line: TranscriptLine): void {
  let i = finals.length - 1
  while (i >= 0 && finals[i].utterance > line.utterance) i--
  if (i >= 0 && finals[i].utterance === line.utterance) finals[i] = line
  else finals.splice(i + 1, 0, line)
}

/**
 * Folds result events into the state. `finals` is copied at most once per batch, and only when
 * a final line arrives: partials leave it (and the rows it renders) alone. Detections of a file
 * session go into the time-indexed buffer in place; a camera session keeps only the newest.
 */
export function reduceResults(
  r: ResultsState,
  events: readonly SessionResultEvent[],
  nowMs: number,
  keepDetections = true,
): ResultsState {
  if (events.length === 0) return r
  let finals: TranscriptLine[] | undefined
  let detectionsChanged = false
  const next: ResultsState = { ...r }
  for (const e of events) {
    if (e.kind === 'transcript') {
      next.transcriptCount++
      const current = finals ?? r.finals
      const last = current[current.length - 1]
      if (!e.final) {
        // A partial that trails its own final (out-of-order reply) must not resurrect it.
        if (!last || last.utterance < e.utterance) next.partial = toLine(e)
        continue
      }
      finals ??= [...r.finals]
      placeFinal(finals, toLine(e))
      if (next.partial && next.partial.utterance <= e.utterance) next.partial = undefined
    } else if (e.kind === 'detections') {
      next.detectionCount++
      const record: DetectionRecord = { ...e, receivedAtMs: nowMs }
      if (keepDetections) {
        insertByTime(r.detections, record)
        detectionsChanged = true
      }
      next.latestDetection = record
    } else {
      next.requestErrorCount++
      next.lastRequestError = e
    }
  }
  if (finals) {
    if (finals.length > MAX_FINAL_LINES) finals.splice(0, finals.length - MAX_FINAL_LINES)
    next.finals = finals
  }
  if (detectionsChanged) {
    const d = r.detections
    if (d.length > MAX_FILE_DETECTIONS) d.splice(0, d.length - MAX_FILE_DETECTIONS * 0.9)
    next.detectionsRevision = r.detectionsRevision + 1
  }
  return next
}

export function createResultsSlice(): SliceCreator<ResultsSlice> {
  return (set) => ({
    results: initialResultsState(),

    clearTranscript() {
      set(
        (s) => ({ results: { ...s.results, finals: [], partial: undefined } }),
        undefined,
        'results/clearTranscript',
      )
    },

    resetResults() {
      set({ results: initialResultsState() }, undefined, 'results/reset')
    },
  })
}
