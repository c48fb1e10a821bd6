import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import type { ModelProfile } from '../../shared/model-profile'
import { requestedFirstChunk } from '../models/families/sherpa-streaming'
import type { InferTransport } from '../transport/infer-channel'
import type { ReconnectPolicy } from './backoff'
import type { AudioChunkIn } from './pipelines/audio-chunk'
import { DetectionPipeline, type FrameIn } from './pipelines/detection-pipeline'
import type { Pipeline, PipelineHost } from './pipelines/pipeline'
import { StreamingAsrPipeline } from './pipelines/streaming-asr-pipeline'
import { WindowedAsrPipeline } from './pipelines/windowed-asr-pipeline'
import { AudioQueue, DEFAULT_AUDIO_MEMORY_BYTES } from './queues/audio-queue'
import { LatestFrameQueue } from './queues/latest-frame-queue'
import { WaitingQueue } from './queues/waiting-queue'
import { Session } from './session'
import { UntranscribedAudio } from './untranscribed-audio'

export type SourceKind = 'microphone' | 'camera' | 'file'

interface SourcePolicy {
  /** Answer deadline of one request: live audio must keep up, a file may wait on a busy GPU. */
  deadlineMs: number
  reconnect: ReconnectPolicy
  drainTimeoutMs: number
}

const RECONNECT = { initialDelayMs: 250, maxDelayMs: 2000 }

/** Each source's deadline, reconnect and drain, in one place. */
export const SOURCE_POLICIES: Readonly<Record<SourceKind, SourcePolicy>> = {
  microphone: { deadlineMs: 10_000, reconnect: RECONNECT, drainTimeoutMs: 5000 },
  camera: { deadlineMs: 5000, reconnect: RECONNECT, drainTimeoutMs: 3000 },
  // A file can always be resumed, but not forever against a server that is gone.
  file: {
    deadlineMs: 30_000,
    reconnect: { ...RECONNECT, giveUpAfterMs: 120_000 },
    drainTimeoutMs: 5000,
  },
}

export interface SessionSetup {
  transport: InferTransport
  profile: ModelProfile
  /** Folder under which the session makes its own (spilled audio, results log, kept audio). */
  workRoot: string
  id?: string
  /** Overrides the source's answer deadline (an endpoint setting). */
  deadlineMs?: number
  /** Overrides the source's drain bound. */
  drainTimeoutMs?: number
  reconnect?: Partial<ReconnectPolicy>
  /** Reads a server's refusal of a too-short first chunk; sherpa's words by default. */
  learnFirstChunk?: (message: string) => number | undefined
  /** In-memory bound of the microphone's queue before it spills to disk. */
  audioMemoryBytes?: number
}

export function isAudioProfile(profile: ModelProfile): boolean {
  return profile.kind === 'streaming-asr' || profile.kind === 'offline-asr'
}

function common(setup: SessionSetup, source: SourceKind) {
  const policy = SOURCE_POLICIES[source]
  const id = setup.id ?? randomUUID()
  return {
    id,
    transport: setup.transport,
    decoupled: setup.profile.decoupled,
    deadlineMs: setup.deadlineMs ?? policy.deadlineMs,
    drainTimeoutMs: setup.drainTimeoutMs ?? policy.drainTimeoutMs,
    reconnect: { ...policy.reconnect, ...setup.reconnect },
    workDir: mkdtempSync(join(setup.workRoot, `session-${id.slice(0, 8)}-`)),
  }
}

/** Streaming (stateful) models get sequences; offline ones a growing window. */
function asrPipeline(
  setup: SessionSetup,
  host: PipelineHost,
  untranscribed: UntranscribedAudio,
): Pipeline<AudioChunkIn> {
  const p = setup.profile
  return p.kind === 'streaming-asr' || p.sequence?.stateful
    ? new StreamingAsrPipeline(p, host, {
        learnFirstChunk: setup.learnFirstChunk ?? requestedFirstChunk,
        untranscribed,
      })
    : new WindowedAsrPipeline(p, host, { untranscribed })
}

/** A microphone or an audio file feeding an ASR model. */
export function createAudioSession(
  setup: SessionSetup,
  source: 'microphone' | 'file',
): Session<AudioChunkIn> {
  const audio = setup.profile.audio
  if (!audio) throw new Error(`model profile for '${setup.profile.model}' has no audio settings`)
  const base = common(setup, source)
  const untranscribed = new UntranscribedAudio(base.workDir, audio.sampleRate)
  const queue =
    source === 'microphone'
      ? new AudioQueue({
          sampleRate: audio.sampleRate,
          memoryBytes: setup.audioMemoryBytes ?? DEFAULT_AUDIO_MEMORY_BYTES,
          spillDir: base.workDir,
        })
      : new WaitingQueue<AudioChunkIn>(8)
  return new Session<AudioChunkIn>({
    ...base,
    queue,
    pipeline: (host) => asrPipeline(setup, host, untranscribed),
    describeUnprocessed: (items, requests) => untranscribed.finish(items, requests),
    // Audio is acknowledged when taken: the microphone never waits, it only sees the queue.
    ackOnAccept: (chunk) => chunk.seq,
  })
}

/** A camera (latest frame wins) or a video file (every frame, in order) feeding a detector. */
export function createFrameSession(
  setup: SessionSetup,
  source: 'camera' | 'file',
  pace: 'realtime' | 'fast' = 'realtime',
): Session<FrameIn> {
  const base = common(setup, source)
  const live = source === 'camera'
  return new Session<FrameIn>({
    ...base,
    queue: live ? new LatestFrameQueue<FrameIn>() : new WaitingQueue<FrameIn>(8),
    pipeline: (host) =>
      new DetectionPipeline(setup.profile, host, {
        maxInFlight: live ? 1 : pace === 'fast' ? 4 : 2,
        replay: !live,
      }),
    describeUnprocessed: (items, requests) =>
      requests > 0 ? { requests, audioSec: 0, frames: items.length } : undefined,
  })
}
