import { memo } from 'react'
import { formatMs } from '../components/latency-stats'
import { useThrottledStore } from '../hooks/useThrottledStore'
import { selectBreakdown } from '../store/selectors'

export interface PanelToggleProps {
  open: boolean
  onToggle(): void
}

/** Shows or hides the sidebar: endpoints, the connection doctor and the model browser. */
export const SidebarToggle = memo(function SidebarToggle({ open, onToggle }: PanelToggleProps) {
  return (
    <button
      type="button"
      className={`panel-toggle${open ? ' on' : ''}`}
      aria-expanded={open}
      aria-controls="sidebar"
      title={`${open ? 'Hide' : 'Show'} endpoints and models`}
      onClick={onToggle}
      data-testid="toggle-sidebar"
    >
      <span aria-hidden="true">☰</span> Models
    </button>
  )
})

/**
 * Shows or hides Latency, Breakdown and Metrics. It carries the session's p50, so a window too
 * small to dock the figures still shows the one number people watch.
 */
export const FiguresToggle = memo(function FiguresToggle({ open, onToggle }: PanelToggleProps) {
  const breakdown = useThrottledStore(selectBreakdown, 500)
  const p50 =
    breakdown.recorder.roundTripCount > 0
      ? breakdown.recorder.roundTripView().figures?.p50Ms
      : undefined
  return (
    <button
      type="button"
      className={`panel-toggle${open ? ' on' : ''}`}
      aria-expanded={open}
      aria-controls="figures"
      title={`${open ? 'Hide' : 'Show'} latency, breakdown and server metrics`}
      onClick={onToggle}
      data-testid="toggle-figures"
    >
      Figures
      {p50 !== undefined && (
        <span className="toggle-figure" data-testid="toggle-figures-p50">
          {' '}
          · p50 {formatMs(p50)} ms
        </span>
      )}
    </button>
  )
})
