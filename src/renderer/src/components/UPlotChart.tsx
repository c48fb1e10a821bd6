import { memo, useEffect, useLayoutEffect, useMemo, useRef } from 'react'
import type uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { canDrawCharts, cssVar } from './chart-support'

export interface ChartSeries {
  label: string
  /** A CSS variable from styles.css ('--accent') or a literal colour. */
  colour: string
}

/** A horizontal line across the plot, such as a latency target. */
export interface ChartThreshold {
  value: number
  label: string
  colour?: string
}

export interface UPlotChartProps {
  /** x values, ascending; for bars, the bar index. */
  x: readonly number[]
  /** One array per series, aligned with x. */
  ys: readonly (readonly (number | null)[])[]
  series: readonly ChartSeries[]
  kind?: 'line' | 'bars'
  height?: number
  /** Tick label for an x value (seconds by default). */
  xTick?: (x: number) => string
  /** A fixed top of the y axis (100 for percentages); otherwise it follows the data. */
  yMax?: number
  threshold?: ChartThreshold
  testId: string
  label: string
}

function colourOf(c: string): string {
  return c.startsWith('--') ? cssVar(c, '#888888') : c
}

/** The same colour for CSS: a variable reference or the literal. */
function cssColour(c: string): string {
  return c.startsWith('--') ? `var(${c})` : c
}

const secondsTick = (x: number): string => `${Math.round(x * 10) / 10}s`

/**
 * A small uPlot chart: lines over time or bars. Options are built when the chart's shape
 * changes; new data only calls setData, so thousands of points never re-render React.
 */
export const UPlotChart = memo(function UPlotChart({
  x,
  ys,
  series,
  kind = 'line',
  height = 110,
  xTick,
  yMax,
  threshold,
  testId,
  label,
}: UPlotChartProps) {
  const host = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)
  const data = useRef<uPlot.AlignedData>([[]])
  const tick = useRef(xTick ?? secondsTick)
  useLayoutEffect(() => {
    tick.current = xTick ?? secondsTick
  })
  const shape = useMemo(
    () => JSON.stringify([series, kind, height, yMax, threshold]),
    [series, kind, height, yMax, threshold],
  )

  useEffect(() => {
    const el = host.current
    if (!el || !canDrawCharts()) return
    // JSON turns a missing yMax or threshold into null: read them back as absent.
    const parsed = JSON.parse(shape) as [
      ChartSeries[],
      'line' | 'bars',
      number,
      number | null,
      ChartThreshold | null,
    ]
    const [seriesList, chartKind, h] = parsed
    const top = parsed[3] ?? undefined
    const line = parsed[4] ?? undefined
    let u: uPlot | undefined
    let resize: ResizeObserver | undefined
    let disposed = false
    // Loaded on demand: uPlot touches matchMedia at import, and the figures should not wait.
    void import('uplot').then(({ default: UPlot }) => {
      if (disposed) return
      const axis = colourOf('--muted')
      const grid = colourOf('--border')
      const bars = chartKind === 'bars' ? UPlot.paths.bars?.({ size: [0.8, 48] }) : undefined
      const opts: uPlot.Options = {
        width: Math.max(160, el.clientWidth),
        height: h,
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: {
            time: false,
            ...(chartKind === 'bars'
              ? { range: (_u, lo, hi): uPlot.Range.MinMax => [(lo ?? 0) - 0.5, (hi ?? 0) + 0.5] }
              : {}),
          },
          y: {
            range: (_u, _lo, hi): uPlot.Range.MinMax => {
              if (top !== undefined) return [0, top]
              const max = Math.max(Number.isFinite(hi) ? (hi ?? 0) : 0, (line?.value ?? 0) * 1.15)
              return [0, max > 0 ? max * 1.08 : 1]
            },
          },
        },
        axes: [
          {
            stroke: axis,
            grid: { stroke: grid, width: 1 },
            size: 28,
            font: '11px system-ui, sans-serif',
            ...(chartKind === 'bars' ? { incrs: [1, 2, 3, 4, 5, 10] } : {}),
            values: (_u, ticks) =>
              ticks.map((t) =>
                chartKind === 'bars' && !Number.isInteger(t) ? '' : tick.current(t),
              ),
          },
          {
            stroke: axis,
            grid: { stroke: grid, width: 1 },
            size: 40,
            font: '11px system-ui, sans-serif',
          },
        ],
        series: [
          {},
          ...seriesList.map((s): uPlot.Series => {
            const stroke = colourOf(s.colour)
            return bars
              ? {
                  label: s.label,
                  stroke,
                  fill: stroke,
                  width: 0,
                  paths: bars,
                  points: { show: false },
                }
              : { label: s.label, stroke, width: 1.5, points: { show: false }, spanGaps: true }
          }),
        ],
        hooks: line
          ? {
              draw: [
                (p) => {
                  const y = p.valToPos(line.value, 'y', true)
                  const { left, top: t, width, height: bh } = p.bbox
                  if (y < t || y > t + bh) return
                  const ctx = p.ctx
                  const dpr = window.devicePixelRatio || 1
                  ctx.save()
                  ctx.strokeStyle = colourOf(line.colour ?? '--bad')
                  ctx.fillStyle = ctx.strokeStyle
                  ctx.lineWidth = 1.5 * dpr
                  ctx.setLineDash([6 * dpr, 4 * dpr])
                  ctx.beginPath()
                  ctx.moveTo(left, y)
                  ctx.lineTo(left + width, y)
                  ctx.stroke()
                  ctx.font = `${11 * dpr}px system-ui, sans-serif`
                  ctx.textAlign = 'right'
                  ctx.textBaseline = 'bottom'
                  ctx.fillText(line.label, left + width - 4 * dpr, y - 2 * dpr)
                  ctx.restore()
                },
              ],
            }
          : undefined,
      }
      const plotted = new UPlot(opts, data.current, el)
      u = plotted
      plot.current = plotted
      resize = new ResizeObserver(() =>
        plotted.setSize({ width: Math.max(160, el.clientWidth), height: h }),
      )
      resize.observe(el)
    })
    return () => {
      disposed = true
      resize?.disconnect()
      u?.destroy()
      plot.current = null
    }
  }, [shape])

  useEffect(() => {
    data.current = [x as number[], ...(ys as (number | null)[][])]
    plot.current?.setData(data.current)
  }, [x, ys])

  return (
    <figure className="chart" data-testid={testId} aria-label={label} data-points={x.length}>
      {series.length > 1 && (
        <figcaption className="chart-legend">
          {series.map((s) => (
            <span key={s.label} className="legend-item">
              <span className="swatch" style={{ background: cssColour(s.colour) }} />
              {s.label}
            </span>
          ))}
        </figcaption>
      )}
      <div className="chart-plot" ref={host} />
    </figure>
  )
})
