import { memo, useEffect, useRef } from 'react'
import type uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { canDrawCharts, cssVar } from './chart-support'

export interface LatencyChartProps {
  /** Seconds since the first sample, ascending. */
  times: readonly number[]
  /** Round trips in ms, one per time. */
  values: readonly number[]
  height?: number
}

/** A live round-trip chart; uPlot draws thousands of points without React re-rendering them. */
export const LatencyChart = memo(function LatencyChart({
  times,
  values,
  height = 140,
}: LatencyChartProps) {
  const host = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const data = useRef<[number[], number[]]>([[], []])

  useEffect(() => {
    const el = host.current
    if (!el || !canDrawCharts()) return
    const stroke = cssVar('--accent', '#2f6fdf')
    const axis = cssVar('--muted', '#888')
    const grid = cssVar('--border', '#ccc')
    const opts: uPlot.Options = {
      width: Math.max(160, el.clientWidth),
      height,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false } },
      axes: [
        {
          stroke: axis,
          grid: { stroke: grid, width: 1 },
          values: (_u, ticks) => ticks.map((t) => `${t}s`),
        },
        { stroke: axis, grid: { stroke: grid, width: 1 }, size: 44 },
      ],
      series: [{}, { label: 'round trip (ms)', stroke, width: 1.5, points: { show: false } }],
    }
    let u: uPlot | undefined
    let resize: ResizeObserver | undefined
    let disposed = false
    // Loaded on demand: uPlot touches matchMedia at import, and the figures should not wait for it.
    void import('uplot').then(({ default: UPlot }) => {
      if (disposed) return
      const plotted = new UPlot(opts, data.current, el)
      u = plotted
      plot.current = plotted
      resize = new ResizeObserver(() =>
        plotted.setSize({ width: Math.max(160, el.clientWidth), height }),
      )
      resize.observe(el)
    })
    return () => {
      disposed = true
      resize?.disconnect()
      u?.destroy()
      plot.current = null
    }
  }, [height])

  useEffect(() => {
    data.current = [times as number[], values as number[]]
    plot.current?.setData(data.current)
  }, [times, values])

  return <div className="latency-chart" ref={host} data-testid="latency-chart" />
})
