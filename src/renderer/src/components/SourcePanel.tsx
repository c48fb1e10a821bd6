import { memo, useState, type DragEvent, type ReactNode } from 'react'
import { SOURCE_KINDS, type SourceKind, type UserError } from '../../../shared/ipc-contract'
import type { LatencySummary } from '../../../shared/results'
import type { DeviceOption } from '../capture/devices'
import { CAMERA_RESOLUTIONS, type CameraResolution, type SessionStatus } from '../store/session-slice'
import { ErrorBanner } from './ErrorBanner'
import { formatMs } from './latency-stats'
import { LevelMeter } from './LevelMeter'

export interface SourcePanelProps {
  source: SourceKind
  status: SessionStatus
  startBlocker?: string
  error?: UserError
  summary?: LatencySummary
  model?: string
  // microphone
  micDevices: readonly DeviceOption[]
  micDeviceId: string
  chunkMs: number
  micLevel: { rms: number; peak: number }
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

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="inline-field">
      <span>{label}</span>
      {children}
    </label>
  )
}

/** Choose what to feed the model, set it up, and the one big Start / Stop. */
export const SourcePanel = memo(function SourcePanel(p: SourcePanelProps) {
  const active = p.status === 'starting' || p.status === 'running' || p.status === 'reconnecting'
  const locked = active || p.status === 'stopping'
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
        <div className="segmented" role="radiogroup" aria-label="Source" data-testid="source-selector">
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
          {p.source === 'microphone' && (
            <>
              <Field label="Device">
                <select
                  value={p.micDeviceId}
                  disabled={locked}
                  onChange={(e) => p.onMicDevice(e.target.value)}
                  data-testid="mic-device"
                >
                  <option value="">System default</option>
                  {p.micDevices.map((d) => (
                    <option key={d.deviceId} value={d.deviceId}>
                      {d.label}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label="Chunk (ms)">
                <input
                  type="number"
                  min={20}
                  max={10000}
                  step={10}
                  value={p.chunkMs}
                  disabled={locked}
                  onChange={(e) => p.onChunkMs(Math.min(10000, Math.max(20, Number(e.target.value) || 20)))}
                  data-testid="mic-chunk-ms"
                />
              </Field>
              <LevelMeter rms={p.micLevel.rms} peak={p.micLevel.peak} />
            </>
          )}

          {p.source === 'camera' && (
            <>
              <Field label="Device">
                <select
                  value={p.cameraDeviceId}
                  disabled={locked}
                  onChange={(e) => p.onCameraDevice(e.target.value)}
                  data-testid="camera-device"
                >
                  <option value="">System default</option>
                  {p.cameraDevices.map((d) => (
                    <option key={d.deviceId} value={d.deviceId}>
                      {d.label}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label="Resolution">
                <select
                  value={p.cameraResolution}
                  disabled={locked}
                  onChange={(e) => p.onCameraResolution(e.target.value as CameraResolution)}
                  data-testid="camera-resolution"
                >
                  {CAMERA_RESOLUTIONS.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label="Max fps">
                <input
                  type="number"
                  min={1}
                  max={60}
                  value={p.cameraFpsCap}
                  disabled={locked}
                  onChange={(e) => p.onCameraFpsCap(Math.min(60, Math.max(1, Number(e.target.value) || 1)))}
                  data-testid="camera-fps"
                />
              </Field>
            </>
          )}

          {p.source === 'file' && (
            <>
              <button type="button" onClick={p.onPickFile} disabled={locked} data-testid="file-pick">
                Choose file…
              </button>
              <span className="file-path" title={p.filePath} data-testid="file-path">
                {p.filePath ? baseName(p.filePath) : 'or drop a file here'}
              </span>
              <div className="segmented small" role="radiogroup" aria-label="Pace" data-testid="file-pace">
                <button
                  type="button"
                  role="radio"
                  aria-checked={p.pace === 'realtime'}
                  className={p.pace === 'realtime' ? 'on' : ''}
                  disabled={locked}
                  onClick={() => p.onPace('realtime')}
                  data-testid="pace-realtime"
                >
                  Real time
                </button>
                <button
                  type="button"
                  role="radio"
                  aria-checked={p.pace === 'fast'}
                  className={p.pace === 'fast' ? 'on' : ''}
                  disabled={locked}
                  onClick={() => p.onPace('fast')}
                  data-testid="pace-fast"
                >
                  As fast as possible
                </button>
              </div>
            </>
          )}
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
              disabled={!!p.startBlocker}
              data-testid="session-start"
              title={p.startBlocker ?? 'Start (Space or Ctrl+Enter)'}
            >
              ▶ Start
            </button>
          )}
          <span className={`session-status status-${p.status}`} data-testid="session-status" data-state={p.status}>
            {p.startBlocker && !locked ? p.startBlocker : `${p.model ?? ''} ${STATUS_LABEL[p.status]}`}
          </span>
        </div>
      </div>
      <ErrorBanner error={p.error} testId="session-error" onDismiss={p.onDismissError} />
      {p.summary && !active && (
        <p className="session-summary muted" data-testid="session-summary">
          {p.summary.requests} requests, {p.summary.failures} failed, p50 {formatMs(p.summary.p50Ms)} ms, p95{' '}
          {formatMs(p.summary.p95Ms)} ms, {p.summary.throughput.toFixed(1)} req/s
        </p>
      )}
    </section>
  )
})
