import { performance } from 'node:perf_hooks'
import {
  emptyOutcomes,
  type FailedOutcome,
  type RequestOutcome,
  type SessionSummary,
  type Unprocessed,
} from '../../shared/session-summary'
import type { LatencySummary } from '../../shared/results'
import { LatencyRecorder } from '../metrics/latency-histogram'

/** One request's end, as written to the session's record (and a latency CSV). */
export interface RequestRecord {
  ok: boolean
  outcome: RequestOutcome
  /** Round trip from the write of the request to its final response (or to its failure). */
  latencyMs: number
  /** From capture (microphone, camera) to the write, when the source stamped it. */
  captureToSendMs?: number
  /** Wall-clock time of the end. */
  atMs: number
}

/**
 * The one place where a session's (and a bench run's) requests are counted. Every request ends
 * here exactly once, as one outcome; link-level events (retries, lost links, reconnects, unmatched responses) are counted
 * beside them, so a summary can say both "nothing was lost" and "the link dropped twice".
 */
export class RequestLedger {
  private readonly recorder = new LatencyRecorder()
  private readonly outcomes = emptyOutcomes()
  private readonly started = performance.now()
  private endedAt: number | undefined
  unmatched = 0
  retries = 0
  linkLosses = 0
  reconnects = 0
  droppedFrames = 0
  emptyAnswers = 0
  unprocessed: Unprocessed | undefined

  constructor(private readonly onRecord?: (record: RequestRecord) => void) {}

  succeeded(latencyMs: number, captureToSendMs?: number): void {
    this.outcomes.success++
    this.recorder.record(Math.max(0, latencyMs))
    this.onRecord?.({
      ok: true,
      outcome: 'success',
      latencyMs,
      captureToSendMs,
      atMs: Date.now(),
    })
  }

  failed(outcome: FailedOutcome, latencyMs: number, count = 1): void {
    if (count <= 0) return
    this.outcomes[outcome] += count
    for (let i = 0; i < count; i++) {
      this.recorder.recordFailure()
      this.onRecord?.({ ok: false, outcome, latencyMs, atMs: Date.now() })
    }
  }

  get failures(): number {
    return this.recorder.failureCount
  }

  get successes(): number {
    return this.outcomes.success
  }

  /** Requests by how they ended, so far. */
  get outcomeCounts(): Record<RequestOutcome, number> {
    return { ...this.outcomes }
  }

  /** Latency and throughput counted over `durationSec` (a load test's measured window). */
  latency(durationSec: number): LatencySummary {
    return this.recorder.summary(durationSec)
  }

  /** Freezes the duration: a summary read later still covers the run, not the time since. */
  end(): void {
    this.endedAt ??= performance.now()
  }

  summary(): SessionSummary {
    const durationSec = ((this.endedAt ?? performance.now()) - this.started) / 1000
    return {
      ...this.recorder.summary(durationSec),
      outcomes: { ...this.outcomes },
      unmatched: this.unmatched,
      retries: this.retries,
      linkLosses: this.linkLosses,
      reconnects: this.reconnects,
      droppedFrames: this.droppedFrames,
      emptyAnswers: this.emptyAnswers,
      ...(this.unprocessed ? { unprocessed: this.unprocessed } : {}),
    }
  }
}
