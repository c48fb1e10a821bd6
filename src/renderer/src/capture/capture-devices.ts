import { CameraCapture, type CameraOptions, type CapturedFrame } from './camera-capture'
import type { FrameStats } from './frame-stats'
import { MicCapture, type MicLevel } from './mic-capture'

/** What the session controller needs of a microphone: the real one, or a test's fake. */
export interface MicDevice {
  start(
    audio: { sampleRate: number; chunkSamples: number },
    onChunk: (samples: Float32Array, capturedAtMs: number) => void,
    onLevel: (level: MicLevel) => void,
  ): Promise<void>
  /** Stops the tracks and the audio graph; safe to call twice. */
  close(): Promise<void>
}

/** What the session controller needs of a camera: the real one, or a test's fake. */
export interface CameraDevice {
  readonly stream: MediaStream
  readonly stats: FrameStats
  start(
    vision: { width: number; height: number },
    send: (frame: CapturedFrame) => void,
  ): Promise<void>
  resultArrived(): void
  /** Stops the tracks and the frame loop; safe to call twice. */
  close(): void
}

/** Opens devices; injected so tests can watch every device being let go. */
export interface CaptureFactories {
  openMic(deviceId: string): Promise<MicDevice>
  openCamera(options: CameraOptions): Promise<CameraDevice>
}

export const browserCapture: CaptureFactories = {
  openMic: (deviceId) => MicCapture.open(deviceId),
  openCamera: (options) => CameraCapture.open(options),
}
