import { useEffect } from 'react'
import { useApi } from '../bridge'
import { useAppStore, useAppStoreApi } from '../store'
import { selectConnectedEndpointId } from '../store/selectors'

/** Triton refreshes its GPU and CPU gauges every 2 s by default (--metrics-interval-ms). */
export const METRICS_POLL_MS = 2000

/**
 * Scrapes the connected endpoint's Prometheus page while connected. The next poll is scheduled
 * only when the previous one has answered, so a slow page never stacks calls; disconnecting or
 * switching endpoints stops the loop and drops a late answer.
 */
export function useMetricsPolling(intervalMs = METRICS_POLL_MS): void {
  const api = useApi()
  const store = useAppStoreApi()
  const endpointId = useAppStore(selectConnectedEndpointId)
  useEffect(() => {
    if (!endpointId) return
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const poll = async (): Promise<void> => {
      const r = await api.metrics.poll(endpointId)
      if (stopped || store.getState().connection.connectedId !== endpointId) return
      if (r.ok) store.getState().applyMetricsPoll(r.value)
      else store.getState().metricsPollFailed(endpointId, r.error)
      timer = setTimeout(() => void poll(), intervalMs)
    }
    void poll()
    return () => {
      stopped = true
      if (timer !== undefined) clearTimeout(timer)
    }
  }, [api, store, endpointId, intervalMs])
}
