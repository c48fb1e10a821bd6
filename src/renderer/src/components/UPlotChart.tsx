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
  /** Written after each y tick, so the axis says what it counts: '%', ' ms', '/s'. */
  yUnit?: string
  /** Counts (inferences per second): ticks on whole numbers only, never just "0". */
  yIntegers?: boolean
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

const AXIS_FONT_PX = 11
const AXIS_FONT = `${AXIS_FONT_PX}px system-ui, sans-serif`
/** Whole-number steps for count axes: 1, 2, 5, 10, 20, 50, … */
const INTEGER_STEPS = [1, 2, 5].flatMap((m) =>
  [1, 10, 100, 1000, 10_000, 100_000].map((p) => m * p),
)
INTEGER_STEPS.sort((a, b) => a - b)

/**
 * Where a count axis puts its ticks: whole-number steps, at most `most` of them past 0, chosen
 * from the range alone. uPlot's own choice depends on the chart's pixel height and left a short
 * chart with a lone "0/s".
 */
export function integerSplits(min: number, max: number, most = 4): number[] {
  const step =
    INTEGER_STEPS.find((s) => (max - min) / s <= most) ?? INTEGER_STEPS[INTEGER_STEPS.length - 1]
  const out: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= max; v += step) out.push(v)
  return out
}

/** Tick text for a y value: no float noise, the unit after it. */
export function yTickText(v: number, unit = ''): string {
  const rounded = Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100
  return `${rounded}${unit}`
}

/** True when there is no point to draw: the chart says so instead of drawing bare axes. */
export function hasNoSamples(
  x: readonly number[],
  ys: readonly (readonly (number | null)[])[],
): boolean {
  return x.length === 0 || ys.every((s) => s.every((v) => v === null || !Number.isFinite(v)))
}

/**
 * The y axis as wide as its longest tick label (uPlot's axis auto-size recipe), so "1000 ms"
 * is never cut at the left edge of a narrow panel.
 */
function fitAxisSize(u: uPlot, values: string[] | null, axisIdx: number, cycleNum: number): number {
  const axis = u.axes[axisIdx] as uPlot.Axis & { _size?: number; font?: unknown }
  if (cycleNum > 1 && axis._size !== undefined) return axis._size
  const ticks = axis.ticks && typeof axis.ticks === 'object' ? (axis.ticks.size ?? 10) : 10
  let size = ticks + (axis.gap ?? 5) + 4
  const longest = (values ?? []).reduce((a, v) => (v.length > a.length ? v : a), '')
  if (longest) {
    const font = Array.isArray(axis.font) ? String(axis.font[0]) : AXIS_FONT
    u.ctx.font = font
    size += u.ctx.measureText(longest).width / (window.devicePixelRatio || 1)
  }
  return Math.ceil(size)
}

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
  yUnit = '',
  yIntegers = false,
  threshold,
  testId,
  label,
}: UPlotChartProps) {
  const host = useRef<HTMLDivElement>(null)
  const figure = useRef<HTMLElement>(null)
  const plot = useRef<uPlot | null>(null)
  const data = useRef<uPlot.AlignedData>([[]])
  const tick = useRef(xTick ?? secondsTick)
  useLayoutEffect(() => {
    tick.current = xTick ?? secondsTick
  })
  const shape = useMemo(
    () => JSON.stringify([series, kind, height, yMax, threshold, yUnit, yIntegers]),
    [series, kind, height, yMax, threshold, yUnit, yIntegers],
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
      string,
      boolean,
    ]
    const [seriesList, chartKind, h, , , unit, integers] = parsed
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
              // A count axis shows at least 0, 1 and 2, never a lone "0".
              if (integers) return [0, Math.max(2, Math.ceil(max * 1.08))]
              return [0, max > 0 ? max * 1.08 : 1]
            },
          },
        },
        axes: [
          {
            stroke: axis,
            grid: { stroke: grid, width: 1 },
            size: 28,
            font: AXIS_FONT,
            ...(chartKind === 'bars' ? { incrs: [1, 2, 3, 4, 5, 10] } : {}),
            values: (_u, ticks) =>
              ticks.map((t) =>
                chartKind === 'bars' && !Number.isInteger(t) ? '' : tick.current(t),
              ),
          },
          {
            stroke: axis,
            grid: { stroke: grid, width: 1 },
            size: fitAxisSize,
            font: AXIS_FONT,
            ...(integers
              ? {
                  splits: (_u: uPlot, _axis: number, min: number, max: number) =>
                    integerSplits(min, max),
                }
              : {}),
            values: (_u, ticks) => {
              const texts = ticks.map((t) =>
                integers && !Number.isInteger(t) ? '' : yTickText(t, unit),
              )
              // What the axis says, for a test to read: the canvas has no text to query.
              if (figure.current) figure.current.dataset.yTicks = texts.filter(Boolean).join('|')
              return texts
            },
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

  const empty = hasNoSamples(x, ys)
  return (
    <figure
      className="chart"
      ref={figure}
      data-testid={testId}
      aria-label={label}
      data-points={x.length}
    >
      {/* Even one series is named, with its unit: a line alone does not say what it is. */}
      <figcaption className="chart-legend" data-testid={`${testId}-legend`}>
        {series.map((s) => (
          <span key={s.label} className="legend-item">
            <span className="swatch" style={{ background: cssColour(s.colour) }} />
            {s.label}
          </span>
        ))}
      </figcaption>
      {empty && (
        <p className="chart-empty muted" style={{ height }} data-testid={`${testId}-empty`}>
          No samples yet
        </p>
      )}
      {/* Hidden, not unmounted, while empty: the plot resizes itself when it shows. */}
      <div className="chart-plot" ref={host} hidden={empty} />
    </figure>
  )
})
