/**
 * A run's latency bookkeeping: successes go into the shared HDR histogram (bounded memory,
 * 0.1 % precision however long the run), failures are counted beside it.
 */
import { MsHistogram } from '../../shared/ms-histogram'
import type { LatencySummary } from '../../shared/results'

const round2 = (x: number): number => Math.round(x * 100) / 100

export class LatencyRecorder {
  private histogram = new MsHistogram()
  private failures = 0

  /** Records one successful request's latency in milliseconds. */
  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`latency must be a finite, non-negative number of ms, got ${ms}`)
    }
    this.histogram.record(ms)
  }

  /** Counts a failed request; failures have no latency worth mixing into the percentiles. */
  recordFailure(): void {
    this.failures += 1
  }

  /** Successful requests recorded. */
  get count(): number {
    return this.histogram.count
  }

  get failureCount(): number {
    return this.failures
  }

  /** Latency in ms at percentile `p` (0..100) of the successful requests; 0 when empty. */
  percentile(p: number): number {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in 0..100, got ${p}`)
    return this.histogram.percentile(p) ?? 0
  }

  /** Mean latency in ms; 0 when empty. */
  get mean(): number {
    return this.histogram.figures()?.meanMs ?? 0
  }

  /** Smallest latency in ms; 0 when empty. */
  get min(): number {
    return this.histogram.figures()?.minMs ?? 0
  }

  /** Largest latency in ms; 0 when empty. */
  get max(): number {
    return this.histogram.figures()?.maxMs ?? 0
  }

  /** The run's figures, latencies rounded to 0.01 ms; throughput counts successes only. */
  summary(durationSec: number): LatencySummary {
    const successes = this.count
    const requests = successes + this.failures
    // One pass over the histogram for all six figures: each percentile walks every bucket.
    const f = this.histogram.figures()
    return {
      requests,
      successes,
      failures: this.failures,
      successRate: requests === 0 ? 0 : successes / requests,
      durationSec,
      throughput: durationSec > 0 ? successes / durationSec : 0,
      p50Ms: round2(f?.p50Ms ?? 0),
      p95Ms: round2(f?.p95Ms ?? 0),
      p99Ms: round2(f?.p99Ms ?? 0),
      meanMs: round2(f?.meanMs ?? 0),
      minMs: round2(f?.minMs ?? 0),
      maxMs: round2(f?.maxMs ?? 0),
    }
  }

  reset(): void {
    this.histogram = new MsHistogram()
    this.failures = 0
  }
}
