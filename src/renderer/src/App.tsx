import { useEffect } from 'react'
import type { TritonLiveApi } from '../../shared/ipc-contract'
import { ApiContext } from './bridge'
import { EndpointsContainer } from './containers/EndpointsContainer'
import { LatencyContainer } from './containers/LatencyContainer'
import { ModelsContainer } from './containers/ModelsContainer'
import { SourceContainer } from './containers/SourceContainer'
import { StageContainer } from './containers/StageContainer'
import { useHealthPolling } from './hooks/useHealthPolling'
import { useSessionEvents } from './hooks/useSessionEvents'
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

function Shell() {
  const store = useAppStoreApi()
  useSessionEvents()
  useHealthPolling()
  useShortcuts()
  useEffect(() => {
    // A newcomer should see models without reading anything: connect to the demo at once.
    void store.getState().bootstrap()
  }, [store])

  return (
    <div className="app">
      <aside className="column left">
        <EndpointsContainer />
        <ModelsContainer />
      </aside>
      <div className="column centre">
        <SourceContainer />
        <StageContainer />
      </div>
      <aside className="column right">
        <LatencyContainer />
        <p className="shortcuts muted">
          <kbd>Space</kbd> or <kbd>Ctrl</kbd>+<kbd>Enter</kbd> start / stop · <kbd>Esc</kbd> stop
        </p>
      </aside>
    </div>
  )
}
