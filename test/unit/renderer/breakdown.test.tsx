// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { LatencyBreakdownPanel } from '../../../src/renderer/src/components/LatencyBreakdownPanel'
import { BreakdownRecorder } from '../../../src/renderer/src/metrics/breakdown-recorder'
import { MsHistogram } from '../../../src/shared/ms-histogram'
import { PaintClock, STALE_AFTER_MS } from '../../../src/renderer/src/metrics/paint-clock'
import { createAppStore } from '../../../src/renderer/src/store'
import type { ServerTimeSplit, SessionEvent } from '../../../src/shared/ipc-contract'
import { demoBridge } from './fake-bridge'

beforeAll(() => {
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null)
})
afterEach(cleanup)

/** HDR keeps three significant digits: a reported value is within 0.1 % of the true one. */
function expectNear(actual: number | undefined, expected: number): void {
  expect(actual).toBeDefined()
  expect(Math.abs((actual ?? NaN) - expected)).toBeLessThanOrEqual(expected * 0.001)
}

const split = (over: Partial<ServerTimeSplit> = {}): ServerTimeSplit => ({
  requests: 10,
  successes: 10,
  failures: 0,
  avgQueueMs: 2,
  avgComputeInputMs: 0.5,
  avgComputeInferMs: 2,
  avgComputeOutputMs: 0.5,
  avgServerMs: 5.5,
  avgBatch: 1,
  ...over,
})

/**
 * Ten requests i = 1..10: capture → send i ms, round trip 10·i ms, render i ms; the server
 * says 2 ms queue and 3 ms compute. So network = 10·i − 5 and glass = i + 10·i + i = 12·i.
 */
function knownRecorder(): BreakdownRecorder {
  const r = new BreakdownRecorder(1000)
  for (let i = 1; i <= 10; i++) {
    r.addLatency({ atMs: 1000 + i * 100, roundTripMs: 10 * i, captureToSendMs: i })
  }
  r.addServerSplit(split())
  for (let i = 1; i <= 10; i++) {
    r.addPaint({
      renderMs: i,
      latency: { atMs: 1000 + i * 100, roundTripMs: 10 * i, captureToSendMs: i },
    })
  }
  return r
}

describe('HDR histogram in ms', () => {
  it('gives nearest-rank percentiles within HDR precision, exact count, mean and extremes', () => {
    const h = new MsHistogram()
    for (let v = 1; v <= 100; v++) h.record(v)
    expectNear(h.percentile(50), 50)
    expectNear(h.percentile(95), 95)
    expectNear(h.percentile(99), 99)
    expect(h.percentile(100)).toBe(100)
    expect(h.figures()).toMatchObject({ count: 100, meanMs: 50.5, minMs: 1, maxMs: 100 })
  })

  it('keeps sub-millisecond values to the microsecond and ignores nonsense', () => {
    const h = new MsHistogram()
    h.record(0.25)
    h.record(0.75, 3)
    h.record(Number.NaN)
    h.record(-1)
    expect(h.count).toBe(4)
    expect(h.percentile(25)).toBe(0.25)
    expect(h.percentile(50)).toBe(0.75)
  })

  it('buckets into doubling bars from the HDR buckets, empty bars included', () => {
    const h = new MsHistogram()
    for (const v of [3, 3.5, 4, 5, 9, 30]) h.record(v)
    const bars = h.buckets().map((b) => [b.upperMs, b.count])
    // (0,2] is empty and dropped; then (2,4] (4,8] (8,16] (16,32]
    expect(bars).toEqual([
      [4, 3],
      [8, 1],
      [16, 1],
      [32, 1],
    ])
    expect(new MsHistogram().buckets()).toEqual([])
  })
})

describe('breakdown math', () => {
  it('splits known requests into segments with the right percentiles', () => {
    const s = knownRecorder().snapshot()
    const seg = s.segments
    expect(seg.captureToSend?.count).toBe(10)
    expectNear(seg.captureToSend?.p50Ms, 5)
    expectNear(seg.captureToSend?.p95Ms, 10)
    expectNear(seg.network?.p50Ms, 45)
    expectNear(seg.network?.p95Ms, 95)
    expectNear(seg.network?.p99Ms, 95)
    expect(seg.network?.meanMs).toBeCloseTo(50, 6)
    expect(seg.serverQueue).toMatchObject({ count: 10, p50Ms: 2, p99Ms: 2, meanMs: 2 })
    expect(seg.serverCompute).toMatchObject({ count: 10, p50Ms: 3, p99Ms: 3, meanMs: 3 })
    expectNear(seg.render?.p50Ms, 5)
    expectNear(seg.render?.p99Ms, 10)
    expectNear(s.roundTrip?.p50Ms, 50)
    expect(s.roundTrip?.p95Ms).toBe(100)
    expectNear(s.glass?.p50Ms, 60)
    expect(s.glass?.p99Ms).toBe(120)
    expect(s.serverIntervals).toBe(1)
    // The average split adds up: capture 5.5 + network 50 + queue 2 + compute 3 + render 5.5.
    const sum = Object.values(seg).reduce((a, f) => a + (f?.meanMs ?? 0), 0)
    expect(sum).toBeCloseTo(66, 6)
    expect(s.roundTripSeries[0]).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1])
    expect(s.roundTripSeries[1][9]).toBe(100)
  })

  it('caps network at zero and skips server intervals with none of our requests', () => {
    const r = new BreakdownRecorder(0)
    r.addServerSplit(split()) // nothing of ours yet: someone else's traffic
    r.addLatency({ atMs: 1, roundTripMs: 4 })
    r.addServerSplit(split({ avgQueueMs: 3, avgComputeInferMs: 5 }))
    const s = r.snapshot()
    expect(s.serverIntervals).toBe(1)
    expect(s.segments.network?.p50Ms).toBe(0)
    expect(s.segments.captureToSend).toBeUndefined()
    expect(r.awaitingServer).toBe(0)
  })

  it('pairs a result with the latency sample sent just before it, and drops stale ones', () => {
    const clock = new PaintClock()
    const latency = {
      kind: 'latency',
      sessionId: 's',
      atMs: 5,
      roundTripMs: 40,
      captureToSendMs: 7,
    }
    const result = {
      kind: 'transcript',
      sessionId: 's',
      utterance: 0,
      final: true,
      text: 'hi',
      startSec: 0,
      endSec: 1,
      latencyMs: 40,
    }
    clock.arrive(latency as SessionEvent, 100)
    clock.arrive(result as SessionEvent, 101)
    // Painting before delivery finds nothing in the store yet.
    expect(clock.painted(102)).toEqual([])
    clock.markDelivered(110)
    const [p] = clock.painted(117)
    expect(p.renderMs).toBe(16)
    expect(p.latency?.roundTripMs).toBe(40)
    // A result nobody paints in time (the stage was hidden) is not counted.
    clock.arrive(result as SessionEvent, 200)
    clock.markDelivered(201)
    expect(clock.painted(202 + STALE_AFTER_MS)).toEqual([])
  })
})

