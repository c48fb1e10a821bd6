import type { SessionEvent, SessionPlan, SessionStartRequest } from '../../shared/ipc-contract'
import type { ModelProfile } from '../../shared/model-profile'
import type { LatencySummary } from '../../shared/results'
import { computeLetterbox } from '../../shared/letterbox'
import { LatencyRecorder } from '../metrics/latency-histogram'
import { createAudioSession, runFileSession } from '../sessions/file-session'
import { isLinkFailure, ReconnectingAudioSession } from '../sessions/reconnecting-audio-session'
import { DetectionSession } from '../sessions/detection-session'
import type { RequestRecord, SessionCallbacks } from '../sessions/session-callbacks'
import type { CollectedSession } from '../exports/session-exporter'
import type { SessionResultEvent } from '../../shared/results'
import type { StreamCall } from '../triton/stream-call'
import type { TritonClient } from '../triton/triton-client'
import { TritonError } from '../triton/triton-error'
import { toUserError } from './user-error'

type Emit = (event: SessionEvent) => void

/** A live stream with no answer for this long is taken as a dead link and reopened. */
const LIVE_ANSWER_TIMEOUT_MS = 15_000

/**
 * One running session of the app: a microphone or camera fed from the renderer, or a file
 * decoded here. It owns its stream and its latency recorder; `stop` is the single way out.
 */
export class LiveSession {
  readonly plan: SessionPlan
  private readonly recorder = new LatencyRecorder()
  /** Everything the session produced, kept for exports. */
  private readonly results: SessionResultEvent[] = []
  private readonly records: RequestRecord[] = []
  private readonly started = performance.now()
  private readonly abort = new AbortController()
  private stream: StreamCall | undefined
  private audio: ReconnectingAudioSession | undefined
  private detection: DetectionSession | undefined
  private audioChain: Promise<void> = Promise.resolve()
  private samplesSent = 0
  private frames = 0
  private done: Promise<void> | undefined
  private stopped = false

  constructor(
    private readonly request: SessionStartRequest,
    private readonly client: TritonClient,
    private readonly profile: ModelProfile,
    plan: SessionPlan,
    private readonly emit: Emit,
  ) {
    this.plan = plan
  }

  private get callbacks(): SessionCallbacks {
    const sessionId = this.plan.sessionId
    return {
      onEvent: (e) => {
        this.results.push(e)
        this.emit({ ...e, sessionId })
      },
      onRequest: (r) => {
        this.records.push(r)
        if (r.ok) this.recorder.record(r.latencyMs)
        else this.recorder.recordFailure()
        if (r.ok) {
          this.emit({
            kind: 'latency',
            sessionId,
            atMs: r.atMs,
            roundTripMs: r.latencyMs,
            captureToSendMs: r.captureToSendMs,
          })
        }
      },
    }
  }

  private fail(e: unknown): void {
    if (this.stopped) return
    this.stopped = true
    this.audio?.abandon()
    const cancelled = e instanceof TritonError && e.kind === 'cancelled'
    this.emit({
      kind: 'status',
      sessionId: this.plan.sessionId,
      state: cancelled ? 'stopped' : 'failed',
      error: cancelled ? undefined : toUserError(e),
      summary: this.summary(),
    })
    this.stream?.cancel()
  }

  start(): void {
    this.emit({ kind: 'status', sessionId: this.plan.sessionId, state: 'running' })
    if (this.request.source === 'file') {
      this.done = runFileSession({
        client: this.client,
        profile: this.profile,
        path: this.request.filePath ?? '',
        pace: this.request.pace ?? 'realtime',
        callbacks: this.callbacks,
        signal: this.abort.signal,
      }).then(
        () => this.finishWith('stopped'),
        (e: unknown) => (this.abort.signal.aborted ? this.finishWith('stopped') : this.fail(e)),
      )
      return
    }
    if (this.request.source === 'microphone') {
      this.startMicrophone()
      return
    }
    this.stream = this.client.openStream({ decoupled: this.profile.decoupled })
    this.stream.onDidClose((error) => {
      if (error && !this.stopped) this.fail(error)
    })
    this.detection = new DetectionSession(this.stream, this.profile, this.callbacks, 1)
  }

