import { memo, useMemo } from 'react'
import type { LatencySummary } from '../../../shared/results'
import type { LatencyFigures } from '../../../shared/ms-histogram'
import { formatMs } from './latency-stats'
import { UPlotChart, type ChartSeries } from './UPlotChart'

export interface LatencyPanelProps {
  /** Every round trip of the session, from the HDR histogram the Breakdown tab reads too. */
  figures?: LatencyFigures
  lastMs?: number
  /** Chart series: seconds since the session started and round trips in ms, newest points. */
  times: readonly number[]
  values: readonly number[]
  /** Main's exact summary, once the session has ended. */
  summary?: LatencySummary
}

const FIGURES = [
  ['mean', 'meanMs', 'Mean'],
  ['p50', 'p50Ms', 'p50'],
  ['p95', 'p95Ms', 'p95'],
  ['p99', 'p99Ms', 'p99'],
] as const

const SERIES: readonly ChartSeries[] = [{ label: 'round trip (ms)', colour: '--accent' }]

function Figure({ id, label, ms }: { id: string; label: string; ms?: number }) {
  return (
    <div className={`figure figure-${id}`}>
      <dt>{label}</dt>
      <dd>
        <span data-testid={`latency-${id}`}>{formatMs(ms)}</span>
        <span className="unit"> ms</span>
      </dd>
    </div>
  )
}

/** Round trip at a glance: the session's figures and a live chart. */
export const LatencyPanel = memo(function LatencyPanel({
  figures,
  lastMs,
  times,
  values,
  summary,
}: LatencyPanelProps) {
  const count = figures?.count ?? 0
  const ys = useMemo(() => [values], [values])
  return (
    <section className="panel latency-panel" aria-label="Latency" data-testid="latency-panel">
      <header className="panel-header">
        <h2>Latency</h2>
        <span
          className="muted"
          data-testid="latency-count"
          title="Round trips this session; percentiles are within 0.1 %"
        >
          {count} sample{count === 1 ? '' : 's'}
          {times.length < count ? ` (chart: newest ${times.length})` : ''}
        </span>
      </header>
      <dl className="figures">
        <Figure id="last" label="Last" ms={lastMs} />
        {FIGURES.map(([id, key, label]) => (
          <Figure key={id} id={id} label={label} ms={figures?.[key]} />
        ))}
      </dl>
      <UPlotChart
        x={times}
        ys={ys}
        series={SERIES}
        yUnit=" ms"
        height={140}
        testId="latency-chart"
        label="Round trip over the session"
      />
      {summary && (
        <div className="latency-summary" data-testid="latency-summary">
          <h3>Session summary</h3>
          <p>
            {summary.successes}/{summary.requests} ok ({Math.round(summary.successRate * 100)}%),{' '}
            {summary.throughput.toFixed(1)} req/s over {summary.durationSec.toFixed(1)} s
          </p>
          <p>
            p50 {formatMs(summary.p50Ms)} · p95 {formatMs(summary.p95Ms)} · p99{' '}
            {formatMs(summary.p99Ms)} · max {formatMs(summary.maxMs)} ms
          </p>
        </div>
      )}
    </section>
  )
})
