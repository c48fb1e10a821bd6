import { Fragment, memo, type ReactNode } from 'react'
import type { EndpointHealth } from '../../../shared/ipc-contract'
import { formatMs } from './latency-stats'

export interface HealthBadgeProps {
  health?: EndpointHealth
  connected: boolean
  connecting: boolean
}

type BadgeState = 'disconnected' | 'connecting' | 'ready' | 'live' | 'down'

export function badgeState(p: HealthBadgeProps): BadgeState {
  if (p.connecting) return 'connecting'
  if (!p.connected) return p.health && !p.health.live ? 'down' : 'disconnected'
  if (!p.health || !p.health.live) return 'down'
  return p.health.ready ? 'ready' : 'live'
}

const LABEL: Record<BadgeState, string> = {
  disconnected: 'not connected',
  connecting: 'connecting…',
  ready: 'live · ready',
  live: 'live · not ready',
  down: 'unreachable',
}

/** "Triton 2.41.0" for Triton itself (its metadata says "triton"), other servers as named. */
export function serverLabel(name?: string, version?: string): string {
  if (!name) return ''
  const shown = name.toLowerCase() === 'triton' ? 'Triton' : name
  return version ? `${shown} ${version}` : shown
}

/** Server health at a glance, each figure labelled: "RTT 43.2 ms · Triton 2.41.0 · 10 extensions". */
export const HealthBadge = memo(function HealthBadge(props: HealthBadgeProps) {
  const state = badgeState(props)
  const h = props.health
  const server = serverLabel(h?.serverName, h?.serverVersion)
  const parts: ReactNode[] = []
  if (h && props.connected) {
    if (h.roundTripMs !== undefined)
      parts.push(
        <span
          key="rtt"
          title="Round trip of the last health check (ServerLive)"
          data-testid="health-rtt"
        >
          RTT {formatMs(h.roundTripMs)} ms
        </span>,
      )
    if (server)
      parts.push(
        <span key="server" title="Server name and version" data-testid="health-server">
          {server}
        </span>,
      )
    if (h.extensions.length > 0)
      parts.push(
        <span
          key="ext"
          className="health-extensions"
          title={h.extensions.join(', ')}
          data-testid="health-extensions"
        >
          {h.extensions.length} extension{h.extensions.length === 1 ? '' : 's'}
        </span>,
      )
    if (h.warning)
      parts.push(
        <span
          key="warning"
          className="health-warning"
          title={h.warning}
          data-testid="health-warning"
        >
          credential sent without TLS
        </span>,
      )
  }
  return (
    <div className={`health-badge health-${state}`} data-testid="health-badge" data-state={state}>
      <span className="health-dot" aria-hidden="true" />
      <span className="health-label">{LABEL[state]}</span>
      {parts.length > 0 && (
        <span className="health-detail" data-testid="health-detail">
          {parts.map((part, i) => (
            <Fragment key={i}>
              {i > 0 && ' · '}
              {part}
            </Fragment>
          ))}
        </span>
      )}
    </div>
  )
})
