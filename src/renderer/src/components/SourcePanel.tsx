import { memo, useState, type DragEvent, type ReactNode } from 'react'
import { SOURCE_KINDS, type SourceKind, type UserError } from '../../../shared/ipc-contract'
import type { FlowEvent, SessionSummary } from '../../../shared/session-summary'
import type { DeviceOption } from '../capture/devices'
import type { CameraResolution, SessionStatus } from '../store/session-slice'
import { ErrorBanner } from './ErrorBanner'
import { SessionFlowLine, SessionOutcome } from './SessionFlow'
import { CameraControls, FileControls, MicControls } from './SourceControls'

export interface SourcePanelProps {
  source: SourceKind
  status: SessionStatus
  startBlocker?: string
  error?: UserError
  summary?: SessionSummary
  flow?: FlowEvent
  notice?: string
  /** The preset the session's model got, in the CLI's words ("preset: sherpa …"). */
  preset?: string
  /** Starts a fast file session on audio a stopped session kept untranscribed. */
  onTranscribeKept?(path: string): void
  /** The model the session runs, or the one picked while idle. */
  model?: string
  // microphone
  micDevices: readonly DeviceOption[]
  micDeviceId: string
  chunkMs: number
  /** The level meter: its own container, so readings do not re-render this panel. */
  levelMeter?: ReactNode
  // camera
  cameraDevices: readonly DeviceOption[]
  cameraDeviceId: string
  cameraResolution: CameraResolution
  cameraFpsCap: number
  // file
  filePath?: string
  pace: 'realtime' | 'fast'
  onSource(s: SourceKind): void
  onMicDevice(id: string): void
  onChunkMs(ms: number): void
  onCameraDevice(id: string): void
  onCameraResolution(r: CameraResolution): void
  onCameraFpsCap(fps: number): void
  onPickFile(): void
  /** A file dropped on the panel; undefined when the platform could not tell its path. */
  onDropFile(file: File): void
  onPace(p: 'realtime' | 'fast'): void
  onStart(): void
  onStop(): void
  onDismissError(): void
}

const SOURCE_LABEL: Record<SourceKind, string> = {
  microphone: 'Microphone',
  camera: 'Camera',
  file: 'File',
}

const STATUS_LABEL: Record<SessionStatus, string> = {
  idle: 'ready to start',
  starting: 'starting…',
  running: 'running',
  reconnecting: 'reconnecting…',
  stopping: 'stopping…',
  stopped: 'stopped',
  failed: 'failed',
}

/** Choose what to feed the model, set it up, and the one big Start / Stop. */
export const SourcePanel = memo(function SourcePanel(p: SourcePanelProps) {
  const active = p.status === 'starting' || p.status === 'running' || p.status === 'reconnecting'
  const locked = active || p.status === 'stopping'
  const blocker = locked ? undefined : p.startBlocker
  const [dragging, setDragging] = useState(false)

  const onDrop = (e: DragEvent): void => {
    e.preventDefault()
    setDragging(false)
    const file = e.dataTransfer.files[0]
    if (file && !locked) p.onDropFile(file)
  }

  return (
    <section
      className={`panel source-panel${dragging ? ' dragging' : ''}`}
      aria-label="Source"
      data-testid="source-panel"
      onDragOver={(e) => {
        e.preventDefault()
        if (!locked) setDragging(true)
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <div className="source-row">
        <div
          className="segmented"
          role="radiogroup"
          aria-label="Source"
          data-testid="source-selector"
        >
          {SOURCE_KINDS.map((k) => (
            <button
              type="button"
              role="radio"
              aria-checked={p.source === k}
              key={k}
              className={p.source === k ? 'on' : ''}
              disabled={locked}
              onClick={() => p.onSource(k)}
              data-testid={`source-${k}`}
            >
              {SOURCE_LABEL[k]}
            </button>
          ))}
        </div>

        <div className="source-options">
          {p.source === 'microphone' && <MicControls {...p} locked={locked} />}

          {p.source === 'camera' && <CameraControls {...p} locked={locked} />}

          {p.source === 'file' && <FileControls {...p} locked={locked} />}
        </div>

        <div className="start-stop">
          {active || p.status === 'stopping' ? (
            <button
              type="button"
              className="big danger"
              onClick={p.onStop}
              disabled={p.status === 'stopping'}
              data-testid="session-stop"
              title="Stop (Esc)"
            >
              ■ Stop
            </button>
          ) : (
            <button
              type="button"
              className="big primary"
              onClick={p.onStart}
              disabled={!!blocker}
              aria-describedby={blocker ? 'start-blocker' : undefined}
              data-testid="session-start"
              title={blocker ?? 'Start (Space or Ctrl+Enter)'}
            >
              ▶ Start
            </button>
          )}
          {blocker ? (
            <span
              id="start-blocker"
              className="session-status start-blocker"
              role="status"
              data-testid="start-blocker"
            >
              Start is off: {blocker}
            </span>
          ) : (
            <span
              className={`session-status status-${p.status}`}
              title={`${p.model ?? ''} ${STATUS_LABEL[p.status]}`}
              data-testid="session-status"
              data-state={p.status}
            >
              {`${p.model ?? ''} ${STATUS_LABEL[p.status]}`}
            </span>
          )}
        </div>
      </div>
      <ErrorBanner error={p.error} testId="session-error" onDismiss={p.onDismissError} />
      <div className="session-lines">
        {locked && <SessionFlowLine flow={p.flow} notice={p.notice} />}
        {p.preset && (
          <p className="session-preset muted" title={p.preset} data-testid="session-preset">
            {p.preset}
          </p>
        )}
      </div>
      {p.summary && !active && (
        <SessionOutcome summary={p.summary} onTranscribeKept={p.onTranscribeKept} />
      )}
    </section>
  )
})
