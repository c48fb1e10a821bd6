import type { ModelProfile } from '../../shared/model-profile'
import { decodeAudioChunks } from '../media/audio-decoder'
import { decodeVideoFrames } from '../media/video-decoder'
import type { TritonClient } from '../triton/triton-client'
import {
  StreamingAsrSession,
  WindowedAsrSession,
  type AudioSession,
  type AudioSessionOptions,
} from './asr-session'
import { DetectionSession } from './detection-session'
import type { SessionCallbacks } from './session-callbacks'

export interface FileSessionOptions {
  client: TritonClient
  profile: ModelProfile
  path: string
  /** 'realtime' paces the file like a live source; 'fast' sends as fast as the server answers. */
  pace: 'realtime' | 'fast'
  callbacks: SessionCallbacks
  signal?: AbortSignal
  /** Video only: drop frames to at most this rate. */
  maxFps?: number
}

/**
 * Real-time video runs this far ahead of the player, so each frame's boxes are in before the
 * frame is on screen and the overlay can draw the frame it belongs to, not an older one.
 */
export const VIDEO_LEAD_SEC = 1

export function createAudioSession(
  stream: ReturnType<TritonClient['openStream']>,
  profile: ModelProfile,
  callbacks: SessionCallbacks,
  options: AudioSessionOptions = {},
): AudioSession {
  return profile.kind === 'streaming-asr' || profile.sequence?.stateful
    ? new StreamingAsrSession(stream, profile, callbacks, options)
    : new WindowedAsrSession(stream, profile, callbacks, options)
}

/**
 * Streams one file through a model on one ModelStreamInfer call: audio models get PCM chunks
 * at the model's rate, detectors get letterboxed frames. The file is decoded as it goes, so a
 * long recording never sits in memory. Resolves when every answer is in.
 */
export async function runFileSession(opts: FileSessionOptions): Promise<void> {
  const { client, profile, path, callbacks, signal } = opts
  const stream = client.openStream({ decoupled: profile.decoupled })
  const onAbort = (): void => stream.cancel()
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    if (profile.kind === 'detection') {
      const vision = profile.vision
      if (!vision) throw new Error(`model profile for '${profile.model}' has no vision settings`)
      const session = new DetectionSession(stream, profile, callbacks, opts.pace === 'fast' ? 4 : 2)
      for await (const frame of decodeVideoFrames(path, {
        width: vision.width,
        height: vision.height,
        maxFps: opts.maxFps,
        realtime: opts.pace === 'realtime',
        leadSec: VIDEO_LEAD_SEC,
        signal,
      })) {
        await session.pushFrame(frame)
      }
      await session.finish()
    } else if (profile.kind === 'streaming-asr' || profile.kind === 'offline-asr') {
      const audio = profile.audio
      if (!audio) throw new Error(`model profile for '${profile.model}' has no audio settings`)
      const session = createAudioSession(stream, profile, callbacks)
      for await (const chunk of decodeAudioChunks(path, {
        sampleRate: audio.sampleRate,
        chunkSamples: audio.chunkSamples,
        realtime: opts.pace === 'realtime',
        signal,
      })) {
        await session.pushChunk(chunk)
      }
      if (!signal?.aborted) await session.finish()
    } else {
      throw new Error(
        `'${profile.model}' is a ${profile.kind} model; stream a file to an ASR or detection model, or give a profile that says which it is`,
      )
    }
    if (!signal?.aborted) await stream.end()
  } finally {
    signal?.removeEventListener('abort', onAbort)
    if (!stream.closed) stream.cancel()
  }
}
