import { memo } from 'react'
import {
  OUTCOME_LABELS,
  REQUEST_OUTCOMES,
  type FlowEvent,
  type SessionSummary,
} from '../../../shared/session-summary'
import { formatMs } from './latency-stats'

/** While a session runs: what waits where. Shown only when something is waiting or was lost. */
export const SessionFlowLine = memo(function SessionFlowLine(p: {
  flow?: FlowEvent
  notice?: string
}) {
  const f = p.flow
  const parts: string[] = []
  if (f && f.queued > 0)
    parts.push(
      f.queuedSec > 0
        ? `${f.queuedSec.toFixed(1)} s of audio queued${f.spilledSec > 0 ? ` (${f.spilledSec.toFixed(1)} s on disk)` : ''}`
        : `${f.queued} queued`,
    )
  if (f && f.inFlight > 0) parts.push(`${f.inFlight} in flight`)
  if (f && f.droppedFrames > 0) parts.push(`${f.droppedFrames} stale frames skipped`)
  if (f && f.retries > 0) parts.push(`${f.retries} sent again after a drop`)
  if (f && f.unmatched > 0) parts.push(`${f.unmatched} answers matched no request`)
  if (parts.length === 0 && !p.notice) return null
  return (
    <p className="session-flow muted" title={parts.join(' · ')} data-testid="session-flow">
      {parts.join(' · ')}
      {p.notice && <span data-testid="session-notice"> {p.notice}</span>}
    </p>
  )
})

/** After a session: how every request ended, and what was not processed (kept, never dropped). */
export const SessionOutcome = memo(function SessionOutcome(p: {
  summary: SessionSummary
  onTranscribeKept?: (path: string) => void
}) {
  const s = p.summary
  const failed = REQUEST_OUTCOMES.filter((o) => o !== 'success' && s.outcomes?.[o] > 0).map(
    (o) => `${s.outcomes[o]} ${OUTCOME_LABELS[o].toLowerCase()}`,
  )
  const u = s.unprocessed
  const kept = u?.keptAudioPath
  return (
    <div className="session-summary muted" data-testid="session-summary">
      <p>
        {s.requests} requests, {s.successes} ok{failed.length ? `, ${failed.join(', ')}` : ''}
        {s.successes > 0
          ? `, p50 ${formatMs(s.p50Ms)} ms, p95 ${formatMs(s.p95Ms)} ms, ${s.throughput.toFixed(1)} req/s`
          : ''}
        {s.linkLosses > 0 ? `; link lost ${s.linkLosses}×, reconnected ${s.reconnects}×` : ''}
      </p>
      {u && (u.audioSec > 0 || u.frames > 0 || u.requests > 0) && (
        <p className="warning-text" data-testid="session-unprocessed">
          {u.audioSec > 0
            ? `${u.audioSec.toFixed(1)} s of audio not transcribed (from ${(u.audioStartSec ?? 0).toFixed(1)} s)`
            : u.frames > 0
              ? `${u.frames} frame${u.frames === 1 ? '' : 's'} not analysed`
              : `${u.requests} request${u.requests === 1 ? '' : 's'} not answered`}
          {kept && p.onTranscribeKept && (
            <>
              {' — kept. '}
              <button
                type="button"
                className="link"
                data-testid="transcribe-kept"
                onClick={() => p.onTranscribeKept?.(kept)}
              >
                Transcribe it now
              </button>
            </>
          )}
        </p>
      )}
    </div>
  )
})
