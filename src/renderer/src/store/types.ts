import type { StateCreator } from 'zustand'
import type { TritonLiveApi } from '../../../shared/ipc-contract'
import type { BenchSlice } from './bench-slice'
import type { BreakdownSlice } from './breakdown-slice'
import type { ConnectionSlice } from './connection-slice'
import type { MetricsSlice } from './metrics-slice'
import type { ModelsSlice } from './models-slice'
import type { ResultsSlice } from './results-slice'
import type { SessionEventsSlice } from './session-events'
import type { SessionSlice } from './session-slice'

export type AppState = ConnectionSlice &
  ModelsSlice &
  SessionSlice &
  SessionEventsSlice &
  ResultsSlice &
  MetricsSlice &
  BreakdownSlice &
  BenchSlice

/** What slices need from outside; injected so tests run against a fake bridge. */
export interface StoreDeps {
  api: TritonLiveApi
  /** Wall clock, ms since epoch. */
  now?: () => number
  /** Monotonic clock for render timing (performance.now()). */
  perfNow?: () => number
}

export type SliceCreator<T> = StateCreator<AppState, [['zustand/devtools', never]], [], T>
