import type { BenchRun } from '../metrics/bench-report'
import { fetchMetricsText, parseTritonMetrics } from '../metrics/prometheus-metrics'

export const METRICS_INTERVAL_MS = 1000

/** Samples GPU gauges from the metrics page once a second while a run lasts. */
export class GpuSampler {
  private readonly utilization: number[] = []
  private readonly power: number[] = []
  private maxMemory: number | undefined
  private polls = 0
  private failedWith: string | undefined
  private busy: Promise<void> | undefined

  constructor(
    private readonly url: string,
    private readonly signal: AbortSignal,
  ) {}

  poll(): void {
    // A slow page must not pile up requests: skip a tick while the last one is out.
    if (this.busy) return
    this.busy = this.once().finally(() => (this.busy = undefined))
  }

  private async once(): Promise<void> {
    try {
      const text = await fetchMetricsText(this.url, {
        timeoutMs: METRICS_INTERVAL_MS,
        signal: this.signal,
      })
      const snapshot = parseTritonMetrics(text, Date.now())
      this.polls += 1
      const gpus = snapshot.gpus
      if (gpus.length === 0) return
      // One figure for the server: mean utilisation over its GPUs, total memory and power.
      const util = gpus.flatMap((g) => (g.utilization === undefined ? [] : [g.utilization]))
      if (util.length > 0) this.utilization.push(util.reduce((a, b) => a + b, 0) / util.length)
      const memory = gpus.flatMap((g) =>
        g.memoryUsedBytes === undefined ? [] : [g.memoryUsedBytes],
      )
      if (memory.length > 0) {
        const used = memory.reduce((a, b) => a + b, 0)
        this.maxMemory = Math.max(this.maxMemory ?? 0, used)
      }
      const watts = gpus.flatMap((g) => (g.powerWatts === undefined ? [] : [g.powerWatts]))
      if (watts.length > 0) this.power.push(watts.reduce((a, b) => a + b, 0))
    } catch (e) {
      if (this.signal.aborted) return
      this.failedWith ??= e instanceof Error ? e.message : String(e)
    }
  }

  async finish(): Promise<{ gpu?: BenchRun['gpu']; note?: string }> {
    await this.busy
    const mean = (xs: number[]): number | undefined =>
      xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length
    const gpu: NonNullable<BenchRun['gpu']> = {}
    const avgUtilization = mean(this.utilization)
    const avgPowerWatts = mean(this.power)
    if (avgUtilization !== undefined) gpu.avgUtilization = avgUtilization
    if (this.maxMemory !== undefined) gpu.maxMemoryUsedBytes = this.maxMemory
    if (avgPowerWatts !== undefined) gpu.avgPowerWatts = avgPowerWatts
    const any = Object.keys(gpu).length > 0
    let note: string | undefined
    if (this.polls === 0 && this.failedWith) {
      note = `no GPU figures: ${this.failedWith}`
    } else if (!any && this.polls > 0) {
      note = `no GPU figures: ${this.url} has no GPU lines (a server without GPUs, or GPU metrics off)`
    }
    return { gpu: any ? gpu : undefined, note }
  }
}
