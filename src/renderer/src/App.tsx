import { useCallback, useEffect, useState, type CSSProperties } from 'react'
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
import { RequestContainer } from './containers/RequestContainer'
import { SourceContainer } from './containers/SourceContainer'
import { StageContainer } from './containers/StageContainer'
import { useHealthPolling } from './hooks/useHealthPolling'
import { useMetricsPolling } from './hooks/useMetricsPolling'
import { useServerStatsPolling } from './hooks/useServerStatsPolling'
import { useBenchProgress } from './hooks/useBenchProgress'
import { useShortcuts } from './hooks/useShortcuts'
import {
  fitSidebarWidth,
  FIGURES_PX,
  layoutModeFor,
  openByDefault,
  placementOf,
  type LayoutMode,
  type SidePanel,
} from './layout/layout-rules'
import { FiguresToggle, SidebarToggle } from './layout/PanelToggles'
import { SidebarResizer } from './layout/SidebarResizer'
import { useSidebarWidth } from './layout/useSidebarWidth'
import { useWindowWidth } from './layout/useWindowWidth'
import { ControllerContext } from './session/controller-context'
import type { SessionController } from './session/session-controller'
import { StoreContext, useAppStoreApi, type AppStore } from './store'
import { selectModelKind } from './store/selectors'

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
  { id: 'request', label: 'Request' },
  { id: 'bench', label: 'Benchmark' },
] as const
type CentreTab = (typeof CENTRE_TABS)[number]['id']

const SIDE_TABS = [
  { id: 'latency', label: 'Latency' },
  { id: 'breakdown', label: 'Breakdown' },
  { id: 'metrics', label: 'Metrics' },
] as const
type SideTab = (typeof SIDE_TABS)[number]['id']

/**
 * The side panels as the window allows (layout-rules.ts): docked beside the stage, or drawers
 * over it. Entering another size shows that size's defaults; a drawer closes on Esc, on its
 * backdrop, or when the other one opens.
 */
function useSidePanels(mode: LayoutMode) {
  const [state, setState] = useState(() => ({ mode, open: openByDefault(mode) }))
  const current = state.mode === mode ? state : { mode, open: openByDefault(mode) }
  if (current !== state) setState(current)
  const toggle = useCallback(
    (panel: SidePanel) =>
      setState((s) => {
        const open = { ...s.open, [panel]: !s.open[panel] }
        // Drawers take turns: opening one closes the other.
        const other: SidePanel = panel === 'sidebar' ? 'figures' : 'sidebar'
        if (
          open[panel] &&
          placementOf(s.mode, panel) === 'drawer' &&
          placementOf(s.mode, other) === 'drawer'
        )
          open[other] = false
        return { ...s, open }
      }),
    [],
  )
  const closeDrawers = useCallback(
    () =>
      setState((s) => ({
        ...s,
        open: {
          sidebar: placementOf(s.mode, 'sidebar') === 'dock' && s.open.sidebar,
          figures: placementOf(s.mode, 'figures') === 'dock' && s.open.figures,
        },
      })),
    [],
  )
  return { open: current.open, toggle, closeDrawers }
}

