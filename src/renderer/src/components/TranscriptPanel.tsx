import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type ReactNode,
} from 'react'
import type { TranscriptLine } from '../store/results-slice'
import { formatMs } from './latency-stats'

export interface TranscriptPanelProps {
  finals: readonly TranscriptLine[]
  partial?: TranscriptLine
  onClear(): void
  /** Shown while no text has arrived yet. */
  emptyHint?: string
  /** Shown instead of the hint once the model has answered, but with no text. */
  emptyState?: ReactNode
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

/** Rows kept in the DOM; the store keeps more for Copy, and main keeps all for the export. */
export const MAX_SHOWN_LINES = 500

/** How long "Copied" (or "Copy failed") stays on the button. */
const COPY_NOTE_MS = 2000

type CopyState = { state: 'idle' } | { state: 'copied' } | { state: 'failed'; reason: string }

/** One final line; memoised, and keyed by utterance, so appending a line renders one row. */
const FinalRow = memo(function FinalRow({ line }: { line: TranscriptLine }) {
  return (
    <p className="transcript-final" data-testid="transcript-final">
      <span className="transcript-time" data-testid="transcript-time">
        {formatMediaTime(line.startSec)}–{formatMediaTime(line.endSec)}
      </span>
      <span className="transcript-text">{line.text}</span>
      <span
        className="transcript-latency"
        title="Round trip of the request that produced this text"
      >
        {formatMs(line.latencyMs)} ms
      </span>
    </p>
  )
})

/**
 * Live transcript. Final lines are appended with their media time and latency; the interim line
 * is dimmed and replaced in place. It follows new text unless the reader has scrolled up.
 * Screen readers hear final lines only (a log region); the interim line changes too often.
 */
export const TranscriptPanel = memo(function TranscriptPanel({
  finals,
  partial,
  onClear,
  emptyHint = 'Start a session to see the transcript here.',
  emptyState,
  onPainted,
  toolbar,
}: TranscriptPanelProps) {
  const scroller = useRef<HTMLDivElement>(null)
  const following = useRef(true)
  const [paused, setPaused] = useState(false)
  const [copy, setCopy] = useState<CopyState>({ state: 'idle' })

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

  useEffect(() => {
    if (copy.state === 'idle') return
    const timer = setTimeout(() => setCopy({ state: 'idle' }), COPY_NOTE_MS)
    return () => clearTimeout(timer)
  }, [copy])

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

  const onCopy = useCallback(() => {
    const text = transcriptAsText(finals)
    const clipboard = typeof navigator !== 'undefined' ? navigator.clipboard : undefined
    if (!clipboard) {
      setCopy({ state: 'failed', reason: 'This window has no clipboard access.' })
      return
    }
    clipboard.writeText(text).then(
      () => setCopy({ state: 'copied' }),
      (err: unknown) =>
        setCopy({
          state: 'failed',
          reason: err instanceof Error && err.message ? err.message : 'The clipboard refused.',
        }),
    )
  }, [finals])

  const empty = finals.length === 0 && !partial
  const shown = finals.length > MAX_SHOWN_LINES ? finals.slice(-MAX_SHOWN_LINES) : finals
  const hidden = finals.length - shown.length
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
            onClick={onCopy}
            disabled={finals.length === 0}
            className={copy.state === 'failed' ? 'copy-failed' : undefined}
            title={copy.state === 'failed' ? copy.reason : 'Copy the final lines as text'}
            data-testid="transcript-copy"
            data-state={copy.state}
          >
            {copy.state === 'copied' ? 'Copied' : copy.state === 'failed' ? 'Copy failed' : 'Copy'}
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
        data-testid="transcript-lines"
      >
        {empty && (emptyState ?? <p className="muted">{emptyHint}</p>)}
        {hidden > 0 && (
          <p className="muted small transcript-trimmed" data-testid="transcript-trimmed">
            {hidden} earlier line{hidden === 1 ? ' is' : 's are'} not shown here; the export has the
            whole transcript.
          </p>
        )}
        <div role="log" aria-label="Final transcript" data-testid="transcript-log">
          {shown.map((l) => (
            <FinalRow key={l.utterance} line={l} />
          ))}
        </div>
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
