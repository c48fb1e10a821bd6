import { memo, useMemo } from 'react'
import type { MetricsPoll } from '../../../shared/ipc-contract'
import { formatMs } from './latency-stats'
import {
  formatBytes,
  formatPercent,
  formatRate,
  gpuNames,
  inferenceRateChart,
  memoryChart,
  SERIES_COLOURS,
  utilisationChart,
  type ChartData,
} from './metrics-view'
import { UPlotChart, type ChartSeries } from './UPlotChart'

export interface MetricsPanelProps {
  connected: boolean
  /** The newest answer, possibly an error. */
  last?: MetricsPoll
  /** Successful polls, oldest first. */
  polls: readonly MetricsPoll[]
  intervalMs: number
}

const timeTick = (x: number): string => (x === 0 ? 'now' : `${Math.round(x)}s`)

function seriesOf(chart: ChartData): ChartSeries[] {
  return chart.labels.map((label, i) => ({
    label,
    colour: SERIES_COLOURS[i % SERIES_COLOURS.length],
  }))
}

function Charts({ polls }: { polls: readonly MetricsPoll[] }) {
  const util = useMemo(() => utilisationChart(polls), [polls])
  const mem = useMemo(() => memoryChart(polls), [polls])
  const rate = useMemo(() => inferenceRateChart(polls), [polls])
  const utilSeries = useMemo(() => seriesOf(util), [util])
  const memSeries = useMemo(() => seriesOf(mem), [mem])
  const rateSeries = useMemo(() => seriesOf(rate), [rate])
  return (
    <>
      <h3 data-testid="metrics-util-title">{util.title}</h3>
      <UPlotChart
        x={util.x}
        ys={util.ys}
        series={utilSeries}
        yMax={100}
        yUnit="%"
        height={90}
        xTick={timeTick}
        testId="metrics-util-chart"
        label="CPU and GPU utilisation over the last minutes"
      />
      <h3 data-testid="metrics-mem-title">{mem.title}</h3>
      <UPlotChart
        x={mem.x}
        ys={mem.ys}
        series={memSeries}
        yMax={100}
        yUnit="%"
        height={90}
        xTick={timeTick}
        testId="metrics-mem-chart"
        label="Memory used over the last minutes"
      />
      <h3>{rate.title}</h3>
      {rate.labels.length === 0 ? (
        <p className="muted small" data-testid="metrics-rate-none">
          No model has run in the last minutes.
        </p>
      ) : (
        <UPlotChart
          x={rate.x}
          ys={rate.ys}
          series={rateSeries}
          yUnit="/s"
          yIntegers
          height={90}
          xTick={timeTick}
          testId="metrics-rate-chart"
          label="Inferences per second per model"
        />
      )}
    </>
  )
}

/** Busy models first; idle ones are counted, not listed, so the busy ones stay readable. */
function ModelRates({ models }: { models: MetricsPoll['models'] }) {
  const busy = models
    .filter((m) => (m.inferencePerSec ?? 0) > 0 || (m.pendingRequests ?? 0) > 0)
    .sort((a, b) => (b.inferencePerSec ?? 0) - (a.inferencePerSec ?? 0))
  const idle = models.length - busy.length
  return (
    <table className="metrics-models">
      <caption>Per model, since the previous scrape</caption>
      <thead>
        <tr>
          <th scope="col">Model</th>
          <th scope="col" title="Inferences per second">
            inf/s
          </th>
          <th scope="col" title="Average queue time per request">
            queue
          </th>
          <th scope="col" title="Average compute time per request">
            compute
          </th>
        </tr>
      </thead>
      <tbody>
        {models.length === 0 && (
          <tr>
            <td colSpan={4} className="muted">
              Rates appear from the second scrape.
            </td>
          </tr>
        )}
        {busy.map((m) => (
          <tr
            key={`${m.model}/${m.version}`}
            data-testid="metrics-model-row"
            data-model={m.model}
            title={`${m.model} v${m.version}: ${m.pendingRequests ?? 0} waiting now`}
          >
            <th scope="row">{m.model}</th>
            <td className="num">{formatRate(m.inferencePerSec)}</td>
            <td className="num">
              {m.avgQueueMs === undefined ? '–' : `${formatMs(m.avgQueueMs)} ms`}
            </td>
            <td className="num">
              {m.avgComputeMs === undefined ? '–' : `${formatMs(m.avgComputeMs)} ms`}
            </td>
          </tr>
        ))}
        {idle > 0 && (
          <tr>
            <td colSpan={4} className="muted" data-testid="metrics-idle-models">
              {busy.length === 0
                ? 'No requests'
                : `${idle} more model${idle === 1 ? '' : 's'}: no requests`}{' '}
              since the previous scrape
            </td>
          </tr>
        )}
      </tbody>
    </table>
  )
}

