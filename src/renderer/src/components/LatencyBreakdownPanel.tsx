import { memo } from 'react'
import type { ServerTimeSplit, SourceKind, UserError } from '../../../shared/ipc-contract'
import {
  GLASS_TARGET_MS,
  SEGMENT_IDS,
  SEGMENT_INFO,
  type BreakdownSnapshot,
  type SegmentId,
} from '../metrics/breakdown-recorder'
import type { HistogramBucket, LatencyFigures } from '../../../shared/ms-histogram'
import { formatMs } from './latency-stats'
import { UPlotChart, type ChartSeries } from './UPlotChart'

export interface LatencyBreakdownPanelProps {
  snapshot: BreakdownSnapshot
  /** The session's source; undefined before the first session. */
  source?: SourceKind
  server: 'idle' | 'waiting' | 'ok' | 'failed'
  serverError?: UserError
  lastSplit?: ServerTimeSplit
  /** Chunk length of microphone sessions, for the glass-to-glass hint. */
  chunkMs?: number
}

export const SEGMENT_COLOUR: Readonly<Record<SegmentId, string>> = {
  captureToSend: '--seg-capture',
  network: '--seg-network',
  serverQueue: '--seg-queue',
  serverCompute: '--seg-compute',
  render: '--seg-render',
}

const RT_SERIES: readonly ChartSeries[] = [{ label: 'round trip (ms)', colour: '--accent' }]
const GLASS_SERIES: readonly ChartSeries[] = [
  { label: 'capture → screen (ms)', colour: '--accent' },
]
const HIST_SERIES: readonly ChartSeries[] = [
  { label: 'requests per bucket', colour: '--seg-network' },
]
const GLASS_LINE = { value: GLASS_TARGET_MS, label: `${GLASS_TARGET_MS} ms voice target` }

/** Segments can be a few microseconds (a server queue): two decimals below 1 ms. */
export function formatSegmentMs(ms: number | undefined): string {
  return ms !== undefined && ms < 1 ? ms.toFixed(2) : formatMs(ms)
}

/** Bar edges are powers of two: 0.25, 0.5, 1, 2 … 1024 ms. */
function bucketTick(buckets: readonly HistogramBucket[]): (i: number) => string {
  return (i) => {
    const b = buckets[i]
    return b ? `≤${b.upperMs >= 1 ? Math.round(b.upperMs) : b.upperMs}` : ''
  }
}

function FigureCells({ id, f }: { id: string; f?: LatencyFigures }) {
  return (
    <>
      {(['p50Ms', 'p95Ms', 'p99Ms'] as const).map((k) => (
        <td key={k} className="num" data-testid={`breakdown-${id}-${k.slice(0, 3)}`}>
          {formatSegmentMs(f?.[k])}
        </td>
      ))}
    </>
  )
}

function serverNote(p: LatencyBreakdownPanelProps): string {
  const intervals = p.snapshot.serverIntervals
  switch (p.server) {
    case 'idle':
      return 'Start a session to see where its time goes.'
    case 'waiting':
      return 'Server queue and compute arrive with the first ModelStatistics interval (2 s).'
    case 'failed':
      return `No server statistics: ${p.serverError?.message ?? 'the call failed'}. Network is then unknown too.`
    case 'ok':
      return `Server split from ModelStatistics: ${intervals} interval${intervals === 1 ? '' : 's'} of 2 s${
        p.lastSplit ? `, last batch size ${p.lastSplit.avgBatch.toFixed(1)}` : ''
      }.`
  }
}

/** The average request, split into its segments, as one stacked bar. */
function StackedBar({ snapshot }: { snapshot: BreakdownSnapshot }) {
  const parts = SEGMENT_IDS.map((id) => ({ id, ms: snapshot.segments[id]?.meanMs ?? 0 })).filter(
    (p) => p.ms > 0,
  )
  const total = parts.reduce((a, p) => a + p.ms, 0)
  return (
    <div className="stacked" data-testid="breakdown-bar">
      <div className="stacked-bar" role="img" aria-label="Average split per request">
        {total > 0 ? (
          parts.map((p) => (
            <span
              key={p.id}
              className="stacked-part"
              data-testid="breakdown-bar-part"
              data-segment={p.id}
              title={`${SEGMENT_INFO[p.id].label}: ${formatMs(p.ms)} ms (${Math.round((p.ms / total) * 100)}%)`}
              style={{ flexGrow: p.ms, background: `var(${SEGMENT_COLOUR[p.id]})` }}
            />
          ))
        ) : (
          <span className="stacked-empty muted">no requests yet</span>
        )}
      </div>
      <p className="stacked-total">
        average <strong data-testid="breakdown-total">{formatMs(total || undefined)}</strong> ms
        from capture to screen
      </p>
    </div>
  )
}

