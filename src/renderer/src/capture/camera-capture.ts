import { FrameStats } from './frame-stats'
import { LetterboxGrabber } from './frame-convert'

export interface CameraOptions {
  deviceId: string
  width: number
  height: number
  fpsCap: number
}

export interface CapturedFrame {
  rgb: Uint8Array
  width: number
  height: number
  sourceWidth: number
  sourceHeight: number
  capturedAtMs: number
}

/** A result that never comes back must not stall the camera for good. */
const IN_FLIGHT_TIMEOUT_MS = 3000

/**
 * The camera: one frame in flight at a time. While the previous frame waits for its result, new
 * frames are dropped rather than queued (STYLE 14: video drops stale frames), so the boxes
 * always describe a recent picture.
 */
export class CameraCapture {
  readonly stats = new FrameStats()
  private readonly video: HTMLVideoElement
  private grabber: LetterboxGrabber | undefined
  private frameHandle: number | undefined
  private inFlightSince: number | undefined
  private lastGrabMs = -Infinity
  private closed = false

  private constructor(
    readonly stream: MediaStream,
    private readonly fpsCap: number,
  ) {
    // A private element to read frames from, so capture does not depend on the page's layout.
    this.video = document.createElement('video')
    this.video.muted = true
    this.video.playsInline = true
    this.video.srcObject = stream
  }

  static async open(o: CameraOptions): Promise<CameraCapture> {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: {
        deviceId: o.deviceId ? { exact: o.deviceId } : undefined,
        width: { ideal: o.width },
        height: { ideal: o.height },
        frameRate: { max: Math.max(1, o.fpsCap) },
      },
    })
    return new CameraCapture(stream, o.fpsCap)
  }

  async start(
    vision: { width: number; height: number },
    send: (frame: CapturedFrame) => void,
  ): Promise<void> {
    if (this.closed) return
    this.grabber = new LetterboxGrabber(vision.width, vision.height)
    await this.video.play()
    const minGapMs = 1000 / Math.max(1, this.fpsCap)
    const tick = (): void => {
      if (this.closed) return
      this.frameHandle = requestAnimationFrame(tick)
      const now = performance.now()
      // Allow a little jitter so a 30 fps cap on a 60 Hz display is not rounded down to 20.
      if (now - this.lastGrabMs < minGapMs - 4) return
      const v = this.video
      if (v.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || !v.videoWidth) return
      this.lastGrabMs = now
      this.stats.capture.mark(now)
      if (this.inFlightSince !== undefined && now - this.inFlightSince < IN_FLIGHT_TIMEOUT_MS) {
        this.stats.dropped++
        return
      }
      const grabber = this.grabber
      if (!grabber) return
      const rgb = grabber.grab(v, v.videoWidth, v.videoHeight)
      this.inFlightSince = now
      this.stats.sent.mark(now)
      send({
        rgb,
        width: grabber.width,
        height: grabber.height,
        sourceWidth: v.videoWidth,
        sourceHeight: v.videoHeight,
        capturedAtMs: Date.now(),
      })
    }
    this.frameHandle = requestAnimationFrame(tick)
  }

  /** A result (or a request error) for the frame in flight came back: the next one may go. */
  resultArrived(): void {
    this.inFlightSince = undefined
    this.stats.result.mark(performance.now())
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    if (this.frameHandle !== undefined) cancelAnimationFrame(this.frameHandle)
    for (const track of this.stream.getTracks()) track.stop()
    this.video.srcObject = null
  }
}

export function parseResolution(r: string): { width: number; height: number } {
  const [w, h] = r.split('x').map(Number)
  return { width: w || 640, height: h || 480 }
}
