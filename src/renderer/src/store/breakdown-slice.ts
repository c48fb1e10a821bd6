import type {
  LatencySample,
  ServerTimeSplit,
  SessionEvent,
  SourceKind,
  UserError,
} from '../../../shared/ipc-contract'
import { BreakdownRecorder } from '../metrics/breakdown-recorder'
import { PaintClock } from '../metrics/paint-clock'
import type { SliceCreator, StoreDeps } from './types'

export interface BreakdownState {
  /**
   * One recorder per session. Its HDR histograms are mutable by design (fixed-size count
   * arrays); every change makes a new state object with a higher revision, so selectors and
   * throttled readers see it, and nothing copies the histograms.
   */
  recorder: BreakdownRecorder
  revision: number
  /** The session's source: glass to glass needs a live capture stamp. */
  source?: SourceKind
  /** 'waiting' until the first ModelStatistics interval is in. */
  server: 'idle' | 'waiting' | 'ok' | 'failed'
  serverError?: UserError
  lastSplit?: ServerTimeSplit
}

export interface BreakdownSlice {
  breakdown: BreakdownState
  /** Stamps an event as it arrives, before batching (no store update). */
  noteArrival(event: SessionEvent): void
  /** The current batch is in the store (no store update). */
  noteDelivered(): void
  /** A painter drew the store's results: records their render (and glass-to-glass) times. */
  notePainted(): void
  applyServerSplit(split: ServerTimeSplit | null): void
  serverStatsFailed(error: UserError): void
  resetBreakdown(startedAtMs: number, source?: SourceKind): void
}

export function initialBreakdownState(startedAtMs = 0, source?: SourceKind): BreakdownState {
  return {
    recorder: new BreakdownRecorder(startedAtMs),
    revision: 0,
    source,
    server: source ? 'waiting' : 'idle',
  }
}

/** Folds a batch's latency samples in; pure apart from the recorder it owns. */
export function reduceBreakdownLatency(
  b: BreakdownState,
  samples: readonly LatencySample[],
): BreakdownState {
  if (samples.length === 0) return b
  for (const s of samples) b.recorder.addLatency(s)
  return { ...b, revision: b.revision + 1 }
}

export function createBreakdownSlice(deps: StoreDeps): SliceCreator<BreakdownSlice> {
  const perfNow = deps.perfNow ?? (() => performance.now())
  return (set, get) => {
    const clock = new PaintClock()
    const bump = (patch: Partial<BreakdownState>, action: string): void =>
      set(
        (s) => ({ breakdown: { ...s.breakdown, ...patch, revision: s.breakdown.revision + 1 } }),
        undefined,
        `breakdown/${action}`,
      )

    return {
      breakdown: initialBreakdownState(),

      noteArrival(event) {
        clock.arrive(event, perfNow())
      },

      noteDelivered() {
        clock.markDelivered(perfNow())
      },

      notePainted() {
        const samples = clock.painted(perfNow())
        if (samples.length === 0) return
        const { recorder } = get().breakdown
        for (const p of samples) recorder.addPaint(p)
        bump({}, 'painted')
      },

      applyServerSplit(split) {
        if (!split) return
        get().breakdown.recorder.addServerSplit(split)
        bump({ server: 'ok', serverError: undefined, lastSplit: split }, 'serverSplit')
      },

      serverStatsFailed(error) {
        bump({ server: 'failed', serverError: error }, 'serverStatsFailed')
      },

      resetBreakdown(startedAtMs, source) {
        clock.reset()
        set({ breakdown: initialBreakdownState(startedAtMs, source) }, undefined, 'breakdown/reset')
      },
    }
  }
}
