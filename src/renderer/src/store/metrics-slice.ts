import type { MetricsPoll, UserError } from '../../../shared/ipc-contract'
import type { SliceCreator, StoreDeps } from './types'

// The session's own round trips live in the breakdown slice's HDR recorder, which both the
// Latency and the Breakdown tab read; this slice holds the server's Prometheus figures.

/** Polls kept for the server charts: five minutes at one poll every two seconds. */
export const SERVER_METRICS_HISTORY = 150

/** The endpoint's Prometheus page over time (GPU, CPU, per-model rates). */
export interface ServerMetricsState {
  endpointId?: string
  /** Successful polls, oldest first, at most SERVER_METRICS_HISTORY. */
  polls: MetricsPoll[]
  /** The newest answer, which may be an error (the page did not answer). */
  last?: MetricsPoll
}

export interface MetricsSlice {
  serverMetrics: ServerMetricsState
  applyMetricsPoll(poll: MetricsPoll): void
  metricsPollFailed(endpointId: string, error: UserError): void
  clearServerMetrics(): void
}

export function initialServerMetricsState(): ServerMetricsState {
  return { polls: [] }
}

/** Adds one poll: errors replace `last` but keep the history; another endpoint starts afresh. */
export function reduceMetricsPoll(m: ServerMetricsState, poll: MetricsPoll): ServerMetricsState {
  const polls = m.endpointId === poll.endpointId ? m.polls : []
  if (poll.error) return { endpointId: poll.endpointId, polls, last: poll }
  const next =
    polls.length >= SERVER_METRICS_HISTORY ? polls.slice(1 - SERVER_METRICS_HISTORY) : polls.slice()
  next.push(poll)
  return { endpointId: poll.endpointId, polls: next, last: poll }
}

export function createMetricsSlice(deps: StoreDeps): SliceCreator<MetricsSlice> {
  const now = deps.now ?? Date.now
  return (set) => ({
    serverMetrics: initialServerMetricsState(),
    applyMetricsPoll(poll) {
      set(
        (s) => ({ serverMetrics: reduceMetricsPoll(s.serverMetrics, poll) }),
        undefined,
        'metrics/poll',
      )
    },
    metricsPollFailed(endpointId, error) {
      const poll: MetricsPoll = {
        endpointId,
        url: '',
        takenAtMs: now(),
        error,
        hasGpuMetrics: false,
        gpus: [],
        cpu: {},
        models: [],
      }
      set(
        (s) => ({ serverMetrics: reduceMetricsPoll(s.serverMetrics, poll) }),
        undefined,
        'metrics/pollFailed',
      )
    },
    clearServerMetrics() {
      set({ serverMetrics: initialServerMetricsState() }, undefined, 'metrics/clearServer')
    },
  })
}
