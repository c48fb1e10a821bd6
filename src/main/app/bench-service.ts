import { writeFile } from 'node:fs/promises'
import type {
  BenchProgressEvent,
  BenchReport,
  BenchRequest,
  BenchRunView,
} from '../../shared/ipc-contract'
import type { ModelProfile } from '../../shared/model-profile'
import { buildBenchWorkload, planBenchModel } from '../bench/bench-workload'
import { runBench, type BenchMode } from '../bench/bench-runner'
import { toCsv, toJson, toMarkdown, type BenchRun } from '../metrics/bench-report'
import type { TritonClient } from '../triton/triton-client'
import { TritonError } from '../triton/triton-error'

export interface BenchTarget {
  client: TritonClient
  metricsUrl?: string
}

function view(run: BenchRun): BenchRunView {
  const s = run.server
  return {
    label: run.label,
    url: run.url,
    model: run.model,
    mode: run.mode,
    rate: run.rate,
    concurrency: run.concurrency,
    durationSec: run.durationSec,
    input: run.input,
    summary: run.summary,
    server: s && {
      requests: s.requests,
      successes: s.successes,
      failures: s.failures,
      avgQueueMs: s.avgQueueMs,
      avgComputeInputMs: s.avgComputeInputMs,
      avgComputeInferMs: s.avgComputeInferMs,
      avgComputeOutputMs: s.avgComputeOutputMs,
      avgServerMs: s.avgServerMs,
      avgBatch: s.avgBatch,
    },
    gpu: run.gpu,
  }
}

/** Runs one benchmark at a time for the window, and keeps the last report for saving. */
export class BenchService {
  private running: AbortController | undefined
  private last: BenchRun[] = []

  constructor(private readonly onProgress: (event: BenchProgressEvent) => void) {}

  async run(
    req: BenchRequest,
    target: (endpointId: string) => Promise<BenchTarget>,
    savedProfile: (endpointId: string, model: string) => Promise<ModelProfile | undefined>,
  ): Promise<BenchReport> {
    if (this.running) {
      throw new TritonError(
        'invalid-argument',
        'a benchmark is already running',
        'wait for it to finish',
      )
    }
    const mode: BenchMode =
      req.mode === 'rate'
        ? { kind: 'rate', rate: req.rate ?? 10, durationSec: req.durationSec }
        : { kind: 'concurrency', concurrency: req.concurrency ?? 1, durationSec: req.durationSec }
    const abort = new AbortController()
    this.running = abort
    const notes: string[] = []
    try {
      const legs = [{ endpointId: req.endpointId, model: req.model }]
      if (req.compare && (req.compare.endpointId || req.compare.model)) {
        legs.push({
          endpointId: req.compare.endpointId ?? req.endpointId,
          model: req.compare.model ?? req.model,
        })
      }
      const runs: BenchRun[] = []
      for (const leg of legs) {
        const { client, metricsUrl } = await target(leg.endpointId)
        const plan = await planBenchModel(
          client,
          leg.model,
          await savedProfile(leg.endpointId, leg.model),
        )
        const workload = await buildBenchWorkload(plan, {
          file: req.filePath,
          signal: abort.signal,
        })
        const label =
          legs.length > 1 && legs[0].model === legs[1].model
            ? `${leg.model} @ ${client.target}`
            : leg.model
        runs.push(
          await runBench({
            client,
            model: leg.model,
            profile: plan.profile,
            workload,
            mode,
            metricsUrl,
            signal: abort.signal,
            label,
            onNote: (m) => notes.push(m),
            onProgress: (p) => this.onProgress({ kind: 'bench-progress', label, ...p }),
          }),
        )
      }
      this.last = runs
      return { runs: runs.map(view), markdown: toMarkdown(runs), notes }
    } finally {
      this.running = undefined
    }
  }

  async save(path: string, format: 'md' | 'csv' | 'json'): Promise<void> {
    if (this.last.length === 0) {
      throw new TritonError(
        'not-found',
        'there is no benchmark report yet',
        'run a benchmark first',
      )
    }
    const text =
      format === 'md'
        ? toMarkdown(this.last)
        : format === 'csv'
          ? toCsv(this.last)
          : toJson(this.last)
    await writeFile(path, text)
  }

  cancel(): void {
    this.running?.abort()
  }
}
