import { memo } from 'react'
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

/** Server health at a glance; refreshed by polling while connected. */
export const HealthBadge = memo(function HealthBadge(props: HealthBadgeProps) {
  const state = badgeState(props)
  const h = props.health
  const server = h?.serverName
    ? `${h.serverName}${h.serverVersion ? ` ${h.serverVersion}` : ''}`
    : ''
  return (
    <div className={`health-badge health-${state}`} data-testid="health-badge" data-state={state}>
      <span className="health-dot" aria-hidden="true" />
      <span className="health-label">{LABEL[state]}</span>
      {h && props.connected && (
        <span className="health-detail">
          {server && <span data-testid="health-server">{server}</span>}
          {h.roundTripMs !== undefined && (
            <span data-testid="health-rtt"> · {formatMs(h.roundTripMs)} ms</span>
          )}
          {h.extensions.length > 0 && (
            <span
              className="health-extensions"
              title={h.extensions.join(', ')}
              data-testid="health-extensions"
            >
              {' '}
              · {h.extensions.length} extensions
            </span>
          )}
          {h.warning && (
            <span className="health-warning" title={h.warning} data-testid="health-warning">
              {' '}
              · credential sent without TLS
            </span>
          )}
        </span>
      )}
    </div>
  )
})
