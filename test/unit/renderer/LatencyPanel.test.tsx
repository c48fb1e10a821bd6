// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { LatencyPanel } from '../../../src/renderer/src/components/LatencyPanel'
import {
  formatMs,
  latencyStats,
  percentile,
} from '../../../src/renderer/src/components/latency-stats'

beforeAll(() => {
  // jsdom has no canvas; the chart steps aside and the figures are what is tested.
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null)
})
afterEach(cleanup)

describe('latency figures', () => {
  it('uses nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(sorted, 50)).toBe(50)
    expect(percentile(sorted, 95)).toBe(95)
    expect(percentile(sorted, 99)).toBe(99)
    expect(percentile(sorted, 100)).toBe(100)
    expect(percentile([7], 99)).toBe(7)
    expect(percentile([], 50)).toBeUndefined()
  })

  it('computes last, mean and percentiles from unsorted samples', () => {
    // 1..100 shuffled deterministically, the last one pushed being 37.
    const values = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1)
    values.push(values.splice(values.indexOf(37), 1)[0])
    const s = latencyStats(values)
    expect(s).toMatchObject({
      count: 100,
      lastMs: 37,
      meanMs: 50.5,
      p50Ms: 50,
      p95Ms: 95,
      p99Ms: 99,
      minMs: 1,
      maxMs: 100,
    })
  })

  it('handles ten samples exactly', () => {
    const s = latencyStats([12, 5, 40, 8, 9, 11, 7, 30, 6, 10])
    // sorted: 5 6 7 8 9 10 11 12 30 40
    expect(s.p50Ms).toBe(9)
    expect(s.p95Ms).toBe(40)
    expect(s.p99Ms).toBe(40)
    expect(s.meanMs).toBe(13.8)
    expect(s.lastMs).toBe(10)
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
    render(
      <LatencyPanel
        stats={latencyStats(values)}
        times={values.map((_, i) => i / 10)}
        values={values}
        total={10}
      />,
    )
    expect(screen.getByTestId('latency-last').textContent).toBe('10.0')
    expect(screen.getByTestId('latency-mean').textContent).toBe('13.8')
    expect(screen.getByTestId('latency-p50').textContent).toBe('9.0')
    expect(screen.getByTestId('latency-p95').textContent).toBe('40.0')
    expect(screen.getByTestId('latency-p99').textContent).toBe('40.0')
    expect(screen.getByTestId('latency-count').textContent).toBe('10 samples')
  })

  it('shows dashes before any sample and says when the window is partial', () => {
    const { rerender } = render(
      <LatencyPanel stats={latencyStats([])} times={[]} values={[]} total={0} />,
    )
    expect(screen.getByTestId('latency-p99').textContent).toBe('–')
    rerender(
      <LatencyPanel stats={latencyStats([1, 2])} times={[0, 1]} values={[1, 2]} total={5000} />,
    )
    expect(screen.getByTestId('latency-count').textContent).toBe('last 2 of 5000')
  })
})
