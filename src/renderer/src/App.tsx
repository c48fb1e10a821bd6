import { useEffect, useState } from 'react'
import type { TritonLiveApi } from '../../shared/ipc-contract'
import { ApiContext } from './bridge'
import { Tabs } from './components/Tabs'
import { BenchContainer } from './containers/BenchContainer'
import { DoctorContainer } from './containers/DoctorContainer'
import { EndpointsContainer } from './containers/EndpointsContainer'
import { LatencyBreakdownContainer } from './containers/LatencyBreakdownContainer'
import { LatencyContainer } from './containers/LatencyContainer'
import { MetricsContainer } from './containers/MetricsContainer'
import { ModelsContainer } from './containers/ModelsContainer'
import { SourceContainer } from './containers/SourceContainer'
import { StageContainer } from './containers/StageContainer'
import { useHealthPolling } from './hooks/useHealthPolling'
import { useMetricsPolling } from './hooks/useMetricsPolling'
import { useServerStatsPolling } from './hooks/useServerStatsPolling'
import { useBenchProgress } from './hooks/useBenchProgress'
import { useShortcuts } from './hooks/useShortcuts'
import { ControllerContext } from './session/controller-context'
import type { SessionController } from './session/session-controller'
import { StoreContext, useAppStoreApi, type AppStore } from './store'

export interface AppProps {
  api: TritonLiveApi
  store: AppStore
  controller: SessionController
}

/** Everything the page needs comes in here, so a test can mount the app over a fake bridge. */
export function App({ api, store, controller }: AppProps) {
  return (
    <ApiContext.Provider value={api}>
      <StoreContext.Provider value={store}>
        <ControllerContext.Provider value={controller}>
          <Shell />
        </ControllerContext.Provider>
      </StoreContext.Provider>
    </ApiContext.Provider>
  )
}

const CENTRE_TABS = [
  { id: 'live', label: 'Live' },
  { id: 'bench', label: 'Benchmark' },
] as const
type CentreTab = (typeof CENTRE_TABS)[number]['id']

const SIDE_TABS = [
  { id: 'latency', label: 'Latency' },
  { id: 'breakdown', label: 'Breakdown' },
  { id: 'metrics', label: 'Metrics' },
] as const
type SideTab = (typeof SIDE_TABS)[number]['id']

function Shell() {
  const store = useAppStoreApi()
  const [centre, setCentre] = useState<CentreTab>('live')
  const [side, setSide] = useState<SideTab>('latency')
  useBenchProgress()
  useHealthPolling()
  useMetricsPolling()
  useServerStatsPolling()
  useShortcuts()
  useEffect(() => {
    // A newcomer should see models without reading anything: connect to the demo at once.
    void store.getState().bootstrap()
  }, [store])

  return (
    <div className="app">
      <aside className="column left">
        <EndpointsContainer />
        <DoctorContainer />
        <ModelsContainer />
      </aside>
      <div className="column centre">
        <Tabs<CentreTab>
          label="Centre view"
          tabs={CENTRE_TABS}
          value={centre}
          onChange={setCentre}
        />
        {/* Hidden, not unmounted: a session keeps playing while the benchmark tab is open. */}
        <div className="tab-body live-view" hidden={centre !== 'live'}>
          <SourceContainer />
          <StageContainer />
        </div>
        {centre === 'bench' && <BenchContainer />}
      </div>
      <aside className="column right">
        <Tabs<SideTab> label="Figures" tabs={SIDE_TABS} value={side} onChange={setSide} />
        {side === 'latency' && <LatencyContainer />}
        {side === 'breakdown' && <LatencyBreakdownContainer />}
        {side === 'metrics' && <MetricsContainer />}
        <p className="shortcuts muted">
          <kbd>Space</kbd> or <kbd>Ctrl</kbd>+<kbd>Enter</kbd> start / stop · <kbd>Esc</kbd> stop
        </p>
      </aside>
    </div>
  )
}
