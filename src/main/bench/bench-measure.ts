/**
 * A whole benchmark: every load level, for one target or two, each measured in one or more
 * windows (perf_analyzer's measurement windows). Two targets take turns window by window
 * (A B A B ...), so a machine that gets busier half-way slows both alike, and the comparison
 * can tell a real difference from the spread between windows.
 */
import type { ModelProfile } from '../../shared/model-profile'
import type { LatencySummary } from '../../shared/results'
import { emptyOutcomes, type RequestOutcome } from '../../shared/session-summary'
import type { BenchRun } from '../metrics/bench-report'
import { combineBreakdowns } from '../metrics/statistics-delta'
import { RequestLedger } from '../sessions/request-ledger'
import type { BenchTransport } from './bench-run'
import { runBench, type BenchMode, type BenchProgress } from './bench-runner'
import type { BenchWorkload } from './bench-workload'

export interface MeasureTarget {
  transport: BenchTransport
  model: string
  /** Column name; a function is read after the first request (see RunBenchOptions.label). */
  label: string | (() => string)
  workload: BenchWorkload
  profile?: ModelProfile
  metricsUrl?: string
}

/** A target's column name as it stands now. */
export function labelOf(target: Pick<MeasureTarget, 'label'>): string {
  return typeof target.label === 'function' ? target.label() : target.label
}

export interface MeasureOptions {
  targets: readonly MeasureTarget[]
  /** One per load level; each mode's duration is the time per target, all windows together. */
  modes: readonly BenchMode[]
  /** Windows per target and level; 1 measures each level in one go. */
  windows: number
  signal?: AbortSignal
  drainTimeoutMs?: number
  /** Each request's answer deadline. */
  deadlineMs?: number
  streams?: number
  onWindow?(target: MeasureTarget, mode: BenchMode, window: number, of: number): void
  onProgress?(target: MeasureTarget, progress: BenchProgress): void
  onNote?(message: string): void
}

/** Checks that every window of every level sends something, before any load is sent. */
export function windowMode(mode: BenchMode, windows: number): BenchMode {
  if (!Number.isInteger(windows) || windows < 1) {
    throw new RangeError(`windows must be a positive whole number, got ${windows}`)
  }
  const durationSec = mode.durationSec / windows
  if (mode.kind === 'rate' && Math.round(mode.rate * durationSec) < 1) {
    throw new RangeError(
      windows === 1
        ? `--rate ${mode.rate} for ${durationSec} s sends no request; raise the rate or the duration`
        : `${windows} windows of ${durationSec} s at ${mode.rate} req/s send no request each; raise the rate or the duration, or use fewer windows`,
    )
  }
  return { ...mode, durationSec }
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0)

function mean(xs: readonly (number | undefined)[]): number | undefined {
  const present = xs.filter((x): x is number => x !== undefined)
  return present.length === 0 ? undefined : sum(present) / present.length
}

function mergedGpu(runs: readonly BenchRun[]): BenchRun['gpu'] {
  const gpus = runs.flatMap((r) => (r.gpu ? [r.gpu] : []))
  if (gpus.length === 0) return undefined
  const memory = gpus.flatMap((g) =>
    g.maxMemoryUsedBytes === undefined ? [] : [g.maxMemoryUsedBytes],
  )
  const gpu: NonNullable<BenchRun['gpu']> = {}
  const util = mean(gpus.map((g) => g.avgUtilization))
  const power = mean(gpus.map((g) => g.avgPowerWatts))
  if (util !== undefined) gpu.avgUtilization = util
  if (memory.length > 0) gpu.maxMemoryUsedBytes = Math.max(...memory)
  if (power !== undefined) gpu.avgPowerWatts = power
  return gpu
}

function mergedOutcomes(runs: readonly BenchRun[]): Record<RequestOutcome, number> {
  const out = emptyOutcomes()
  for (const r of runs)
    for (const [outcome, n] of Object.entries(r.outcomes ?? {})) out[outcome as RequestOutcome] += n
  return out
}

