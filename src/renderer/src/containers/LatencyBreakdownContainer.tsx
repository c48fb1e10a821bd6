import { useMemo } from 'react'
import { LatencyBreakdownPanel } from '../components/LatencyBreakdownPanel'
import { useThrottledStore } from '../hooks/useThrottledStore'
import { useAppStore } from '../store'
import { selectBreakdown, selectPlan } from '../store/selectors'

/** A human reads these: four updates a second, whatever the stream rate. */
const REFRESH_MS = 250

export function LatencyBreakdownContainer() {
  const breakdown = useThrottledStore(selectBreakdown, REFRESH_MS)
  const plan = useAppStore(selectPlan)
  // The recorder is mutable; a new state object (a new revision) is what says it changed.
  const snapshot = useMemo(() => breakdown.recorder.snapshot(), [breakdown])
  const chunkMs = plan?.audio
    ? Math.round((plan.audio.chunkSamples / plan.audio.sampleRate) * 1000)
    : undefined
  return (
    <LatencyBreakdownPanel
      snapshot={snapshot}
      source={breakdown.source}
      server={breakdown.server}
      serverError={breakdown.serverError}
      lastSplit={breakdown.lastSplit}
      chunkMs={chunkMs}
    />
  )
}
