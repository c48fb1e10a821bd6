import type { SessionEvent, SessionPlan, SourceKind, UserError } from '../../../shared/ipc-contract'
import type { FlowEvent, SessionSummary } from '../../../shared/session-summary'
import type { SliceCreator } from './types'

export type SessionStatus =
  'idle' | 'starting' | 'running' | 'reconnecting' | 'stopping' | 'stopped' | 'failed'

export const CAMERA_RESOLUTIONS = ['640x480', '1280x720', '1920x1080'] as const
export type CameraResolution = (typeof CAMERA_RESOLUTIONS)[number]

export interface SessionState {
  source: SourceKind
  status: SessionStatus
  plan?: SessionPlan
  error?: UserError
  summary?: SessionSummary
  /** How much waits where (queue, in flight, drops), as main last reported it. */
  flow?: FlowEvent
  /** The latest thing the session wanted the user to know once (a learnt setting). */
  notice?: string
  startedAtMs?: number
  filePath?: string
  pace: 'realtime' | 'fast'
  chunkMs: number
  /** '' picks the system default device. */
  micDeviceId: string
  cameraDeviceId: string
  cameraResolution: CameraResolution
  cameraFpsCap: number
  micLevel: { rms: number; peak: number }
  /** The live camera stream while a camera session runs; shown by the centre view. */
  cameraStream?: MediaStream
}

export interface SessionSlice {
  session: SessionState
  setSource(source: SourceKind): void
  setFilePath(path: string | undefined): void
  setPace(pace: 'realtime' | 'fast'): void
  setChunkMs(ms: number): void
  setMicDevice(id: string): void
  setCameraDevice(id: string): void
  setCameraResolution(r: CameraResolution): void
  setCameraFpsCap(fps: number): void
  setMicLevel(level: { rms: number; peak: number }): void
  sessionStarting(atMs: number): void
  sessionStarted(plan: SessionPlan, cameraStream?: MediaStream): void
  sessionStopping(): void
  sessionStopped(summary?: SessionSummary): void
  sessionFailed(error: UserError): void
  dismissSessionError(): void
}

/** The meter at rest: shown whenever no microphone is feeding it. */
const SILENT = { rms: 0, peak: 0 } as const

export function initialSessionState(): SessionState {
  return {
    source: 'file',
    status: 'idle',
    pace: 'realtime',
    chunkMs: 640,
    micDeviceId: '',
    cameraDeviceId: '',
    cameraResolution: '640x480',
    cameraFpsCap: 15,
    micLevel: SILENT,
  }
}

export function isActiveStatus(status: SessionStatus): boolean {
  return status === 'starting' || status === 'running' || status === 'reconnecting'
}

/** Applies a status event from main; pure, for the per-frame batch. */
export function reduceSessionStatus(
  s: SessionState,
  e: Extract<SessionEvent, { kind: 'status' }>,
): SessionState {
  switch (e.state) {
    case 'starting':
      return s
    case 'running':
    case 'reconnecting':
      return s.status === 'stopping' || !isActiveStatus(s.status) ? s : { ...s, status: e.state }
    case 'stopping':
      return isActiveStatus(s.status) ? { ...s, status: 'stopping' } : s
    case 'stopped':
      return {
        ...s,
        status: 'stopped',
        summary: e.summary ?? s.summary,
        cameraStream: undefined,
        micLevel: SILENT,
      }
    case 'failed':
      return {
        ...s,
        status: 'failed',
        error: e.error ?? {
          message: 'The session failed.',
          hint: 'Check the endpoint and try again.',
          kind: 'session',
        },
        summary: e.summary ?? s.summary,
        cameraStream: undefined,
        micLevel: SILENT,
      }
  }
}

export function createSessionSlice(): SliceCreator<SessionSlice> {
  return (set) => {
    const patch = (p: Partial<SessionState>, action: string): void =>
      set((s) => ({ session: { ...s.session, ...p } }), undefined, `session/${action}`)

    return {
      session: initialSessionState(),
      setSource: (source) => patch({ source, error: undefined }, 'setSource'),
      setFilePath: (filePath) => patch({ filePath, error: undefined }, 'setFilePath'),
      setPace: (pace) => patch({ pace }, 'setPace'),
      setChunkMs: (chunkMs) => patch({ chunkMs }, 'setChunkMs'),
      setMicDevice: (micDeviceId) => patch({ micDeviceId }, 'setMicDevice'),
      setCameraDevice: (cameraDeviceId) => patch({ cameraDeviceId }, 'setCameraDevice'),
      setCameraResolution: (cameraResolution) => patch({ cameraResolution }, 'setCameraResolution'),
      setCameraFpsCap: (cameraFpsCap) => patch({ cameraFpsCap }, 'setCameraFpsCap'),
      setMicLevel: (micLevel) => patch({ micLevel }, 'micLevel'),

      sessionStarting: (atMs) =>
        set(
          (s) => ({
            session: {
              ...s.session,
              status: 'starting',
              plan: undefined,
              flow: undefined,
              notice: undefined,
              error: undefined,
              summary: undefined,
              startedAtMs: atMs,
              micLevel: SILENT,
            },
          }),
          undefined,
          'session/starting',
        ),

      sessionStarted: (plan, cameraStream) =>
        set(
          (s) => ({
            session: {
              ...s.session,
              plan,
              cameraStream,
              // A 'failed' or 'running' status may have overtaken the reply.
              status: s.session.status === 'starting' ? 'running' : s.session.status,
            },
          }),
          undefined,
          'session/started',
        ),

      sessionStopping: () => patch({ status: 'stopping' }, 'stopping'),

      sessionStopped: (summary) =>
        set(
          (s) => ({
            session: {
              ...s.session,
              status: s.session.status === 'failed' ? 'failed' : 'stopped',
              summary: summary ?? s.session.summary,
              cameraStream: undefined,
              micLevel: SILENT,
            },
          }),
          undefined,
          'session/stopped',
        ),

      sessionFailed: (error) =>
        patch({ status: 'failed', error, cameraStream: undefined, micLevel: SILENT }, 'failed'),

      dismissSessionError: () => patch({ error: undefined }, 'dismissError'),
    }
  }
}
