import type { ReactNode } from 'react'
import { CAMERA_RESOLUTIONS, type CameraResolution } from '../store/session-slice'
import { LevelMeter } from './LevelMeter'
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
