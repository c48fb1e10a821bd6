import type { MetricsPoll, ServerTimeSplit } from '../../shared/ipc-contract'
import {
  defaultMetricsUrl,
  diffMetrics,
  fetchMetricsText,
  parseTritonMetrics,
  type GpuRates,
  type TritonMetricsSnapshot,
} from '../metrics/prometheus-metrics'
import { statisticsDelta } from '../metrics/statistics-delta'
import type { ModelStatistics, TritonApi } from '../triton/triton-api'
import { toUserError } from './user-error'

/**
 * Keeps the previous Prometheus scrape and ModelStatistics reply per endpoint, so each poll
 * answers with rates and per-request averages over the interval since the last one.
 */
export class MetricsPoller {
  private readonly scrapes = new Map<string, TritonMetricsSnapshot>()
  private readonly stats = new Map<string, ModelStatistics[]>()

  /** `urlOrTarget` is a metrics URL, or the gRPC target to derive http://host:8002/metrics from. */
  async poll(endpointId: string, urlOrTarget: string): Promise<MetricsPoll> {
    const url = /^https?:\/\//.test(urlOrTarget) ? urlOrTarget : defaultMetricsUrl(urlOrTarget)
    const takenAtMs = Date.now()
    try {
      const snapshot = parseTritonMetrics(
        await fetchMetricsText(url, { timeoutMs: 3000 }),
        takenAtMs,
      )
      const prev = this.scrapes.get(endpointId)
      this.scrapes.set(endpointId, snapshot)
      const rates = prev ? diffMetrics(prev, snapshot) : undefined
      return {
        endpointId,
        url,
        takenAtMs,
        hasGpuMetrics: snapshot.hasGpuMetrics,
        gpus: (rates?.gpus ?? snapshot.gpus).map((g: GpuRates) => ({
          uuid: g.uuid,
          utilization: g.utilization,
          memoryUsedBytes: g.memoryUsedBytes,
          memoryTotalBytes: g.memoryTotalBytes,
          powerWatts: g.avgPowerWatts ?? g.powerWatts,
        })),
        cpu: snapshot.cpu,
        models: (rates?.models ?? []).map((m) => ({
          model: m.model,
          version: m.version,
          inferencePerSec: m.inferencePerSec,
          successPerSec: m.successPerSec,
          failurePerSec: m.failurePerSec,
          avgRequestMs: m.avgRequestMs,
          avgQueueMs: m.avgQueueMs,
          avgComputeMs: m.avgComputeMs,
          pendingRequests: m.pendingRequests,
        })),
      }
    } catch (e) {
      return {
        endpointId,
        url,
        takenAtMs,
        error: toUserError(e),
        hasGpuMetrics: false,
        gpus: [],
        cpu: {},
        models: [],
      }
    }
  }

  async serverStats(
    endpointId: string,
    model: string,
    client: TritonApi,
  ): Promise<ServerTimeSplit | null> {
    const key = `${endpointId}/${model}`
    const next = await client.modelStatistics(model)
    const prev = this.stats.get(key)
    this.stats.set(key, next)
    if (!prev) return null
    const d = statisticsDelta(prev, next, { name: model })
    if (!d) return null
    return {
      requests: d.requests,
      successes: d.successes,
      failures: d.failures,
      avgQueueMs: d.avgQueueMs,
      avgComputeInputMs: d.avgComputeInputMs,
      avgComputeInferMs: d.avgComputeInferMs,
      avgComputeOutputMs: d.avgComputeOutputMs,
      avgServerMs: d.avgServerMs,
      avgBatch: d.avgBatch,
    }
  }
}
