import { memo } from 'react'
import type { LatencySummary } from '../../../shared/results'
import { formatMs, type LatencyStats } from './latency-stats'
import { LatencyChart } from './LatencyChart'

export interface LatencyPanelProps {
  stats: LatencyStats
  /** Chart series: seconds since the first sample and round trips in ms. */
  times: readonly number[]
  values: readonly number[]
  /** All samples of the session, including those beyond the window. */
  total: number
  /** Main's exact summary, once the session has ended. */
  summary?: LatencySummary
}

const FIGURES = [
  ['last', 'lastMs', 'Last'],
  ['mean', 'meanMs', 'Mean'],
  ['p50', 'p50Ms', 'p50'],
  ['p95', 'p95Ms', 'p95'],
  ['p99', 'p99Ms', 'p99'],
] as const

/** Round trip at a glance: figures from the newest samples and a live chart. */
export const LatencyPanel = memo(function LatencyPanel({
  stats,
  times,
  values,
  total,
  summary,
}: LatencyPanelProps) {
  return (
    <section className="panel latency-panel" aria-label="Latency" data-testid="latency-panel">
      <header className="panel-header">
        <h2>Latency</h2>
        <span
          className="muted"
          data-testid="latency-count"
          title="Samples in the window / in the session"
        >
          {stats.count === total ? `${total} samples` : `last ${stats.count} of ${total}`}
        </span>
      </header>
      <dl className="figures">
        {FIGURES.map(([id, key, label]) => (
          <div className={`figure figure-${id}`} key={id}>
            <dt>{label}</dt>
            <dd>
              <span data-testid={`latency-${id}`}>{formatMs(stats[key])}</span>
              <span className="unit"> ms</span>
            </dd>
          </div>
        ))}
      </dl>
      <LatencyChart times={times} values={values} />
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
