import { useMemo } from 'react'
import { LatencyPanel } from '../components/LatencyPanel'
import { useThrottledStore } from '../hooks/useThrottledStore'
import { useAppStore } from '../store'
import { selectBreakdown, selectSessionSummary } from '../store/selectors'

/** Figures a human reads: four updates a second are plenty, whatever the stream rate. */
const REFRESH_MS = 250

/** The round-trip figures of the breakdown's HDR recorder, so both tabs agree on p95. */
export function LatencyContainer() {
  const breakdown = useThrottledStore(selectBreakdown, REFRESH_MS)
  const summary = useAppStore(selectSessionSummary)
  // The recorder is mutable; a new state object (a new revision) is what says it changed.
  const view = useMemo(() => breakdown.recorder.roundTripView(), [breakdown])
  return (
    <LatencyPanel
      figures={view.figures}
      lastMs={view.lastMs}
      times={view.series[0]}
      values={view.series[1]}
      summary={summary}
    />
  )
}
