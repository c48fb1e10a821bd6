import { useEffect } from 'react'
import { useApi } from '../bridge'
import { useAppStore, useAppStoreApi } from '../store'
import { selectConnectedEndpointId, selectPlan } from '../store/selectors'
import { isActiveStatus } from '../store/session-slice'
import type { AppState } from '../store/types'

export const SERVER_STATS_POLL_MS = 2000

/** Still draining while stopping: the last answers are on their way. */
const selectPolling = (s: AppState): boolean =>
  isActiveStatus(s.session.status) || s.session.status === 'stopping'

/**
 * While a session runs, asks for the model's server-side time split (ModelStatistics deltas)
 * every 2 s, one call at a time. The first answer of a session is only a baseline: it covers the
 * time before the session. A last call when the session ends folds in its tail.
 */
export function useServerStatsPolling(intervalMs = SERVER_STATS_POLL_MS): void {
  const api = useApi()
  const store = useAppStoreApi()
  const endpointId = useAppStore(selectConnectedEndpointId)
  const plan = useAppStore(selectPlan)
  const active = useAppStore(selectPolling)
  const sessionId = plan?.sessionId
  const model = plan?.model

  useEffect(() => {
    if (!endpointId || !sessionId || !model || !active) return
    let stopped = false
    let baseline = true
    let timer: ReturnType<typeof setTimeout> | undefined
    let inFlight: Promise<void> = Promise.resolve()

    const ask = async (): Promise<void> => {
      const r = await api.metrics.serverStats(endpointId, model)
      const s = store.getState()
      if (s.session.plan?.sessionId !== sessionId) return
      if (!r.ok) s.serverStatsFailed(r.error)
      else if (baseline) baseline = false
      else s.applyServerSplit(r.value)
    }
    const loop = (): void => {
      inFlight = ask().finally(() => {
        if (!stopped) timer = setTimeout(loop, intervalMs)
      })
    }
    loop()
    return () => {
      stopped = true
      if (timer !== undefined) clearTimeout(timer)
      // The session ended (or moved on): once the call in flight is back, fold in the tail.
      void inFlight.then(() => (baseline ? undefined : ask()))
    }
  }, [api, store, endpointId, sessionId, model, active, intervalMs])
}