describe('breakdown slice', () => {
  it('folds latency events, paints and server splits into one session breakdown', () => {
    let t = 0
    const bridge = demoBridge()
    const store = createAppStore({ api: bridge.api, perfNow: () => t })
    store.getState().resetBreakdown(1000, 'microphone')
    store.setState((s) => ({
      session: {
        ...s.session,
        status: 'running',
        plan: { sessionId: 's', model: 'm', kind: 'streaming-asr' },
      },
    }))
    const events: SessionEvent[] = [
      { kind: 'latency', atMs: 1100, roundTripMs: 20, captureToSendMs: 640 },
      {
        kind: 'transcript',
        utterance: 0,
        final: false,
        text: 'he',
        startSec: 0,
        endSec: 0.6,
        latencyMs: 20,
      },
    ]
    t = 10
    for (const e of events) store.getState().noteArrival(e)
    t = 12
    store.getState().applyEvents(events)
    store.getState().noteDelivered()
    t = 18
    store.getState().notePainted()
    store.getState().applyServerSplit(split({ requests: 1 }))
    const b = store.getState().breakdown
    expect(b.server).toBe('ok')
    const s = b.recorder.snapshot()
    expect(s.segments.render?.p50Ms).toBe(8)
    expect(s.segments.network?.p50Ms).toBe(15)
    expect(s.glass?.p50Ms).toBe(668)
    expect(store.getState().results.transcriptCount).toBe(1)
  })
})

describe('LatencyBreakdownPanel', () => {
  it('shows every segment, the stacked bar and the glass-to-glass verdict', () => {
    render(
      <LatencyBreakdownPanel
        snapshot={knownRecorder().snapshot()}
        source="microphone"
        server="ok"
        lastSplit={split()}
        chunkMs={640}
      />,
    )
    expect(screen.getByTestId('breakdown-count').textContent).toBe('10 requests')
    expect(screen.getByTestId('breakdown-captureToSend-p50').textContent).toBe('5.0')
    expect(screen.getByTestId('breakdown-network-p50').textContent).toBe('45.0')
    expect(screen.getByTestId('breakdown-network-p95').textContent).toBe('95.0')
    expect(screen.getByTestId('breakdown-serverQueue-p99').textContent).toBe('2.0')
    expect(screen.getByTestId('breakdown-serverCompute-p50').textContent).toBe('3.0')
    expect(screen.getByTestId('breakdown-render-p95').textContent).toBe('10.0')
    expect(screen.getByTestId('breakdown-roundTrip-p95').textContent).toBe('100')
    expect(screen.getByTestId('breakdown-glass-p99').textContent).toBe('120')
    expect(screen.getAllByTestId('breakdown-bar-part').map((e) => e.dataset.segment)).toEqual([
      'captureToSend',
      'network',
      'serverQueue',
      'serverCompute',
      'render',
    ])
    expect(screen.getByTestId('breakdown-total').textContent).toBe('66.0')
    expect(screen.getByTestId('glass-verdict').dataset.under).toBe('true')
    expect(screen.getByTestId('glass-verdict').textContent).toContain('under the 300 ms')
    expect(screen.getByTestId('breakdown-server').textContent).toContain('1 interval of 2 s')
  })

  it('says when glass to glass is over the voice target, and when a file has no capture stamp', () => {
    const slow = new BreakdownRecorder(0)
    slow.addLatency({ atMs: 1, roundTripMs: 30, captureToSendMs: 640 })
    slow.addPaint({ renderMs: 5, latency: { atMs: 1, roundTripMs: 30, captureToSendMs: 640 } })
    const { rerender } = render(
      <LatencyBreakdownPanel
        snapshot={slow.snapshot()}
        source="microphone"
        server="waiting"
        chunkMs={640}
      />,
    )
    expect(screen.getByTestId('glass-verdict').dataset.under).toBe('false')
    expect(screen.getByTestId('glass-verdict').textContent).toContain('p95 675 ms')
    expect(screen.getByTestId('breakdown-server').dataset.state).toBe('waiting')
    rerender(
      <LatencyBreakdownPanel
        snapshot={new BreakdownRecorder(0).snapshot()}
        source="file"
        server="idle"
      />,
    )
    expect(screen.getByTestId('glass-none')).toBeTruthy()
    expect(screen.queryByTestId('glass-verdict')).toBeNull()
    expect(screen.getByTestId('breakdown-network-p50').textContent).toBe('–')
  })
})
