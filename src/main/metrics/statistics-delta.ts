/**
 * Server-side time per request from Triton's statistics extension (`ModelStatistics`), the
 * same source perf_analyzer uses for its "Server" breakdown. Figures are cumulative since
 * load, so a breakdown is always the difference of two polls.
 */

/** `StatisticDuration` as proto-loader delivers it with `longs: String`. */
export interface StatDurationInput {
  count: string
  ns: string
}

/**
 * The part of `ModelStatistics` we read; kept local so this module does not depend on the
 * generated types (which remain assignable to it).
 */
export interface ModelStatisticsInput {
  name: string
  version: string
  inference_count: string
  execution_count: string
  inference_stats: {
    success: StatDurationInput | null
    fail: StatDurationInput | null
    queue: StatDurationInput | null
    compute_input: StatDurationInput | null
    compute_infer: StatDurationInput | null
    compute_output: StatDurationInput | null
  } | null
}

export interface ServerTimeBreakdown {
  /** Requests that finished in the interval: successes + failures. */
  requests: number
  successes: number
  failures: number
  /** Each stage averaged over the requests that went through it (compute excludes cache hits). */
  avgQueueMs: number
  avgComputeInputMs: number
  avgComputeInferMs: number
  avgComputeOutputMs: number
  /** Whole server-side request time, success.ns / success.count. */
  avgServerMs: number
  inferences: number
  executions: number
  /** inferences / executions; 0 when nothing executed (all cache hits). */
  avgBatch: number
}

type Stage = 'success' | 'fail' | 'queue' | 'compute_input' | 'compute_infer' | 'compute_output'
const STAGES: readonly Stage[] = [
  'success',
  'fail',
  'queue',
  'compute_input',
  'compute_infer',
  'compute_output',
]

/** Every figure as BigInt: uint64 nanosecond totals pass 2^53 after ~104 days of busy serving. */
interface Totals {
  inferences: bigint
  executions: bigint
  count: Record<Stage, bigint>
  ns: Record<Stage, bigint>
}

function toBig(v: string | undefined | null): bigint {
  if (v === undefined || v === null || v === '') return 0n
  return BigInt(v)
}

function stageRecord(f: (stage: Stage) => bigint): Record<Stage, bigint> {
  return {
    success: f('success'),
    fail: f('fail'),
    queue: f('queue'),
    compute_input: f('compute_input'),
    compute_infer: f('compute_infer'),
    compute_output: f('compute_output'),
  }
}

function totalsOf(s: ModelStatisticsInput): Totals {
  return {
    inferences: toBig(s.inference_count),
    executions: toBig(s.execution_count),
    count: stageRecord((stage) => toBig(s.inference_stats?.[stage]?.count)),
    ns: stageRecord((stage) => toBig(s.inference_stats?.[stage]?.ns)),
  }
}

function zeroTotals(): Totals {
  return { inferences: 0n, executions: 0n, count: stageRecord(() => 0n), ns: stageRecord(() => 0n) }
}

/** True when any figure went backwards: the model was reloaded or the server restarted. */
function wentBackwards(prev: Totals, next: Totals): boolean {
  if (next.inferences < prev.inferences || next.executions < prev.executions) return true
  return STAGES.some((s) => next.count[s] < prev.count[s] || next.ns[s] < prev.ns[s])
}

function addDelta(acc: Totals, prev: Totals, next: Totals): void {
  acc.inferences += next.inferences - prev.inferences
  acc.executions += next.executions - prev.executions
  for (const s of STAGES) {
    acc.count[s] += next.count[s] - prev.count[s]
    acc.ns[s] += next.ns[s] - prev.ns[s]
  }
}

/** ns / count in ms, dividing in BigInt first so huge totals keep their precision. */
function avgMs(ns: bigint, count: bigint): number {
  if (count === 0n) return 0
  const wholeNs = ns / count
  const restNs = Number(ns % count) / Number(count)
  return (Number(wholeNs) + restNs) / 1e6
}