function mergedCauses(runs: readonly BenchRun[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of runs)
    for (const [cause, n] of Object.entries(r.failuresByCause ?? {}))
      out[cause] = (out[cause] ?? 0) + n
  return out
}

/** Rate facts over all windows: total sent over total send time; answers weighted by count. */
function mergedRate(runs: readonly BenchRun[]): Partial<BenchRun> {
  if (runs[0].mode !== 'rate') return {}
  const sendSec = sum(runs.map((r) => (r.sentRate ? r.summary.requests / r.sentRate : 0)))
  const answered = runs.filter((r) => r.answeredRate !== undefined)
  const weight = sum(answered.map((r) => r.summary.successes))
  return {
    sentRate: sendSec > 0 ? sum(runs.map((r) => r.summary.requests)) / sendSec : 0,
    lateSends: sum(runs.map((r) => r.lateSends ?? 0)),
    answeredRate:
      weight > 0
        ? sum(answered.map((r) => (r.answeredRate as number) * r.summary.successes)) / weight
        : mean(answered.map((r) => r.answeredRate)),
  }
}

/**
 * One run from its windows: `summary` comes from every request of every window (one
 * histogram), the rest is added up or weighted, and each window's own figures are kept so a
 * comparison can see the spread.
 */
export function mergeWindows(runs: readonly BenchRun[], summary: LatencySummary): BenchRun {
  if (runs.length === 0) throw new RangeError('mergeWindows needs at least one window')
  if (runs.length === 1) return runs[0]
  const first = runs[0]
  const merged: BenchRun = {
    ...first,
    durationSec: sum(runs.map((r) => r.durationSec)),
    summary,
    outcomes: mergedOutcomes(runs),
    failuresByCause: mergedCauses(runs),
    ...mergedRate(runs),
    windows: runs.map((r) => ({ summary: r.summary, server: r.server, gpu: r.gpu })),
  }
  const unmatched = sum(runs.map((r) => r.unmatched ?? 0))
  if (unmatched > 0) merged.unmatched = unmatched
  const server = combineBreakdowns(runs.map((r) => r.server))
  if (server) merged.server = server
  else delete merged.server
  const gpu = mergedGpu(runs)
  if (gpu) merged.gpu = gpu
  else delete merged.gpu
  return merged
}

/** Runs every level against every target; the result is one list of runs per level. */
export async function measure(opts: MeasureOptions): Promise<BenchRun[][]> {
  const levels: BenchRun[][] = []
  for (const mode of opts.modes) {
    const perWindow = windowMode(mode, opts.windows)
    const windows = opts.targets.map(() => [] as BenchRun[])
    // One ledger per target across its windows: one histogram, every outcome.
    const ledgers = opts.targets.map(() => new RequestLedger())
    for (let w = 0; w < opts.windows; w++) {
      for (const [i, target] of opts.targets.entries()) {
        opts.onWindow?.(target, mode, w + 1, opts.windows)
        const run = await runBench({
          transport: target.transport,
          model: target.model,
          profile: target.profile,
          workload: target.workload,
          mode: perWindow,
          metricsUrl: target.metricsUrl,
          signal: opts.signal,
          label: target.label,
          drainTimeoutMs: opts.drainTimeoutMs,
          deadlineMs: opts.deadlineMs,
          streams: opts.streams,
          onProgress: (p) => opts.onProgress?.(target, p),
          onNote: opts.onNote,
          onRequest: (r) =>
            r.outcome === 'success'
              ? ledgers[i].succeeded(r.latencyMs)
              : ledgers[i].failed(r.outcome, r.latencyMs),
        })
        windows[i].push(run)
      }
    }
    levels.push(
      windows.map((runs, i) =>
        mergeWindows(runs, ledgers[i].latency(sum(runs.map((r) => r.summary.durationSec)))),
      ),
    )
  }
  return levels
}
