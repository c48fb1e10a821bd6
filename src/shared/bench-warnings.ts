/**
 * What a benchmark run must say out loud so its numbers are not mistaken for the model's:
 * a load the endpoint could not sustain (as perf_analyzer warns when it cannot keep the
 * requested load), a client that could not keep its own schedule, and failures by cause.
 * Shared by the CLI's report, the exports and the app's Benchmark tab.
 */
import type { ComparableRun } from './bench-compare'

/** Failure causes in the words reports use; gRPC statuses appear by their code name. */
export const FAILURE_CAUSES = {
  deadline: 'deadline exceeded',
  modelError: 'model error',
  decode: 'decode',
  unanswered: 'unanswered at the drain timeout',
  cancelled: 'cancelled',
} as const

export interface BenchLoadFacts extends ComparableRun {
  mode: 'rate' | 'concurrency'
  rate?: number
  /** Failed requests by cause: a FAILURE_CAUSES value or a gRPC status name (UNAVAILABLE). */
  failuresByCause?: Readonly<Record<string, number>>
  /** Rate mode: requests sent per second over the send window. */
  sentRate?: number
  /**
   * Rate mode: requests that went out more than half an interval (and 10 ms) after their time,
   * held back by a busy client or, for a sequence over unary calls or HTTP, by the step before.
   */
  lateSends?: number
  /** Rate mode: successful answers per second, first to last (the rate the endpoint sustained). */
  answeredRate?: number
}

/** perf_analyzer's default stability margin: within 10 % of the asked rate is keeping up. */
export const KEEPING_UP = 0.9

const rps = (x: number): string => `${x.toFixed(2)} req/s`

/** "deadline exceeded 26, UNAVAILABLE 2": most frequent first, then by name. */
export function describeFailures(byCause: Readonly<Record<string, number>> | undefined): string {
  return Object.entries(byCause ?? {})
    .filter(([, n]) => n > 0)
    .sort(([ca, a], [cb, b]) => b - a || (ca < cb ? -1 : 1))
    .map(([cause, n]) => `${cause} ${n}`)
    .join(', ')
}

function rateWarnings(run: BenchLoadFacts): string[] {
  const asked = run.rate
  if (run.mode !== 'rate' || asked === undefined || !(asked > 0)) return []
  const out: string[] = []
  const sent = run.sentRate
  if (sent !== undefined && sent < KEEPING_UP * asked) {
    const late = run.lateSends ? ` (${run.lateSends} of ${run.summary.requests} went out late)` : ''
    out.push(
      `${run.label}: the client sent only ${rps(sent)} of the ${rps(asked)} asked${late}: this machine is too busy to keep the schedule, so the run measures it as much as the server`,
    )
  }
  const answered = run.answeredRate
  if (answered !== undefined && answered < KEEPING_UP * asked) {
    out.push(
      `${run.label}: asked for ${rps(asked)} but the endpoint answered ${rps(answered)} (${Math.round((100 * answered) / asked)}%): more load than it sustains here, so requests queued and the latencies include that wait; lower the rate, or find the limit with a concurrency sweep`,
    )
  }
  return out
}

/** Every warning for one run, in the order a reader needs them; empty when all is well. */
export function benchWarnings(run: BenchLoadFacts): string[] {
  const out = rateWarnings(run)
  const { failures, requests, successes } = run.summary
  if (failures > 0) {
    const causes = describeFailures(run.failuresByCause)
    out.push(
      `${run.label}: ${failures} of ${requests} requests failed${causes ? ` (${causes})` : ''}${successes === 0 ? '; none succeeded, so there is no latency to report' : ''}`,
    )
  }
  return out
}
