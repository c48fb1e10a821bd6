import { cpus, freemem, totalmem } from 'node:os'
import type { DemoInference } from './demo-inference'

function cpuTimes(): { idle: number; total: number } {
  let idle = 0
  let total = 0
  for (const c of cpus()) {
    idle += c.times.idle
    total += c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq
  }
  return { idle, total }
}

/**
 * Triton's Prometheus page for the demo endpoint: per-model inference counters and cumulative
 * durations in microseconds, CPU utilisation and memory. There are no GPU lines because there
 * is no GPU, exactly as a CPU-only Triton reports.
 */
export class DemoMetricsPage {
  private lastCpu = cpuTimes()
  private utilization = 0

  constructor(private readonly inference: DemoInference) {}

  /** Like Triton's --metrics-interval-ms, CPU utilisation is sampled between scrapes. */
  private sampleCpu(): number {
    const now = cpuTimes()
    const dTotal = now.total - this.lastCpu.total
    if (dTotal > 0) this.utilization = 1 - (now.idle - this.lastCpu.idle) / dTotal
    this.lastCpu = now
    return this.utilization
  }

  render(): string {
    const lines: string[] = []
    const family = (name: string, type: string, help: string, rows: string[]): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...rows)
    }
    const models = [...this.inference.counters.entries()]
    const label = (m: string): string => `model="${m}",version="1"`
    const us = (ns: bigint): string => (ns / 1000n).toString()
    family(
      'nv_inference_request_success',
      'counter',
      'Number of successful inference requests, all batch sizes',
      models.map(([m, c]) => `nv_inference_request_success{${label(m)}} ${c.success.count}`),
    )
    family(
      'nv_inference_request_failure',
      'counter',
      'Number of failed inference requests, all batch sizes',
      models.flatMap(([m, c]) =>
        (['REJECTED', 'BACKEND', 'OTHER'] as const).map(
          (r) => `nv_inference_request_failure{${label(m)},reason="${r}"} ${c.failuresByReason[r]}`,
        ),
      ),
    )
    family(
      'nv_inference_count',
      'counter',
      'Number of inferences performed (does not include cached requests)',
      models.map(([m, c]) => `nv_inference_count{${label(m)}} ${c.inferenceCount}`),
    )
    family(
      'nv_inference_exec_count',
      'counter',
      'Number of model executions performed (does not include cached requests)',
      models.map(([m, c]) => `nv_inference_exec_count{${label(m)}} ${c.executionCount}`),
    )
    family(
      'nv_inference_pending_request_count',
      'gauge',
      'Instantaneous number of pending requests awaiting execution per-model.',
      models.map(([m, c]) => `nv_inference_pending_request_count{${label(m)}} ${c.pending}`),
    )
    family(
      'nv_inference_request_duration_us',
      'counter',
      'Cumulative inference request duration in microseconds (includes cached requests)',
      models.map(([m, c]) => `nv_inference_request_duration_us{${label(m)}} ${us(c.success.ns)}`),
    )
    family(
      'nv_inference_queue_duration_us',
      'counter',
      'Cumulative inference queuing duration in microseconds (includes cached requests)',
      models.map(([m, c]) => `nv_inference_queue_duration_us{${label(m)}} ${us(c.queue.ns)}`),
    )
    family(
      'nv_inference_compute_input_duration_us',
      'counter',
      'Cumulative compute input duration in microseconds (does not include cached requests)',
      models.map(
        ([m, c]) => `nv_inference_compute_input_duration_us{${label(m)}} ${us(c.computeInput.ns)}`,
      ),
    )
    family(
      'nv_inference_compute_infer_duration_us',
      'counter',
      'Cumulative compute inference duration in microseconds (does not include cached requests)',
      models.map(
        ([m, c]) => `nv_inference_compute_infer_duration_us{${label(m)}} ${us(c.computeInfer.ns)}`,
      ),
    )
    family(
      'nv_inference_compute_output_duration_us',
      'counter',
      'Cumulative inference compute output duration in microseconds (does not include cached requests)',
      models.map(
        ([m, c]) =>
          `nv_inference_compute_output_duration_us{${label(m)}} ${us(c.computeOutput.ns)}`,
      ),
    )
    family('nv_cpu_utilization', 'gauge', 'CPU utilization rate [0.0 - 1.0]', [
      `nv_cpu_utilization ${this.sampleCpu().toFixed(6)}`,
    ])
    family('nv_cpu_memory_total_bytes', 'gauge', 'CPU total memory (RAM), in bytes', [
      `nv_cpu_memory_total_bytes ${totalmem()}`,
    ])
    family('nv_cpu_memory_used_bytes', 'gauge', 'CPU used memory (RAM), in bytes', [
      `nv_cpu_memory_used_bytes ${totalmem() - freemem()}`,
    ])
    return lines.join('\n') + '\n'
  }
}
