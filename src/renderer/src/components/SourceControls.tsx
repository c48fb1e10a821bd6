import { useState, type KeyboardEvent, type ReactNode } from 'react'
import { CAMERA_RESOLUTIONS, type CameraResolution } from '../store/session-slice'
import type { SourcePanelProps } from './SourcePanel'

/** Settings of each source; all locked while a session runs. */
type ControlsProps = SourcePanelProps & { locked: boolean }

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

/** The number a typed text stands for, kept within [min, max]; junk falls back to `fallback`. */
export function clampTyped(text: string, min: number, max: number, fallback: number): number {
  const n = Number(text.trim())
  if (text.trim() === '' || !Number.isFinite(n)) return fallback
  return Math.min(max, Math.max(min, Math.round(n)))
}

/**
 * A number field that lets the user type freely (clamping each keystroke turns "160" into
 * "2060") and clamps once they are done: on blur or Enter.
 */
function NumberField(p: {
  value: number
  min: number
  max: number
  step?: number
  disabled: boolean
  onCommit(n: number): void
  testId: string
}) {
  // undefined while not editing: the field then shows the stored value.
  const [draft, setDraft] = useState<string>()
  const commit = (): void => {
    if (draft === undefined) return
    const n = clampTyped(draft, p.min, p.max, p.value)
    setDraft(undefined)
    if (n !== p.value) p.onCommit(n)
  }
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === 'Enter') commit()
    else if (e.key === 'Escape' && draft !== undefined) {
      // Esc drops the edit; the shortcut hook leaves a focused field alone.
      setDraft(undefined)
    }
  }
  return (
    <input
      type="number"
      min={p.min}
      max={p.max}
      step={p.step}
      value={draft ?? String(p.value)}
      disabled={p.disabled}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={onKeyDown}
      data-testid={p.testId}
    />
  )
}

export function MicControls({ locked, ...p }: ControlsProps) {
  return (
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
        <NumberField
          value={p.chunkMs}
          min={20}
          max={10000}
          step={10}
          disabled={locked}
          onCommit={p.onChunkMs}
          testId="mic-chunk-ms"
        />
      </Field>
      {p.levelMeter}
    </>
  )
}

export function CameraControls({ locked, ...p }: ControlsProps) {
  return (
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
        <NumberField
          value={p.cameraFpsCap}
          min={1}
          max={60}
          disabled={locked}
          onCommit={p.onCameraFpsCap}
          testId="camera-fps"
        />
      </Field>
    </>
  )
}

export function FileControls({ locked, ...p }: ControlsProps) {
  return (
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
  )
}
