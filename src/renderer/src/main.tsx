import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { z } from 'zod'
import { App } from './App'
import { SessionController } from './session/session-controller'
import { createAppStore } from './store'
import './styles.css'

// Zod probes `new Function` to decide on its JIT; under our CSP that probe logs a violation.
z.config({ jitless: true })

const root = createRoot(document.getElementById('root') as HTMLElement)
const api = window.tritonLive

if (!api) {
  // Opened outside the app (a plain browser tab): say so instead of failing on every click.
  root.render(
    <p className="no-bridge">
      triton-live runs inside its desktop app; this page has no bridge to the main process.
    </p>,
  )
} else {
  const store = createAppStore({ api })
  const controller = new SessionController(store, api)
  window.addEventListener('beforeunload', () => controller.dispose())
  root.render(
    <StrictMode>
      <App api={api} store={store} controller={controller} />
    </StrictMode>,
  )
}