function Shell() {
  const store = useAppStoreApi()
  const [centre, setCentre] = useState<CentreTab>('live')
  useEffect(
    () =>
      // A model with no live view (kind generic) is used from the Request tab: picking one
      // opens it there, as the user would next.
      store.subscribe((s, prev) => {
        const generic = selectModelKind(s) === 'generic'
        const picked = s.models.details !== prev.models.details
        if (generic && picked) setCentre((c) => (c === 'live' ? 'request' : c))
      }),
    [store],
  )
  const [side, setSide] = useState<SideTab>('latency')
  const windowWidth = useWindowWidth()
  const mode = layoutModeFor(windowWidth)
  const { open, toggle, closeDrawers } = useSidePanels(mode)
  const [wantedWidth, setWantedWidth] = useSidebarWidth()
  const sidebarWidth = fitSidebarWidth(wantedWidth, windowWidth)
  const sidebarAt = placementOf(mode, 'sidebar')
  const figuresAt = placementOf(mode, 'figures')
  const drawerOpen =
    (sidebarAt === 'drawer' && open.sidebar) || (figuresAt === 'drawer' && open.figures)
  const onResize = useCallback(
    (w: number) => setWantedWidth(fitSidebarWidth(w, window.innerWidth)),
    [setWantedWidth],
  )
  const onResetWidth = useCallback(() => setWantedWidth(undefined), [setWantedWidth])
  const toggleSidebar = useCallback(() => toggle('sidebar'), [toggle])
  const toggleFigures = useCallback(() => toggle('figures'), [toggle])
  useBenchProgress()
  useHealthPolling()
  useMetricsPolling()
  useServerStatsPolling()
  useShortcuts()
  useEffect(() => {
    if (!drawerOpen) return
    // Esc closes an open drawer, wherever the focus is, and must not also stop the session
    // (useShortcuts): caught first, on the way down. A question on top (Unload?) keeps its Esc.
    const onKey = (e: globalThis.KeyboardEvent): void => {
      if (e.key !== 'Escape' || document.querySelector('[role="alertdialog"]')) return
      e.preventDefault()
      e.stopPropagation()
      closeDrawers()
    }
    window.addEventListener('keydown', onKey, true)
    return () => window.removeEventListener('keydown', onKey, true)
  }, [drawerOpen, closeDrawers])
  useEffect(() => {
    // A newcomer should see models without reading anything: connect to the demo at once.
    void store.getState().bootstrap()
  }, [store])

  return (
    <div
      className="app"
      data-layout={mode}
      data-testid="app"
      style={
        {
          '--sidebar-width': `${sidebarWidth}px`,
          '--figures-width': `${FIGURES_PX}px`,
        } as CSSProperties
      }
    >
      <header className="app-bar">
        <SidebarToggle open={open.sidebar} onToggle={toggleSidebar} />
        <Tabs<CentreTab>
          label="Centre view"
          tabs={CENTRE_TABS}
          value={centre}
          onChange={setCentre}
        />
        <FiguresToggle open={open.figures} onToggle={toggleFigures} />
      </header>
      <div className="app-body">
        <aside
          id="sidebar"
          className="column left"
          aria-label="Endpoints and models"
          hidden={!open.sidebar}
          data-placement={sidebarAt}
          data-testid="sidebar"
        >
          <EndpointsContainer />
          <DoctorContainer />
          <ModelsContainer />
        </aside>
        {sidebarAt === 'dock' && open.sidebar && (
          <SidebarResizer width={sidebarWidth} onResize={onResize} onReset={onResetWidth} />
        )}
        <div className="column centre" data-testid="centre">
          {/* Hidden, not unmounted: a session keeps playing while the benchmark tab is open. */}
          <div className="tab-body live-view" hidden={centre !== 'live'}>
            <SourceContainer />
            <StageContainer onOpenRequest={() => setCentre('request')} />
          </div>
          {/* Kept too: the drafts and the last answer stay while the user looks elsewhere. */}
          <div className="tab-body request-tab panel" hidden={centre !== 'request'}>
            <RequestContainer />
          </div>
          {centre === 'bench' && <BenchContainer />}
        </div>
        <aside
          id="figures"
          className="column right"
          aria-label="Figures"
          hidden={!open.figures}
          data-placement={figuresAt}
          data-testid="figures"
        >
          <Tabs<SideTab> label="Figures" tabs={SIDE_TABS} value={side} onChange={setSide} />
          {side === 'latency' && <LatencyContainer />}
          {side === 'breakdown' && <LatencyBreakdownContainer />}
          {side === 'metrics' && <MetricsContainer />}
          <p className="shortcuts muted">
            <kbd>Space</kbd> or <kbd>Ctrl</kbd>+<kbd>Enter</kbd> start / stop · <kbd>Esc</kbd> stop
          </p>
        </aside>
        {drawerOpen && (
          <div className="drawer-backdrop" onClick={closeDrawers} data-testid="drawer-backdrop" />
        )}
      </div>
    </div>
  )
}