function Body({ last, polls }: { last: MetricsPoll; polls: readonly MetricsPoll[] }) {
  const { cpu } = last
  const names = useMemo(() => gpuNames([...polls, last]), [polls, last])
  return (
    <>
      <dl className="metric-cards">
        <div className="figure" data-testid="metrics-cpu">
          <dt>CPU</dt>
          <dd>
            <span data-testid="metrics-cpu-util">{formatPercent(cpu.utilization)}</span>
            <span className="unit"> busy</span>
          </dd>
          <dd className="small" data-testid="metrics-cpu-mem">
            {formatBytes(cpu.memoryUsedBytes)} / {formatBytes(cpu.memoryTotalBytes)}
          </dd>
        </div>
        {last.gpus.map((g) => (
          <div className="figure" key={g.uuid} data-testid="metrics-gpu" data-uuid={g.uuid}>
            <dt title={g.uuid}>{names.get(g.uuid) ?? g.uuid}</dt>
            <dd>
              <span data-testid="metrics-gpu-util">{formatPercent(g.utilization)}</span>
              <span className="unit"> busy</span>
            </dd>
            <dd className="small" data-testid="metrics-gpu-mem">
              {formatBytes(g.memoryUsedBytes)} / {formatBytes(g.memoryTotalBytes)}
            </dd>
            <dd className="small" data-testid="metrics-gpu-power">
              {g.powerWatts === undefined ? '–' : `${Math.round(g.powerWatts)} W`}
            </dd>
          </div>
        ))}
      </dl>
      {!last.hasGpuMetrics && (
        <p className="notice" data-testid="metrics-no-gpu">
          No GPU lines: this server reports no GPUs (or GPU metrics are off).
        </p>
      )}
      <ModelRates models={last.models} />
      <Charts polls={polls} />
    </>
  )
}

/** The server's GPU, CPU and per-model figures from its Prometheus page, and how they move. */
export const MetricsPanel = memo(function MetricsPanel({
  connected,
  last,
  polls,
  intervalMs,
}: MetricsPanelProps) {
  let body
  if (!connected) body = <p className="muted">Connect to an endpoint to see its metrics.</p>
  else if (!last) body = <p className="muted">Reading the metrics page…</p>
  else if (last.error) {
    body = (
      <div className="notice bad" role="status" data-testid="metrics-none">
        <strong>No metrics: {last.error.message}</strong>
        {last.error.hint && <span>{last.error.hint}</span>}
      </div>
    )
  } else body = <Body last={last} polls={polls} />
  return (
    <section
      className="panel metrics-panel"
      aria-label="Server metrics"
      data-testid="metrics-panel"
    >
      <header className="panel-header">
        <h2>Server metrics</h2>
        {last && (
          <span className="muted small" data-testid="metrics-updated" title={last.url}>
            {new Date(last.takenAtMs).toLocaleTimeString()} · every {intervalMs / 1000} s
          </span>
        )}
      </header>
      {body}
    </section>
  )
})
