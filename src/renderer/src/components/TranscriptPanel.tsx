import { memo, useCallback, useLayoutEffect, useRef, useState, type ReactNode } from 'react'
import type { TranscriptLine } from '../store/results-slice'
import { formatMs } from './latency-stats'

export interface TranscriptPanelProps {
  finals: readonly TranscriptLine[]
  partial?: TranscriptLine
  onClear(): void
  /** Shown while no text has arrived yet. */
  emptyHint?: string
  /** Called once new text is in the DOM, in the frame that paints it (render timing). */
  onPainted?: () => void
  /** A row under the header, for the export menu. */
  toolbar?: ReactNode
}

/** mm:ss.s, the resolution a reader can use to find the moment in the media. */
export function formatMediaTime(sec: number): string {
  const safe = Number.isFinite(sec) && sec > 0 ? sec : 0
  const tenths = Math.floor(safe * 10 + 1e-6)
  const minutes = Math.floor(tenths / 600)
  const rest = (tenths % 600) / 10
  return `${String(minutes).padStart(2, '0')}:${rest.toFixed(1).padStart(4, '0')}`
}

export function transcriptAsText(finals: readonly TranscriptLine[]): string {
  return finals.map((l) => `[${formatMediaTime(l.startSec)}] ${l.text}`).join('\n')
}

/** How close to the bottom counts as "following live", in pixels. */
const STICK_SLACK_PX = 24

/**
 * Live transcript. Final lines are appended with their media time and latency; the interim line
 * is dimmed and replaced in place. It follows new text unless the reader has scrolled up.
 */
export const TranscriptPanel = memo(function TranscriptPanel({
  finals,
  partial,
  onClear,
  emptyHint = 'Start a session to see the transcript here.',
  onPainted,
  toolbar,
}: TranscriptPanelProps) {
  const scroller = useRef<HTMLDivElement>(null)
  const following = useRef(true)
  const [paused, setPaused] = useState(false)
  const [copied, setCopied] = useState(false)

  useLayoutEffect(() => {
    const el = scroller.current
    if (el && following.current) el.scrollTop = el.scrollHeight
  }, [finals, partial])

  const painted = useRef(onPainted)
  useLayoutEffect(() => {
    painted.current = onPainted
  })
  // After the commit, before the browser paints: the moment the new text is handed over.
  useLayoutEffect(() => painted.current?.(), [finals, partial])

  const onScroll = useCallback(() => {
    const el = scroller.current
    if (!el) return
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= STICK_SLACK_PX
    following.current = atBottom
    setPaused(!atBottom)
  }, [])

  const jumpToLive = useCallback(() => {
    const el = scroller.current
    following.current = true
    setPaused(false)
    if (el) el.scrollTop = el.scrollHeight
  }, [])

  const copy = useCallback(() => {
    const text = transcriptAsText(finals)
    void navigator.clipboard?.writeText(text).then(
      () => setCopied(true),
      () => setCopied(false),
    )
  }, [finals])

  const empty = finals.length === 0 && !partial
  return (
    <section
      className="panel transcript-panel"
      aria-label="Transcript"
      data-testid="transcript-panel"
    >
      <header className="panel-header">
        <h2>Transcript</h2>
        <div className="panel-actions">
          <button
            type="button"
            onClick={copy}
            disabled={finals.length === 0}
            data-testid="transcript-copy"
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
          <button type="button" onClick={onClear} disabled={empty} data-testid="transcript-clear">
            Clear
          </button>
        </div>
      </header>
      {toolbar}
      <div
        className="transcript-scroll"
        ref={scroller}
        onScroll={onScroll}
        aria-live="polite"
        data-testid="transcript-lines"
      >
        {empty && <p className="muted">{emptyHint}</p>}
        {finals.map((l, i) => (
          <p
            className="transcript-final"
            key={`${i}:${l.utterance}`}
            data-testid="transcript-final"
          >
            <span className="transcript-time" data-testid="transcript-time">
              {formatMediaTime(l.startSec)}–{formatMediaTime(l.endSec)}
            </span>
            <span className="transcript-text">{l.text}</span>
            <span
              className="transcript-latency"
              title="Round trip of the request that produced this text"
            >
              {formatMs(l.latencyMs)} ms
            </span>
          </p>
        ))}
        {partial && (
          <p className="transcript-partial" data-testid="transcript-partial">
            <span className="transcript-time">{formatMediaTime(partial.startSec)}</span>
            <span className="transcript-text">{partial.text}</span>
          </p>
        )}
      </div>
      {paused && (
        <button
          type="button"
          className="jump-live"
          onClick={jumpToLive}
          data-testid="transcript-jump-live"
        >
          ↓ Jump to live
        </button>
      )}
    </section>
  )
})
