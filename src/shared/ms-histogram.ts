/**
 * Milliseconds in, integer microseconds inside an HDR histogram: bounded memory and 0.1 % value
 * precision (three significant digits) however long a session runs, where a sorted array would
 * grow with every request.
 */
// Deep imports: the package's browser bundle probes `eval('require("zlib")')` at load, which the
// window's CSP (no 'unsafe-eval') reports as a violation. The builder and classes need no zlib.
import { build } from 'hdr-histogram-js/dist/HistogramBuilder'
import JsHistogram from 'hdr-histogram-js/dist/JsHistogram'

/** One hour in microseconds: anything slower is clamped rather than growing the histogram. */
const HIGHEST_TRACKABLE_US = 3_600_000_000

/** The figures a panel shows for one latency (or one segment of it), in ms. */
export interface LatencyFigures {
  count: number
  meanMs: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
  minMs: number
  maxMs: number
}

/** One bar of a histogram chart: values in (lowerMs, upperMs], and how many fell there. */
export interface HistogramBucket {
  lowerMs: number
  upperMs: number
  count: number
}

export class MsHistogram {
  private readonly histogram: JsHistogram
  private n = 0
  // Exact running figures: the histogram's own mean and extremes are bucket-rounded.
  private sumMs = 0
  private minMs = Number.POSITIVE_INFINITY
  private maxMs = 0

  constructor() {
    const h = build({
      // Plain 32-bit counts, 95 kB a histogram: the packed form (12 kB) took 0.9 µs to record a
      // value against 0.17, and 1.6 ms for one percentile of 10,000 values against 0.01-0.06.
      bitBucketSize: 32,
      autoResize: false,
      lowestDiscernibleValue: 1,
      highestTrackableValue: HIGHEST_TRACKABLE_US,
      numberOfSignificantValueDigits: 3,
      useWebAssembly: false,
    })
    // The pure-JS build always yields a JsHistogram; its type gives the bucket iterator.
    if (!(h instanceof JsHistogram)) throw new Error('expected a pure-JS HDR histogram')
    this.histogram = h
  }

  /** Records `count` occurrences of `ms`; negative and non-finite values are ignored. */
  record(ms: number, count = 1): void {
    if (!Number.isFinite(ms) || ms < 0 || !(count >= 1)) return
    const n = Math.round(count)
    const us = Math.min(Math.round(ms * 1000), HIGHEST_TRACKABLE_US)
    this.histogram.recordValueWithCount(us, n)
    this.n += n
    this.sumMs += ms * n
    if (ms < this.minMs) this.minMs = ms
    if (ms > this.maxMs) this.maxMs = ms
  }

  get count(): number {
    return this.n
  }

  /** Nearest-rank percentile (0..100) in ms, within HDR precision; undefined when empty. */
  percentile(p: number): number | undefined {
    if (this.n === 0) return undefined
    // The bucket's upper edge can sit a hair above the largest value seen: never report more.
    return Math.min(this.histogram.getValueAtPercentile(p) / 1000, this.maxMs)
  }

  figures(): LatencyFigures | undefined {
    if (this.n === 0) return undefined
    return {
      count: this.n,
      meanMs: this.sumMs / this.n,
      p50Ms: this.percentile(50) ?? 0,
      p95Ms: this.percentile(95) ?? 0,
      p99Ms: this.percentile(99) ?? 0,
      minMs: this.minMs,
      maxMs: this.maxMs,
    }
  }

  /**
   * Doubling bars from the power of two at or below the smallest value up to the largest,
   * empty bars included so the chart's axis stays continuous. Built from the HDR buckets, so the
   * cost depends on the number of distinct buckets, never on the number of samples.
   */
  buckets(): HistogramBucket[] {
    if (this.n === 0) return []
    const first = 2 ** Math.floor(Math.log2(Math.max(this.minMs, 0.001)))
    const out: HistogramBucket[] = [{ lowerMs: 0, upperMs: first, count: 0 }]
    const it = this.histogram.recordedValuesIterator
    it.reset()
    while (it.hasNext()) {
      const step = it.next()
      // Place each HDR bucket by its lowest value, so a value of exactly an edge lands in the
      // bar that the edge closes: bars are (lower, upper].
      const ms = this.histogram.lowestEquivalentValue(step.valueIteratedTo) / 1000
      while (ms > out[out.length - 1].upperMs) {
        const upper = out[out.length - 1].upperMs
        out.push({ lowerMs: upper, upperMs: upper * 2, count: 0 })
      }
      let i = out.length - 1
      while (i > 0 && ms <= out[i - 1].upperMs) i--
      out[i].count += step.countAtValueIteratedTo
    }
    // The first bar only exists to catch values at the edge; drop it when it caught none.
    return out[0].count === 0 ? out.slice(1) : out
  }
}

/** A fixed-size, oldest-first series of (x, y) points: the newest `capacity` are kept. */
export class PointRing {
  private readonly xs: Float64Array
  private readonly ys: Float64Array
  private start = 0
  private size = 0

  constructor(readonly capacity: number) {
    this.xs = new Float64Array(capacity)
    this.ys = new Float64Array(capacity)
  }

  get length(): number {
    return this.size
  }

  push(x: number, y: number): void {
    const slot = (this.start + this.size) % this.capacity
    this.xs[slot] = x
    this.ys[slot] = y
    if (this.size < this.capacity) this.size++
    else this.start = (this.start + 1) % this.capacity
  }

  /** Column form, oldest first: the shape uPlot takes. */
  columns(): [number[], number[]] {
    const x: number[] = new Array<number>(this.size)
    const y: number[] = new Array<number>(this.size)
    for (let i = 0; i < this.size; i++) {
      const slot = (this.start + i) % this.capacity
      x[i] = this.xs[slot]
      y[i] = this.ys[slot]
    }
    return [x, y]
  }
}
