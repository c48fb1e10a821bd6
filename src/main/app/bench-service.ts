import type {
  BenchProgressEvent,
  BenchReport,
  BenchRequest,
  BenchTransportChoice,
} from '../../shared/ipc-contract'
import type { ModelProfile } from '../../shared/model-profile'
import { buildBenchWorkload, planBenchModel } from '../bench/bench-workload'
import { runBench, type BenchMode } from '../bench/bench-runner'
import { benchRunView } from '../bench/bench-view'
import { writeAtomically } from '../exports/atomic-write'
import { toCsv, toJson, toMarkdown, type BenchRun } from '../metrics/bench-report'
import type { EndpointTransport } from '../transport/create-transport'
import { TritonError } from '../triton/triton-error'

export interface BenchTarget {
  /** The endpoint's transport as the run asks for it; the service closes it when done. */
  transport: EndpointTransport
  metricsUrl?: string
  /** The endpoint's deadline for each request; unset, the bench default (10 s). */
  deadlineMs?: number
}

/** Opens an endpoint for one leg of a benchmark; `onNote` hears a shared-memory fallback. */
export type BenchTargetOpener = (
  endpointId: string,
  choice: BenchTransportChoice | undefined,
  onNote: (message: string) => void,
) => Promise<BenchTarget>

/** Runs one benchmark at a time for the window, and keeps the last report for saving. */
export class BenchService {
  private running: AbortController | undefined
  private last: BenchRun[] = []

  constructor(private readonly onProgress: (event: BenchProgressEvent) => void) {}

  async run(
    req: BenchRequest,
    target: BenchTargetOpener,
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
    const note = (m: string): void => void (notes.includes(m) || notes.push(m))
    try {
      const legs = [{ endpointId: req.endpointId, model: req.model, transport: req.transport }]
      const c = req.compare
      if (c && (c.endpointId || c.model || c.transport)) {
        legs.push({
          endpointId: c.endpointId ?? req.endpointId,
          model: c.model ?? req.model,
          transport: c.transport ?? req.transport,
        })
      }
      const sameModel = legs.length > 1 && legs[0].model === legs[1].model
      const runs: BenchRun[] = []
      for (const leg of legs) {
        const opened = await target(leg.endpointId, leg.transport, note)
        const { transport } = opened
        try {
          const plan = await planBenchModel(
            transport.api,
            leg.model,
            await savedProfile(leg.endpointId, leg.model),
          )
          const workload = await buildBenchWorkload(plan, {
            file: req.filePath,
            signal: abort.signal,
          })
          // Read after the first request, so '+ shm' shows only while it is really used.
          const label = (): string =>
            sameModel ? `${transport.label} @ ${transport.target}` : leg.model
          runs.push(
            await runBench({
              transport,
              model: leg.model,
              profile: plan.profile,
              workload,
              mode,
              metricsUrl: opened.metricsUrl,
              deadlineMs: opened.deadlineMs,
              signal: abort.signal,
              label,
              onNote: note,
              onProgress: (p) => this.onProgress({ kind: 'bench-progress', label: label(), ...p }),
            }),
          )
        } finally {
          await transport.close()
        }
      }
      this.last = runs
      return { runs: runs.map(benchRunView), markdown: toMarkdown(runs), notes }
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
    // Atomically, as session exports are: a reader that sees the file sees all of it.
    await writeAtomically(path, text)
  }

  cancel(): void {
    this.running?.abort()
  }
}
