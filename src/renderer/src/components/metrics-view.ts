import type { MetricsPoll } from '../../../shared/ipc-contract'

/** Series colours for per-device and per-model lines, distinct in light and dark. */
export const SERIES_COLOURS = [
  '--accent',
  '--seg-compute',
  '--seg-queue',
  '--seg-render',
  '--seg-network',
  '--seg-capture',
] as const

export function formatPercent(fraction: number | undefined): string {
  if (fraction === undefined || !Number.isFinite(fraction)) return '–'
  return `${Math.round(fraction * 100)}%`
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '–'
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let v = bytes
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i]}`
}

export function formatRate(perSec: number | undefined): string {
  if (perSec === undefined || !Number.isFinite(perSec)) return '–'
  return perSec < 10 ? perSec.toFixed(1) : Math.round(perSec).toString()
}

/**
 * Triton names a GPU only by its UUID (GPU-1b2c3d4e-…): people say "GPU 0". Devices are numbered
 * in the order the server first listed them, and keep their number for the whole history.
 */
export function gpuNames(polls: readonly MetricsPoll[]): Map<string, string> {
  return new Map(gpuIds(polls).map((id, i) => [id, `GPU ${i}`]))
}

export interface ChartData {
  /** What the chart shows, with its unit: "CPU utilisation (%)". */
  title: string
  /** Seconds relative to the newest poll (0 = now, negative = earlier). */
  x: number[]
  ys: (number | null)[][]
  /** One per series, with the unit, for the legend: "GPU 0 utilisation (%)". */
  labels: string[]
}

const pct = (v: number | undefined): number | null =>
  v === undefined || !Number.isFinite(v) ? null : Math.round(v * 1000) / 10

function relativeTimes(polls: readonly MetricsPoll[]): number[] {
  const newest = polls[polls.length - 1]?.takenAtMs ?? 0
  return polls.map((p) => (p.takenAtMs - newest) / 1000)
}

function gpuIds(polls: readonly MetricsPoll[]): string[] {
  const ids = new Set<string>()
  for (const p of polls) for (const g of p.gpus) ids.add(g.uuid)
  return [...ids]
}

const devices = (gpus: readonly string[]): string => (gpus.length ? 'CPU and GPU' : 'CPU')
const deviceLabels = (gpus: readonly string[], what: string): string[] => [
  `CPU ${what}`,
  ...gpus.map((_, i) => `GPU ${i} ${what}`),
]

/** CPU and every GPU, in percent busy. */
export function utilisationChart(polls: readonly MetricsPoll[]): ChartData {
  const gpus = gpuIds(polls)
  return {
    title: `${devices(gpus)} utilisation (%)`,
    x: relativeTimes(polls),
    ys: [
      polls.map((p) => pct(p.cpu.utilization)),
      ...gpus.map((id) => polls.map((p) => pct(p.gpus.find((g) => g.uuid === id)?.utilization))),
    ],
    labels: deviceLabels(gpus, 'utilisation (%)'),
  }
}

const usedShare = (used?: number, total?: number): number | undefined =>
  used !== undefined && total ? used / total : undefined

/** Memory used, in percent of each device's total. */
export function memoryChart(polls: readonly MetricsPoll[]): ChartData {
  const gpus = gpuIds(polls)
  return {
    title: `${devices(gpus)} memory used (% of total)`,
    x: relativeTimes(polls),
    ys: [
      polls.map((p) => pct(usedShare(p.cpu.memoryUsedBytes, p.cpu.memoryTotalBytes))),
      ...gpus.map((id) =>
        polls.map((p) => {
          const g = p.gpus.find((d) => d.uuid === id)
          return pct(usedShare(g?.memoryUsedBytes, g?.memoryTotalBytes))
        }),
      ),
    ],
    labels: deviceLabels(gpus, 'memory (%)'),
  }
}

/** Inferences per second of the busiest models (at most `max`), over the polls. */
export function inferenceRateChart(polls: readonly MetricsPoll[], max = 4): ChartData {
  const totals = new Map<string, number>()
  for (const p of polls) {
    for (const m of p.models)
      totals.set(m.model, (totals.get(m.model) ?? 0) + (m.inferencePerSec ?? 0))
  }
  const models = [...totals]
    .filter(([, t]) => t > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, max)
    .map(([m]) => m)
  return {
    title: 'Inferences per second, busiest models',
    x: relativeTimes(polls),
    ys: models.map((name) =>
      polls.map((p) => {
        const v = p.models.find((m) => m.model === name)?.inferencePerSec
        return v === undefined ? null : Math.round(v * 100) / 100
      }),
    ),
    labels: models.map((m) => `${m} (inferences/s)`),
  }
}
