import { useMemo } from 'react'
import { LatencyPanel } from '../components/LatencyPanel'
import { latencyStats } from '../components/latency-stats'
import { useThrottledStore } from '../hooks/useThrottledStore'
import { useAppStore } from '../store'
import { selectMetrics, selectSessionSummary } from '../store/selectors'

/** Figures a human reads: four updates a second are plenty, whatever the stream rate. */
const REFRESH_MS = 250

export function LatencyContainer() {
  const metrics = useThrottledStore(selectMetrics, REFRESH_MS)
  const summary = useAppStore(selectSessionSummary)
  const stats = useMemo(() => latencyStats(metrics.latencyMs), [metrics.latencyMs])
  const times = useMemo(() => {
    const t0 = metrics.latencyAtMs[0] ?? 0
    return metrics.latencyAtMs.map((t) => (t - t0) / 1000)
  }, [metrics.latencyAtMs])
  return (
    <LatencyPanel
      stats={stats}
      times={times}
      values={metrics.latencyMs}
      total={metrics.latencyTotal}
      summary={summary}
    />
  )
}
