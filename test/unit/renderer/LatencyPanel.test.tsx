// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { LatencyPanel } from '../../../src/renderer/src/components/LatencyPanel'
import { formatMs } from '../../../src/renderer/src/components/latency-stats'
import { LatencyContainer } from '../../../src/renderer/src/containers/LatencyContainer'
import {
  BreakdownRecorder,
  SERIES_CAPACITY,
} from '../../../src/renderer/src/metrics/breakdown-recorder'
import { createAppStore, StoreContext } from '../../../src/renderer/src/store'
import type { SessionEvent, SessionPlan } from '../../../src/shared/ipc-contract'
import { demoBridge } from './fake-bridge'

beforeAll(() => {
  // jsdom has no canvas; the chart steps aside and the figures are what is tested.
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null)
})
afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

/** HDR keeps three significant digits: a reported value is within 0.1 % of the true one. */
function expectNear(actual: number | undefined, expected: number): void {
  expect(actual).toBeDefined()
  expect(Math.abs((actual ?? NaN) - expected)).toBeLessThanOrEqual(expected * 0.001)
}

function recorderOf(values: readonly number[]): BreakdownRecorder {
  const r = new BreakdownRecorder(0)
  values.forEach((roundTripMs, i) => r.addLatency({ atMs: i * 100, roundTripMs }))
  return r
}

describe('round-trip figures from the HDR recorder', () => {
  it('gives last, mean and nearest-rank percentiles of unsorted samples', () => {
    // 1..100 shuffled deterministically, the last one pushed being 37.
    const values = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1)
    values.push(values.splice(values.indexOf(37), 1)[0])
    const view = recorderOf(values).roundTripView()
    expect(view.lastMs).toBe(37)
    expect(view.figures).toMatchObject({ count: 100, meanMs: 50.5, minMs: 1, maxMs: 100 })
    expectNear(view.figures?.p50Ms, 50)
    expectNear(view.figures?.p95Ms, 95)
    expectNear(view.figures?.p99Ms, 99)
  })

  it('handles ten samples exactly, within HDR precision', () => {
    const view = recorderOf([12, 5, 40, 8, 9, 11, 7, 30, 6, 10]).roundTripView()
    // sorted: 5 6 7 8 9 10 11 12 30 40
    expectNear(view.figures?.p50Ms, 9)
    expect(view.figures?.p95Ms).toBe(40)
    expect(view.figures?.p99Ms).toBe(40)
    expect(view.figures?.meanMs).toBe(13.8)
    expect(view.lastMs).toBe(10)
    expect(view.series[1]).toEqual([12, 5, 40, 8, 9, 11, 7, 30, 6, 10])
  })

  it('formats for reading', () => {
    expect(formatMs(undefined)).toBe('–')
    expect(formatMs(3.14159)).toBe('3.1')
    expect(formatMs(123.6)).toBe('124')
  })
})

describe('LatencyPanel', () => {
  it('shows the figures for known samples', () => {
    const values = [12, 5, 40, 8, 9, 11, 7, 30, 6, 10]
    const view = recorderOf(values).roundTripView()
    render(
      <LatencyPanel
        figures={view.figures}
        lastMs={view.lastMs}
        times={view.series[0]}
        values={view.series[1]}
      />,
    )
    expect(screen.getByTestId('latency-last').textContent).toBe('10.0')
    expect(screen.getByTestId('latency-mean').textContent).toBe('13.8')
    expect(screen.getByTestId('latency-p50').textContent).toBe('9.0')
    expect(screen.getByTestId('latency-p95').textContent).toBe('40.0')
    expect(screen.getByTestId('latency-p99').textContent).toBe('40.0')
    expect(screen.getByTestId('latency-count').textContent).toBe('10 samples')
  })

  it('shows dashes, and "No samples yet" instead of a bare chart, before any sample', () => {
    render(<LatencyPanel times={[]} values={[]} />)
    expect(screen.getByTestId('latency-p99').textContent).toBe('–')
    expect(screen.getByTestId('latency-last').textContent).toBe('–')
    expect(screen.getByTestId('latency-count').textContent).toBe('0 samples')
    expect(screen.getByTestId('latency-chart-empty').textContent).toBe('No samples yet')
    // The one series is still named, with its unit.
    expect(screen.getByTestId('latency-chart-legend').textContent).toBe('round trip (ms)')
  })
})

describe('LatencyContainer', () => {
  const plan: SessionPlan = {
    sessionId: 's1',
    model: 'tone_asr',
    kind: 'streaming-asr',
    audio: { sampleRate: 16000, chunkSamples: 10240 },
  }

  it('counts every round trip of the session and charts the newest points', () => {
    vi.useFakeTimers()
    const store = createAppStore({ api: demoBridge().api })
    store.getState().resetBreakdown(0, 'file')
    store.getState().sessionStarting(0)
    store.getState().sessionStarted(plan)
    render(
      <StoreContext.Provider value={store}>
        <LatencyContainer />
      </StoreContext.Provider>,
    )
    const total = SERIES_CAPACITY + 500
    const batch: SessionEvent[] = Array.from({ length: total }, (_, i) => ({
      kind: 'latency',
      sessionId: 's1',
      atMs: i,
      roundTripMs: i + 1,
    }))
    act(() => store.getState().applyEvents(batch))
    act(() => vi.advanceTimersByTime(250))
    expect(screen.getByTestId('latency-last').textContent).toBe(String(total))
    expect(screen.getByTestId('latency-count').textContent).toBe(
      `${total} samples (chart: newest ${SERIES_CAPACITY})`,
    )
    // Nearest rank over all samples, not over the charted ones: p50 of 1..total.
    const p50 = Number(screen.getByTestId('latency-p50').textContent)
    expect(Math.abs(p50 - total / 2)).toBeLessThanOrEqual((total / 2) * 0.001 + 1)
    expect(screen.getByTestId('latency-chart').getAttribute('data-points')).toBe(
      String(SERIES_CAPACITY),
    )
  })
})
