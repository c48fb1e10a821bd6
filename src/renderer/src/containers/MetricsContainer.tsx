import { MetricsPanel } from '../components/MetricsPanel'
import { METRICS_POLL_MS } from '../hooks/useMetricsPolling'
import { useAppStore } from '../store'
import { selectConnectedEndpointId, selectServerMetrics } from '../store/selectors'

/** The polling itself runs in the shell (useMetricsPolling), so history builds up off-tab too. */
export function MetricsContainer() {
  const connectedId = useAppStore(selectConnectedEndpointId)
  const metrics = useAppStore(selectServerMetrics)
  const current = metrics.endpointId === connectedId
  return (
    <MetricsPanel
      connected={connectedId !== undefined}
      last={current ? metrics.last : undefined}
      polls={current ? metrics.polls : []}
      intervalMs={METRICS_POLL_MS}
    />
  )
}