const keyOf = (s: ModelStatisticsInput): string => JSON.stringify([s.name, s.version])

type StatsList = ModelStatisticsInput | readonly ModelStatisticsInput[]

function asList(v: StatsList | undefined): readonly ModelStatisticsInput[] {
  if (v === undefined) return []
  return isList(v) ? v : [v]
}

function isList(v: StatsList): v is readonly ModelStatisticsInput[] {
  return Array.isArray(v)
}

/**
 * The server's time breakdown between two polls, summed over every model version in `next`
 * (optionally only those matching `filter`), each matched to `prev` by name and version.
 * A version missing from `prev`, or whose counters went backwards, counts from zero; pass
 * `prev` undefined for totals since load. Undefined when no request finished in between.
 */
export function statisticsDelta(
  prev: StatsList | undefined,
  next: StatsList,
  filter: { name?: string; version?: string } = {},
): ServerTimeBreakdown | undefined {
  const before = new Map(asList(prev).map((s) => [keyOf(s), s]))
  const acc = zeroTotals()
  for (const stats of asList(next)) {
    if (filter.name !== undefined && stats.name !== filter.name) continue
    if (filter.version !== undefined && filter.version !== '' && stats.version !== filter.version) {
      continue
    }
    const nextTotals = totalsOf(stats)
    const match = before.get(keyOf(stats))
    const prevTotals = match ? totalsOf(match) : zeroTotals()
    addDelta(acc, wentBackwards(prevTotals, nextTotals) ? zeroTotals() : prevTotals, nextTotals)
  }
  const successes = acc.count.success
  const failures = acc.count.fail
  if (successes + failures === 0n) return undefined
  return {
    requests: Number(successes + failures),
    successes: Number(successes),
    failures: Number(failures),
    avgQueueMs: avgMs(acc.ns.queue, acc.count.queue),
    avgComputeInputMs: avgMs(acc.ns.compute_input, acc.count.compute_input),
    avgComputeInferMs: avgMs(acc.ns.compute_infer, acc.count.compute_infer),
    avgComputeOutputMs: avgMs(acc.ns.compute_output, acc.count.compute_output),
    avgServerMs: avgMs(acc.ns.success, successes),
    inferences: Number(acc.inferences),
    executions: Number(acc.executions),
    avgBatch: acc.executions === 0n ? 0 : Number(acc.inferences) / Number(acc.executions),
  }
}

/**
 * One breakdown for several intervals (a bench run's windows): counts add up, averages are
 * weighted by the requests each interval served. Undefined when none has figures.
 */
export function combineBreakdowns(
  list: ReadonlyArray<ServerTimeBreakdown | undefined>,
): ServerTimeBreakdown | undefined {
  const present = list.filter((b): b is ServerTimeBreakdown => b !== undefined)
  if (present.length === 0) return undefined
  const sum = (f: (b: ServerTimeBreakdown) => number): number =>
    present.reduce((acc, b) => acc + f(b), 0)
  const requests = sum((b) => b.requests)
  const weighted = (f: (b: ServerTimeBreakdown) => number): number =>
    requests === 0 ? 0 : sum((b) => f(b) * b.requests) / requests
  const inferences = sum((b) => b.inferences)
  const executions = sum((b) => b.executions)
  return {
    requests,
    successes: sum((b) => b.successes),
    failures: sum((b) => b.failures),
    avgQueueMs: weighted((b) => b.avgQueueMs),
    avgComputeInputMs: weighted((b) => b.avgComputeInputMs),
    avgComputeInferMs: weighted((b) => b.avgComputeInferMs),
    avgComputeOutputMs: weighted((b) => b.avgComputeOutputMs),
    avgServerMs: weighted((b) => b.avgServerMs),
    inferences,
    executions,
    avgBatch: executions === 0 ? 0 : inferences / executions,
  }
}
