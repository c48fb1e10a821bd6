import { createContext, useContext } from 'react'
import { createStore, useStore, type StoreApi } from 'zustand'
import { devtools } from 'zustand/middleware'
import { createBenchSlice } from './bench-slice'
import { createBreakdownSlice } from './breakdown-slice'
import { createConnectionSlice } from './connection-slice'
import { createMetricsSlice } from './metrics-slice'
import { createModelsSlice } from './models-slice'
import { createResultsSlice } from './results-slice'
import { createSessionEventsSlice } from './session-events'
import { createSessionSlice } from './session-slice'
import type { AppState, StoreDeps } from './types'

export type { AppState, StoreDeps } from './types'
export type AppStore = StoreApi<AppState>

/** Devtools only when the extension is there, so tests and production stay quiet. */
function devtoolsPresent(): boolean {
  return typeof window !== 'undefined' && '__REDUX_DEVTOOLS_EXTENSION__' in window
}

/** All slices in one store; the bridge is injected so tests use a fake one. */
export function createAppStore(deps: StoreDeps): AppStore {
  return createStore<AppState>()(
    devtools(
      (...a) => ({
        ...createConnectionSlice(deps)(...a),
        ...createModelsSlice(deps)(...a),
        ...createSessionSlice()(...a),
        ...createResultsSlice()(...a),
        ...createSessionEventsSlice(deps)(...a),
        ...createMetricsSlice(deps)(...a),
        ...createBreakdownSlice(deps)(...a),
        ...createBenchSlice(deps)(...a),
      }),
      { name: 'triton-live', enabled: devtoolsPresent() },
    ),
  )
}

export const StoreContext = createContext<AppStore | null>(null)

export function useAppStoreApi(): AppStore {
  const store = useContext(StoreContext)
  if (!store) throw new Error('useAppStore needs a <StoreContext.Provider>')
  return store
}

/** The bound hook: pass one selector from selectors.ts (one value, or use useShallow). */
export function useAppStore<T>(selector: (s: AppState) => T): T {
  return useStore(useAppStoreApi(), selector)
}
