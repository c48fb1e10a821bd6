import type { LatencySample, MetricsPoll, UserError } from '../../../shared/ipc-contract'
import type { SliceCreator, StoreDeps } from './types'

/** Enough for a glance at p99 and a chart; the exact HDR histogram lives in main. */
export const LATENCY_WINDOW = 2000

export interface MetricsState {
  /**
   * The newest LATENCY_WINDOW round trips (ms) and their times (ms since epoch), oldest first:
   * a fixed-size window that drops the oldest value when full.
   */
  latencyMs: number[]
  latencyAtMs: number[]
  /** All samples of the session, including those that fell out of the window. */
  latencyTotal: number
}

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
  metrics: MetricsState
  serverMetrics: ServerMetricsState
  resetMetrics(): void
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

export function initialMetricsState(): MetricsState {
  return { latencyMs: [], latencyAtMs: [], latencyTotal: 0 }
}

export function reduceLatency(m: MetricsState, samples: readonly LatencySample[]): MetricsState {
  if (samples.length === 0) return m
  const values = m.latencyMs.concat(samples.map((s) => s.roundTripMs))
  const times = m.latencyAtMs.concat(samples.map((s) => s.atMs))
  const drop = Math.max(0, values.length - LATENCY_WINDOW)
  return {
    latencyMs: drop ? values.slice(drop) : values,
    latencyAtMs: drop ? times.slice(drop) : times,
    latencyTotal: m.latencyTotal + samples.length,
  }
}

export function createMetricsSlice(deps: StoreDeps): SliceCreator<MetricsSlice> {
  const now = deps.now ?? Date.now
  return (set) => ({
    metrics: initialMetricsState(),
    serverMetrics: initialServerMetricsState(),
    resetMetrics() {
      set({ metrics: initialMetricsState() }, undefined, 'metrics/reset')
    },
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
