import type { SessionSummary } from '../../shared/session-summary'
import { decodeAudioChunks } from '../media/audio-decoder'
import { decodeVideoFrames } from '../media/video-decoder'
import type { AudioChunkIn } from './pipelines/audio-chunk'
import type { FrameIn } from './pipelines/detection-pipeline'
import type { Session } from './session'
import {
  createAudioSession,
  createFrameSession,
  isAudioProfile,
  type SessionSetup,
} from './session-factory'

export interface FileSourceOptions {
  path: string
  /** 'realtime' paces the file like a live source; 'fast' sends as fast as the server answers. */
  pace: 'realtime' | 'fast'
  /** Video only: drop frames to at most this rate. */
  maxFps?: number
}

/**
 * Real-time video runs this far ahead of the player, so each frame's boxes are in before the
 * frame is on screen and the overlay can draw the frame it belongs to, not an older one.
 */
export const VIDEO_LEAD_SEC = 1

/** A file feeding a session: decoded as it goes (a long recording never sits in memory). */
export class FileSource {
  readonly session: Session<AudioChunkIn> | Session<FrameIn>
  private readonly abort = new AbortController()
  private feeding: Promise<void> | undefined

  constructor(
    private readonly setup: SessionSetup,
    private readonly options: FileSourceOptions,
  ) {
    const { profile } = setup
    if (isAudioProfile(profile)) this.session = createAudioSession(setup, 'file')
    else if (profile.kind === 'detection')
      this.session = createFrameSession(setup, 'file', options.pace)
    else
      throw new Error(
        `'${profile.model}' is a ${profile.kind} model; stream a file to an ASR or detection model, or give a profile that says which it is`,
      )
  }

  /** Connects, then feeds the file in the background; `done` says when the session ended. */
  async start(): Promise<void> {
    await this.session.start()
    this.feeding = this.feed().then(
      () => this.session.endOfInput(),
      (e: unknown) => (this.abort.signal.aborted ? undefined : this.session.abort(e)),
    )
  }

  get done(): Promise<SessionSummary> {
    return this.session.done
  }

  /** Stops reading the file and drains what was sent (Ctrl+C, the app's Stop). */
  async stop(): Promise<SessionSummary> {
    this.abort.abort()
    // Stop first: it closes the queue, which frees a reader waiting for room in it.
    const summary = this.session.stop()
    await this.feeding
    return summary
  }

  private async feed(): Promise<void> {
    const { profile } = this.setup
    const { path, pace } = this.options
    const signal = this.abort.signal
    const session = this.session
    if (isAudioProfile(profile)) {
      const audio = profile.audio
      if (!audio) throw new Error(`model profile for '${profile.model}' has no audio settings`)
      const s = session as Session<AudioChunkIn>
      for await (const chunk of decodeAudioChunks(path, {
        sampleRate: audio.sampleRate,
        chunkSamples: audio.chunkSamples,
        realtime: pace === 'realtime',
        signal,
      })) {
        if (s.closing) break
        await s.push(chunk)
      }
      return
    }
    const vision = profile.vision
    if (!vision) throw new Error(`model profile for '${profile.model}' has no vision settings`)
    const s = session as Session<FrameIn>
    for await (const frame of decodeVideoFrames(path, {
      width: vision.width,
      height: vision.height,
      maxFps: this.options.maxFps,
      realtime: pace === 'realtime',
      leadSec: VIDEO_LEAD_SEC,
      signal,
    })) {
      if (s.closing) break
      await s.push(frame)
    }
  }
}