  /** The microphone survives a dropped link: audio queues and is replayed on a new stream. */
  private startMicrophone(): void {
    const sessionId = this.plan.sessionId
    const audio: ReconnectingAudioSession = new ReconnectingAudioSession({
      sampleRate: this.plan.audio?.sampleRate ?? 16000,
      openStream: async () => {
        await this.client.waitForReady(5000)
        const stream = this.client.openStream({
          decoupled: this.profile.decoupled,
          answerTimeoutMs: LIVE_ANSWER_TIMEOUT_MS,
        })
        stream.onDidClose((error) => {
          if (!error || this.stopped || stream !== this.stream) return
          if (isLinkFailure(error)) audio.linkLost(error)
          else this.fail(error)
        })
        this.stream = stream
        return stream
      },
      createSession: (stream, options) =>
        createAudioSession(stream, this.profile, this.callbacks, options),
      onState: (state, error) =>
        this.emit({
          kind: 'status',
          sessionId,
          state,
          error: error ? toUserError(error) : undefined,
        }),
      onDropped: (seconds) =>
        this.emit({
          kind: 'request-error',
          sessionId,
          message: `the link was down too long: ${seconds.toFixed(1)} s of the oldest audio could not be kept`,
          timeSec: this.samplesSent / (this.plan.audio?.sampleRate ?? 16000),
        }),
    })
    this.audio = audio
    this.audioChain = audio.start().catch((e: unknown) => this.fail(e))
  }

  private finishWith(state: 'stopped'): void {
    if (this.stopped) return
    this.stopped = true
    this.emit({ kind: 'status', sessionId: this.plan.sessionId, state, summary: this.summary() })
  }

  /** Audio is never dropped: chunks queue in order behind the stream's backpressure. */
  pushAudio(samples: Float32Array, capturedAtMs: number): void {
    const audio = this.audio
    const rate = this.plan.audio?.sampleRate
    if (!audio || !rate || this.stopped) return
    const startSec = this.samplesSent / rate
    this.samplesSent += samples.length
    this.audioChain = this.audioChain
      .then(() =>
        audio.pushChunk({
          samples,
          validSamples: samples.length,
          startSec,
          last: false,
          capturedAtMs,
        }),
      )
      .catch((e: unknown) => this.fail(e))
  }

  /** Video frames are dropped while the previous one is unanswered: stale frames help no one. */
  pushFrame(
    rgb: Uint8Array,
    width: number,
    height: number,
    sourceWidth: number,
    sourceHeight: number,
    capturedAtMs: number,
  ): void {
    const detection = this.detection
    if (!detection || this.stopped) return
    const index = this.frames++
    detection
      .pushFrame(
        {
          index,
          timeSec: (performance.now() - this.started) / 1000,
          rgb,
          letterbox: computeLetterbox(sourceWidth, sourceHeight, width, height),
          sourceWidth,
          sourceHeight,
          capturedAtMs,
        },
        true,
      )
      .catch((e: unknown) => this.fail(e))
  }

  collected(): CollectedSession {
    return {
      events: this.results,
      records: this.records,
      source: this.request.source === 'file' ? this.request.filePath : undefined,
      kind: this.profile.kind === 'detection' ? 'detection' : 'transcript',
    }
  }

  summary(): LatencySummary {
    return this.recorder.summary((performance.now() - this.started) / 1000)
  }

  async stop(): Promise<LatencySummary> {
    if (this.request.source === 'file') {
      this.abort.abort()
      await this.done
      return this.summary()
    }
    try {
      if (this.audio?.isReconnecting) {
        // Stopping while the server is away: keep what was answered, give up the rest.
        this.audio.abandon()
      } else {
        await this.audioChain
      }
      if (!this.stopped && !this.audio?.abandoned) {
        await this.audio?.finish()
        await this.detection?.finish()
        await this.stream?.end()
      }
    } catch (e) {
      this.fail(e)
    }
    this.finishWith('stopped')
    return this.summary()
  }
}
