import type { BenchProgressEvent, SessionEvent } from '../../../shared/ipc-contract'
import type {
  RequestErrorEvent,
  SessionResultEvent,
  TranscriptEvent,
} from '../../../shared/results'
import { insertByTime, type DetectionRecord } from '../components/overlay-helpers'
import { reduceBenchProgress } from './bench-slice'
import { reduceBreakdownLatency } from './breakdown-slice'
import { reduceLatency } from './metrics-slice'
import { acceptsEvent, reduceSessionStatus } from './session-slice'
import type { SliceCreator, StoreDeps } from './types'

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
  /** Detection results sorted by media time: the overlay looks up the one for the playback time. */
  detections: DetectionRecord[]
  latestDetection?: DetectionRecord
  transcriptCount: number
  detectionCount: number
  requestErrorCount: number
  lastRequestError?: RequestErrorEvent
}

export interface ResultsSlice {
  results: ResultsState
  /** One `set` for a whole animation frame's worth of stream events. */
  applyEvents(events: readonly SessionEvent[]): void
  clearTranscript(): void
  resetResults(): void
}

/** About 20 minutes at 30 fps; older frames go first. */
export const MAX_DETECTION_FRAMES = 36_000
export const MAX_FINAL_LINES = 5_000

export function initialResultsState(): ResultsState {
  return { finals: [], detections: [], transcriptCount: 0, detectionCount: 0, requestErrorCount: 0 }
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

/** Folds result events into the state, copying each array at most once per batch. */
export function reduceResults(
  r: ResultsState,
  events: readonly SessionResultEvent[],
  nowMs: number,
): ResultsState {
  if (events.length === 0) return r
  let finals: TranscriptLine[] | undefined
  let detections: DetectionRecord[] | undefined
  const next: ResultsState = { ...r }
  for (const e of events) {
    if (e.kind === 'transcript') {
      next.transcriptCount++
      finals ??= [...r.finals]
      const last = finals[finals.length - 1]
      if (!e.final) {
        // A partial that trails its own final (out-of-order reply) must not resurrect it.
        if (!last || last.utterance < e.utterance) next.partial = toLine(e)
        continue
      }
      if (last && last.utterance === e.utterance) finals[finals.length - 1] = toLine(e)
      else finals.push(toLine(e))
      if (next.partial && next.partial.utterance <= e.utterance) next.partial = undefined
    } else if (e.kind === 'detections') {
      next.detectionCount++
      detections ??= [...r.detections]
      const record: DetectionRecord = { ...e, receivedAtMs: nowMs }
      insertByTime(detections, record)
      next.latestDetection = record
    } else {
      next.requestErrorCount++
      next.lastRequestError = e
    }
  }
  if (finals)
    next.finals = finals.length > MAX_FINAL_LINES ? finals.slice(-MAX_FINAL_LINES) : finals
  if (detections) {
    next.detections =
      detections.length > MAX_DETECTION_FRAMES
        ? detections.slice(-MAX_DETECTION_FRAMES)
        : detections
  }
  return next
}

export function createResultsSlice(deps: StoreDeps): SliceCreator<ResultsSlice> {
  const now = deps.now ?? Date.now
  return (set) => ({
    results: initialResultsState(),

    applyEvents(events) {
      set(
        (s) => {
          let session = s.session
          const results: SessionResultEvent[] = []
          const latency: Extract<SessionEvent, { kind: 'latency' }>[] = []
          let progress: BenchProgressEvent | undefined
          for (const e of events) {
            // Benchmark progress shares the event stream under its own id ('bench'): it belongs
            // to the benchmark, never to the session on screen.
            if (e.kind === 'bench-progress') {
              progress = e
              continue
            }
            if (!acceptsEvent(session, e)) continue
            if (e.kind === 'status') session = reduceSessionStatus(session, e)
            else if (e.kind === 'latency') latency.push(e)
            else results.push(e)
          }
          return {
            session,
            results: reduceResults(s.results, results, now()),
            metrics: reduceLatency(s.metrics, latency),
            breakdown: reduceBreakdownLatency(s.breakdown, latency),
            bench: reduceBenchProgress(s.bench, progress),
          }
        },
        undefined,
        'results/applyEvents',
      )
    },

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
