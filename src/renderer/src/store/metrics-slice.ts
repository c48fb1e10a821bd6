import type { LatencySample } from '../../../shared/ipc-contract'
import type { SliceCreator } from './types'

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

export interface MetricsSlice {
  metrics: MetricsState
  resetMetrics(): void
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

export function createMetricsSlice(): SliceCreator<MetricsSlice> {
  return (set) => ({
    metrics: initialMetricsState(),
    resetMetrics() {
      set({ metrics: initialMetricsState() }, undefined, 'metrics/reset')
    },
  })
}
