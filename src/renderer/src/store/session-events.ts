import type { SessionEvent } from '../../../shared/session-events'
import type { LatencySample } from '../../../shared/session-events'
import type { SessionResultEvent } from '../../../shared/results'
import { reduceBreakdownLatency } from './breakdown-slice'
import { reduceResults } from './results-slice'
import { reduceSessionStatus, type SessionState } from './session-slice'
import type { AppState, SliceCreator, StoreDeps } from './types'

export interface SessionEventsSlice {
  /**
   * One `set` for a whole animation frame's worth of the session's events. They come over the
   * session's own port, so every one belongs to the session on screen.
   */
  applyEvents(events: readonly SessionEvent[]): void
}

/**
 * The one place a batch of session events becomes state: status and flow into the session
 * slice, results into the results slice, latency into the breakdown. Pure apart from the
 * breakdown's recorder, which it owns.
 */
export function reduceSessionEvents(
  s: AppState,
  events: readonly SessionEvent[],
  nowMs: number,
): Pick<AppState, 'session' | 'results' | 'breakdown'> {
  let session: SessionState = s.session
  const results: SessionResultEvent[] = []
  const latency: LatencySample[] = []
  for (const e of events) {
    switch (e.kind) {
      case 'status':
        session = reduceSessionStatus(session, e)
        break
      case 'flow':
        session = { ...session, flow: e }
        break
      case 'notice':
        session = { ...session, notice: e.message }
        break
      case 'latency':
        latency.push(e)
        break
      case 'ack':
        break
      default:
        results.push(e)
    }
  }
  return {
    session,
    // Source is locked while a session runs: it is the session's own.
    results: reduceResults(s.results, results, nowMs, session.source === 'file'),
    breakdown: reduceBreakdownLatency(s.breakdown, latency),
  }
}

export function createSessionEventsSlice(deps: StoreDeps): SliceCreator<SessionEventsSlice> {
  const now = deps.now ?? Date.now
  return (set) => ({
    applyEvents(events) {
      set((s) => reduceSessionEvents(s, events, now()), undefined, 'session/events')
    },
  })
}
