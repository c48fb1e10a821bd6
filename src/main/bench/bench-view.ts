import type { BenchRunView, ServerTimeSplit } from '../../shared/ipc-contract'
import type { BenchRun } from '../metrics/bench-report'
import type { ServerTimeBreakdown } from '../metrics/statistics-delta'

function split(s: ServerTimeBreakdown | undefined): ServerTimeSplit | undefined {
  return (
    s && {
      requests: s.requests,
      successes: s.successes,
      failures: s.failures,
      avgQueueMs: s.avgQueueMs,
      avgComputeInputMs: s.avgComputeInputMs,
      avgComputeInferMs: s.avgComputeInferMs,
      avgComputeOutputMs: s.avgComputeOutputMs,
      avgServerMs: s.avgServerMs,
      avgBatch: s.avgBatch,
    }
  )
}

/**
 * A run as the Benchmark tab receives it over IPC: the figures, the failures by cause, the
 * rate facts and each window, which is all the tab needs to show the same warnings and the
 * same winners as the CLI's report.
 */
export function benchRunView(run: BenchRun): BenchRunView {
  return {
    label: run.label,
    url: run.url,
    transport: run.transport,
    model: run.model,
    mode: run.mode,
    rate: run.rate,
    concurrency: run.concurrency,
    durationSec: run.durationSec,
    input: run.input,
    summary: run.summary,
    outcomes: run.outcomes,
    server: split(run.server),
    gpu: run.gpu,
    failuresByCause: run.failuresByCause,
    sentRate: run.sentRate,
    lateSends: run.lateSends,
    answeredRate: run.answeredRate,
    windows: run.windows?.map((w) => ({ summary: w.summary, server: split(w.server), gpu: w.gpu })),
  }
}
