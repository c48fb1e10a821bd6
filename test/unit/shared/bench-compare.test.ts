import { describe, expect, it } from 'vitest'
import {
  compareRuns,
  type BenchFigures,
  type ComparableRun,
} from '../../../src/shared/bench-compare'
import { benchWarnings, describeFailures } from '../../../src/shared/bench-warnings'
import type { LatencySummary } from '../../../src/shared/results'

function summary(
  p50Ms: number,
  throughput = 10,
  patch: Partial<LatencySummary> = {},
): LatencySummary {
  return {
    requests: 100,
    successes: 100,
    failures: 0,
    successRate: 1,
    durationSec: 10,
    throughput,
    p50Ms,
    p95Ms: p50Ms * 2,
    p99Ms: p50Ms * 3,
    meanMs: p50Ms,
    minMs: p50Ms / 2,
    maxMs: p50Ms * 4,
    ...patch,
  }
}

const windows = (...p50s: number[]): BenchFigures[] => p50s.map((p) => ({ summary: summary(p) }))

function run(label: string, p50s: number[]): ComparableRun {
  const mean = p50s.reduce((a, b) => a + b, 0) / p50s.length
  return { label, summary: summary(mean), windows: windows(...p50s) }
}

const p50 = (a: ComparableRun, b: ComparableRun) => compareRuns(a, b).find((c) => c.key === 'p50')

describe('a comparison measured in windows', () => {
  it('calls a 2x gap a tie when the windows spread wider than the gap', () => {
    // Means 45 and 90 ms; spreads 50 and 60 ms: a 45 ms gap is inside 110 ms of noise.
    const c = p50(run('A', [20, 45, 70]), run('B', [60, 90, 120]))
    expect(c).toMatchObject({ a: 45, b: 90, winner: 'tie', spreadA: 50, spreadB: 60, ratio: 2 })
  })

  it('names the winner when the gap is larger than both spreads together', () => {
    // Means 45 and 90 ms; spreads 4 and 6 ms: 45 ms > 10 ms.
    const c = p50(run('A', [43, 45, 47]), run('B', [87, 90, 93]))
    expect(c).toMatchObject({ winner: 'A', spreadA: 4, spreadB: 6 })
    const reversed = p50(run('A', [87, 90, 93]), run('B', [43, 45, 47]))
    expect(reversed?.winner).toBe('B')
  })

  it('calls it a tie when the gap equals the spreads exactly', () => {
    // Means 50 and 60; spreads 4 and 6: a 10 ms gap is not larger than 10 ms of noise.
    expect(p50(run('A', [48, 50, 52]), run('B', [57, 60, 63]))?.winner).toBe('tie')
  })

  it('ranks single-window runs by the half-percent margin alone', () => {
    const a: ComparableRun = { label: 'A', summary: summary(100) }
    const b: ComparableRun = { label: 'B', summary: summary(101) }
    expect(p50(a, b)?.winner).toBe('A')
    expect(p50(a, b)?.spreadA).toBeUndefined()
    expect(p50(a, { label: 'B', summary: summary(100.4) })?.winner).toBe('tie')
  })

  it('has no latency, and so no winner, for a run where nothing succeeded', () => {
    const dead: ComparableRun = {
      label: 'dead',
      summary: summary(0, 0, { successes: 0, failures: 100, successRate: 0 }),
    }
    const c = p50({ label: 'A', summary: summary(40) }, dead)
    expect(c?.a).toBe(40)
    expect(c?.b).toBeUndefined()
    expect(c?.winner).toBeUndefined()
  })
})

describe('bench warnings', () => {
  const base = {
    label: 'yolo',
    mode: 'rate' as const,
    rate: 10,
    summary: summary(9600, 2.4, { requests: 300, successes: 72, failures: 228, successRate: 0.24 }),
  }

  it('says when the endpoint answered fewer requests per second than asked, with both numbers', () => {
    const w = benchWarnings({
      ...base,
      sentRate: 10,
      answeredRate: 7.49,
      failuresByCause: { 'deadline exceeded': 220, UNAVAILABLE: 8 },
    })
    expect(w).toEqual([
      'yolo: asked for 10.00 req/s but the endpoint answered 7.49 req/s (75%): more load than it sustains here, so requests queued and the latencies include that wait; lower the rate, or find the limit with a concurrency sweep',
      'yolo: 228 of 300 requests failed (deadline exceeded 220, UNAVAILABLE 8)',
    ])
  })

  it('says when the client itself fell behind its schedule', () => {
    const w = benchWarnings({
      ...base,
      summary: summary(40, 8),
      sentRate: 8,
      lateSends: 61,
      answeredRate: 8,
    })
    expect(w[0]).toBe(
      'yolo: the client sent only 8.00 req/s of the 10.00 req/s asked (61 of 100 went out late): this machine is too busy to keep the schedule, so the run measures it as much as the server',
    )
  })

  it('stays quiet within 10 % of the asked rate and without failures', () => {
    expect(
      benchWarnings({ ...base, summary: summary(40, 9), sentRate: 10, answeredRate: 9 }),
    ).toEqual([])
    expect(benchWarnings({ ...base, mode: 'concurrency', summary: summary(40, 1) })).toEqual([])
  })

  it('says that nothing succeeded instead of reporting a latency', () => {
    const w = benchWarnings({
      ...base,
      mode: 'concurrency',
      summary: summary(0, 0, { successes: 0, failures: 600, requests: 600, successRate: 0 }),
      failuresByCause: { 'deadline exceeded': 600 },
    })
    expect(w).toEqual([
      'yolo: 600 of 600 requests failed (deadline exceeded 600); none succeeded, so there is no latency to report',
    ])
  })

  it('lists causes most frequent first, then by name, leaving out zeros', () => {
    expect(describeFailures({ decode: 2, UNAVAILABLE: 2, 'deadline exceeded': 5, x: 0 })).toBe(
      'deadline exceeded 5, UNAVAILABLE 2, decode 2',
    )
  })
})
