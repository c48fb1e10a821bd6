import { describe, expect, it } from 'vitest'
import { LatencyRecorder } from '../../../src/main/metrics/latency-histogram'

/** Relative error of a histogram figure against the exact value. */
const relErr = (got: number, want: number): number => Math.abs(got - want) / want

function recorderWith1To1000(): LatencyRecorder {
  const rec = new LatencyRecorder()
  for (let ms = 1; ms <= 1000; ms += 1) rec.record(ms)
  return rec
}

describe('LatencyRecorder', () => {
  it('reports percentiles of 1..1000 ms within HDR precision (0.1 %)', () => {
    const rec = recorderWith1To1000()
    expect(rec.count).toBe(1000)
    expect(relErr(rec.percentile(50), 500)).toBeLessThan(0.001)
    expect(relErr(rec.percentile(95), 950)).toBeLessThan(0.001)
    expect(relErr(rec.percentile(99), 990)).toBeLessThan(0.001)
    expect(relErr(rec.percentile(100), 1000)).toBeLessThan(0.001)
  })

  it('keeps mean, min and max exact rather than bucket-rounded', () => {
    const rec = recorderWith1To1000()
    expect(rec.mean).toBe(500.5)
    expect(rec.min).toBe(1)
    expect(rec.max).toBe(1000)
  })

  it('counts failures apart from the latency distribution', () => {
    const rec = recorderWith1To1000()
    rec.recordFailure()
    rec.recordFailure()
    const s = rec.summary(10)
    expect(s.requests).toBe(1002)
    expect(s.successes).toBe(1000)
    expect(s.failures).toBe(2)
    expect(s.successRate).toBeCloseTo(1000 / 1002, 12)
    expect(s.throughput).toBe(100)
    expect(s.durationSec).toBe(10)
    expect(s.meanMs).toBe(500.5)
    expect(s.minMs).toBe(1)
    expect(s.maxMs).toBe(1000)
    expect(relErr(s.p50Ms, 500)).toBeLessThan(0.001)
    expect(relErr(s.p99Ms, 990)).toBeLessThan(0.001)
  })

  it('rounds summary latencies to 0.01 ms', () => {
    const rec = new LatencyRecorder()
    rec.record(1.23456)
    const s = rec.summary(1)
    expect(s.meanMs).toBe(1.23)
    expect(s.minMs).toBe(1.23)
    expect(s.maxMs).toBe(1.23)
    expect(Number.isInteger(Math.round(s.p50Ms * 100))).toBe(true)
    expect(s.p50Ms * 100).toBeCloseTo(Math.round(s.p50Ms * 100), 9)
  })

  it('summarises an empty run as zeros instead of NaN', () => {
    const s = new LatencyRecorder().summary(0)
    expect(s).toEqual({
      requests: 0,
      successes: 0,
      failures: 0,
      successRate: 0,
      durationSec: 0,
      throughput: 0,
      p50Ms: 0,
      p95Ms: 0,
      p99Ms: 0,
      meanMs: 0,
      minMs: 0,
      maxMs: 0,
    })
  })

  it('rejects negative or non-finite latencies and out-of-range percentiles', () => {
    const rec = new LatencyRecorder()
    expect(() => rec.record(-1)).toThrow(RangeError)
    expect(() => rec.record(Number.NaN)).toThrow(RangeError)
    expect(() => rec.percentile(101)).toThrow(RangeError)
  })

  it('clamps latencies above one hour instead of throwing', () => {
    const rec = new LatencyRecorder()
    rec.record(5 * 3_600_000)
    expect(rec.count).toBe(1)
    expect(relErr(rec.percentile(50), 3_600_000)).toBeLessThan(0.001)
    expect(rec.max).toBe(5 * 3_600_000)
  })

  it('forgets everything on reset', () => {
    const rec = recorderWith1To1000()
    rec.recordFailure()
    rec.reset()
    expect(rec.count).toBe(0)
    expect(rec.failureCount).toBe(0)
    expect(rec.percentile(50)).toBe(0)
    rec.record(7)
    expect(rec.min).toBe(7)
    expect(rec.max).toBe(7)
  })
})
