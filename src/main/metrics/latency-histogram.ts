/**
 * Client-side latency bookkeeping: an HDR histogram for percentiles (bounded memory, 0.1 %
 * value precision however long a run lasts) and a ring buffer of recent points for charts.
 */
import { build, JsHistogram } from 'hdr-histogram-js'
import type { LatencySummary } from '../../shared/results'

/** One hour in microseconds: anything slower is clamped rather than growing the histogram. */
const HIGHEST_TRACKABLE_US = 3_600_000_000

/** One bar of a latency histogram chart: the bar's upper edge in ms and how many fell in it. */
export type LatencyBucket = readonly [upperMs: number, count: number]

export interface SnapshotOptions {
  /** Upper edge of the first bar, in ms. Default 1 ms. */
  firstBucketMs?: number
  /** Each bar is this many times wider than the one before. Default 2. */
  logBase?: number
}

const round2 = (x: number): number => Math.round(x * 100) / 100

export class LatencyRecorder {
  private readonly histogram: JsHistogram
  private successes = 0
  private failures = 0
  // Exact running figures: the histogram's own mean walks every bucket and its min/max are
  // bucket-rounded, while these cost nothing to keep.
  private sumMs = 0
  private minMs = Number.POSITIVE_INFINITY
  private maxMs = 0

  constructor() {
    const histogram = build({
      bitBucketSize: 'packed',
      autoResize: false,
      lowestDiscernibleValue: 1,
      highestTrackableValue: HIGHEST_TRACKABLE_US,
      numberOfSignificantValueDigits: 3,
      useWebAssembly: false,
    })
    // The pure-JS build always yields a JsHistogram; we need its type for bucket iteration.
    if (!(histogram instanceof JsHistogram)) throw new Error('expected a pure-JS HDR histogram')
    this.histogram = histogram
  }

  /** Records one successful request's latency in milliseconds. */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`latency must be a finite, non-negative number of ms, got ${ms}`)
    }
    const us = Math.min(Math.round(ms * 1000), HIGHEST_TRACKABLE_US)
    this.histogram.recordValue(us)
    this.successes += 1
    this.sumMs += ms
    if (ms < this.minMs) this.minMs = ms
    if (ms > this.maxMs) this.maxMs = ms
  }

  /** Counts a failed request; failures have no latency worth mixing into the percentiles. */
  recordFailure(): void {
    this.failures += 1
  }

  /** Successful requests recorded. */
  get count(): number {
    return this.successes
  }

  get failureCount(): number {
    return this.failures
  }

  /** Latency in ms at percentile `p` (0..100) of the successful requests; 0 when empty. */
  percentile(p: number): number {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in 0..100, got ${p}`)
    if (this.successes === 0) return 0
    return this.histogram.getValueAtPercentile(p) / 1000
  }

  /** Mean latency in ms; 0 when empty. */
  get mean(): number {
    return this.successes === 0 ? 0 : this.sumMs / this.successes
  }

  /** Smallest latency in ms; 0 when empty. */
  get min(): number {
    return this.successes === 0 ? 0 : this.minMs
  }

  /** Largest latency in ms; 0 when empty. */
  get max(): number {
    return this.maxMs
  }

  /** The run's figures, latencies rounded to 0.01 ms; throughput counts successes only. */
  summary(durationSec: number): LatencySummary {
    const requests = this.successes + this.failures
    return {
      requests,
      successes: this.successes,
      failures: this.failures,
      successRate: requests === 0 ? 0 : this.successes / requests,
      durationSec,
      throughput: durationSec > 0 ? this.successes / durationSec : 0,
      p50Ms: round2(this.percentile(50)),
      p95Ms: round2(this.percentile(95)),
      p99Ms: round2(this.percentile(99)),
      meanMs: round2(this.mean),
      minMs: round2(this.min),
      maxMs: round2(this.max),
    }
  }

  reset(): void {
    this.histogram.reset()
    this.successes = 0
    this.failures = 0
    this.sumMs = 0
    this.minMs = Number.POSITIVE_INFINITY
    this.maxMs = 0
  }

  /**
   * Log-spaced bars from the first bucket up to the one holding the maximum, empty bars
   * included so a chart's x axis stays continuous (HdrHistogram's logarithmic iteration).
   */
  snapshot(options: SnapshotOptions = {}): LatencyBucket[] {
    const firstMs = options.firstBucketMs ?? 1
    const base = options.logBase ?? 2
    if (!(firstMs > 0) || !(base > 1)) {
      throw new RangeError('snapshot needs firstBucketMs > 0 and logBase > 1')
    }
    if (this.successes === 0) return []
    const edges: number[] = [firstMs]
    const counts: number[] = [0]
    const iterator = this.histogram.recordedValuesIterator
    iterator.reset()
    while (iterator.hasNext()) {
      const step = iterator.next()
      // Place each HDR bucket by its lowest value: a latency of exactly an edge (10 ms, say)
      // then falls in the bar that edge closes, as the bars are (previous edge, edge].
      const valueMs = this.histogram.lowestEquivalentValue(step.valueIteratedTo) / 1000
      while (valueMs > edges[edges.length - 1]) {
        edges.push(edges[edges.length - 1] * base)
        counts.push(0)
      }
      let i = edges.length - 1
      while (i > 0 && valueMs <= edges[i - 1]) i -= 1
      counts[i] += step.countAtValueIteratedTo
    }
    return edges.map((edge, i): LatencyBucket => [edge, counts[i]])
  }
}

/** A bounded, oldest-first series of (timestamp ms, latency ms) points for a time chart. */
export class LatencySeries {
  private readonly times: Float64Array
  private readonly values: Float64Array
  private start = 0
  private size = 0

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) {
      throw new RangeError(`series capacity must be a positive integer, got ${capacity}`)
    }
    this.times = new Float64Array(capacity)
    this.values = new Float64Array(capacity)
  }

  get length(): number {
    return this.size
  }

  /** Adds a point, overwriting the oldest once full. */
  push(timestampMs: number, latencyMs: number): void {
    const slot = (this.start + this.size) % this.capacity
    this.times[slot] = timestampMs
    this.values[slot] = latencyMs
    if (this.size < this.capacity) this.size += 1
    else this.start = (this.start + 1) % this.capacity
  }

  /** Points oldest first. */
  points(): Array<[timestampMs: number, latencyMs: number]> {
    const out: Array<[number, number]> = []
    for (let i = 0; i < this.size; i += 1) {
      const slot = (this.start + i) % this.capacity
      out.push([this.times[slot], this.values[slot]])
    }
    return out
  }

  /** Column form (oldest first), the shape uPlot-style charts take. */
  columns(): { timestampsMs: number[]; latenciesMs: number[] } {
    const timestampsMs: number[] = []
    const latenciesMs: number[] = []
    for (const [t, v] of this.points()) {
      timestampsMs.push(t)
      latenciesMs.push(v)
    }
    return { timestampsMs, latenciesMs }
  }

  clear(): void {
    this.start = 0
    this.size = 0
  }
}