function GlassSection({ snapshot, source, chunkMs }: LatencyBreakdownPanelProps) {
  if (source !== 'microphone' && source !== 'camera') {
    return (
      <p className="muted small" data-testid="glass-none">
        Glass to glass needs a live source (microphone or camera): file input carries no capture
        stamp.
      </p>
    )
  }
  const voice = source === 'microphone'
  const g = snapshot.glass
  const under = g ? g.p95Ms < GLASS_TARGET_MS : undefined
  return (
    <section className="glass" data-testid="glass-section">
      <h3>
        Glass to glass{' '}
        <span className="muted">
          ({voice ? 'speech → words on screen' : 'camera → boxes on screen'})
        </span>
      </h3>
      {voice && (
        <p
          className={`glass-verdict ${under === undefined ? 'muted' : under ? 'ok' : 'bad'}`}
          data-testid="glass-verdict"
          data-under={under === undefined ? 'unknown' : String(under)}
        >
          {g === undefined
            ? `Waiting for text on screen; the target for live voice is p95 under ${GLASS_TARGET_MS} ms.`
            : under
              ? `✓ p95 ${formatMs(g.p95Ms)} ms: under the ${GLASS_TARGET_MS} ms target for live voice`
              : `✗ p95 ${formatMs(g.p95Ms)} ms: over the ${GLASS_TARGET_MS} ms target for live voice`}
        </p>
      )}
      {voice && g && !under && chunkMs !== undefined && (
        <p className="muted small">
          Capture → send counts from a chunk&apos;s first sample, so the {chunkMs} ms chunk is in
          it: a shorter chunk lowers it.
        </p>
      )}
      <UPlotChart
        x={snapshot.glassSeries[0]}
        ys={[snapshot.glassSeries[1]]}
        series={GLASS_SERIES}
        threshold={voice ? GLASS_LINE : undefined}
        yUnit=" ms"
        height={100}
        testId="breakdown-glass-chart"
        label="Glass to glass over the session"
      />
    </section>
  )
}

/** Where the time of a request goes: per-segment percentiles, the average split, and charts. */
export const LatencyBreakdownPanel = memo(function LatencyBreakdownPanel(
  props: LatencyBreakdownPanelProps,
) {
  const { snapshot, source } = props
  const rt = snapshot.roundTrip
  const buckets = snapshot.roundTripBuckets
  return (
    <section
      className="panel breakdown-panel"
      aria-label="Latency breakdown"
      data-testid="breakdown-panel"
    >
      <header className="panel-header">
        <h2>Breakdown</h2>
        <span className="muted" data-testid="breakdown-count">
          {rt ? `${rt.count} requests` : 'no requests'}
        </span>
      </header>
      <StackedBar snapshot={snapshot} />
      <table className="breakdown-table">
        <thead>
          <tr>
            <th scope="col">ms</th>
            <th scope="col">p50</th>
            <th scope="col">p95</th>
            <th scope="col">p99</th>
          </tr>
        </thead>
        <tbody>
          {SEGMENT_IDS.map((id) => (
            <tr
              key={id}
              data-testid="breakdown-row"
              data-segment={id}
              title={SEGMENT_INFO[id].title}
            >
              <th scope="row">
                <span className="swatch" style={{ background: `var(${SEGMENT_COLOUR[id]})` }} />
                {SEGMENT_INFO[id].label}
                {id === 'captureToSend' && source === 'file' && (
                  <span className="muted"> (no stamp for files)</span>
                )}
              </th>
              <FigureCells id={id} f={snapshot.segments[id]} />
            </tr>
          ))}
          <tr className="total" data-testid="breakdown-row" data-segment="roundTrip">
            <th scope="row">Round trip</th>
            <FigureCells id="roundTrip" f={rt} />
          </tr>
          {snapshot.glass && (
            <tr className="total" data-testid="breakdown-row" data-segment="glass">
              <th scope="row">Glass to glass</th>
              <FigureCells id="glass" f={snapshot.glass} />
            </tr>
          )}
        </tbody>
      </table>
      <p className="muted small" data-testid="breakdown-server" data-state={props.server}>
        {serverNote(props)}
      </p>
      <GlassSection {...props} />
      <h3>Round trip over the session</h3>
      <UPlotChart
        x={snapshot.roundTripSeries[0]}
        ys={[snapshot.roundTripSeries[1]]}
        series={RT_SERIES}
        yUnit=" ms"
        height={100}
        testId="breakdown-rt-chart"
        label="Round trip over the session"
      />
      <h3>Round trip histogram</h3>
      <UPlotChart
        x={buckets.map((_, i) => i)}
        ys={[buckets.map((b) => b.count)]}
        series={HIST_SERIES}
        kind="bars"
        yIntegers
        height={100}
        xTick={bucketTick(buckets)}
        testId="breakdown-rt-histogram"
        label="Round trip histogram, requests per bucket"
      />
    </section>
  )
})
