import type { ModelProfile } from '../../shared/model-profile'
import type { StreamCall } from '../triton/stream-call'
import { audioInputs } from './request-builder'
import { errorText, isCancellation, isFatal, type SessionCallbacks } from './session-callbacks'
import { rms, transcriptOf } from './transcript-text'
import { sequenceParameters } from '../triton/infer-messages'

export interface AudioChunkIn {
  /** Mono PCM at the profile's rate, `chunkSamples` long (zero-padded after validSamples). */
  samples: Float32Array
  validSamples: number
  startSec: number
  last: boolean
  capturedAtMs?: number
}

export interface AudioSession {
  pushChunk(chunk: AudioChunkIn): Promise<void>
  /** Ends the open utterance and waits for every answer. */
  finish(): Promise<void>
  /**
   * Audio whose utterance has no final answer yet, in order, and the utterance it starts: what
   * a new session on a new stream must be fed again so a dropped link loses nothing.
   */
  unfinished(): { firstUtterance: number; chunks: AudioChunkIn[] }
}

export interface AudioSessionOptions {
  /** Number of the first utterance, so a session that replaces another continues its count. */
  firstUtterance?: number
  maxInFlight?: number
}

/** Below this RMS a chunk counts as silence for endpointing (about -40 dBFS). */
export const SILENCE_RMS = 0.01
const DEFAULT_ENDPOINT_SILENCE_SEC = 0.8
const MAX_UTTERANCE_SEC = 30

/** Sequence ids must not collide with other clients of the same server. */
function sequenceBase(): bigint {
  return (BigInt(Date.now()) % 1_000_000_000n) * 1000n + BigInt(Math.floor(Math.random() * 1000))
}

interface Utterance {
  index: number
  sequenceId: bigint | string
  startSec: number
  heardVoice: boolean
  silenceSec: number
  lastText: string
  endSec: number
  chunks: AudioChunkIn[]
  /** A request of this utterance was refused; its later answers are ignored. */
  failed?: boolean
}

/**
 * Streaming ASR on a stateful model (sequence batcher): every chunk of an utterance goes to
 * one sequence, the first with sequence_start and the last with sequence_end. An utterance ends
 * at the end of the input, after `endpointSilenceSec` of silence following speech, or after
 * 30 s. Chunks are pipelined on the ordered stream, at most `maxInFlight` unanswered.
 */
export class StreamingAsrSession implements AudioSession {
  private readonly rate: number
  private readonly endpointSilence: number
  private readonly base = sequenceBase()
  private readonly maxInFlight: number
  private utterances: number
  private current: Utterance | undefined
  /** Utterances whose final answer has not arrived, oldest first. */
  private readonly open = new Map<number, Utterance>()
  private readonly inFlight: Promise<void>[] = []
  private fatal: unknown

  constructor(
    private readonly stream: StreamCall,
    private readonly profile: ModelProfile,
    private readonly callbacks: SessionCallbacks,
    options: AudioSessionOptions = {},
  ) {
    this.rate = profile.audio?.sampleRate ?? 16000
    this.endpointSilence = profile.audio?.endpointSilenceSec ?? DEFAULT_ENDPOINT_SILENCE_SEC
    this.maxInFlight = options.maxInFlight ?? 4
    this.utterances = options.firstUtterance ?? 0
  }

  /** Models whose CORRID is a string (TYPE_STRING) need string ids; the rest take int64. */
  private sequenceId(n: number): bigint | string {
    const id = this.base + BigInt(n)
    return this.profile.sequence?.idType === 'string' ? `triton-live-${id}` : id
  }

  unfinished(): { firstUtterance: number; chunks: AudioChunkIn[] } {
    const list = [...this.open.values()]
    return {
      firstUtterance: list[0]?.index ?? this.utterances,
      chunks: list.flatMap((u) => u.chunks),
    }
  }

  async pushChunk(chunk: AudioChunkIn): Promise<void> {
    if (this.fatal) throw this.fatal
    while (this.inFlight.length >= this.maxInFlight) await this.inFlight[0]
    const durationSec = chunk.validSamples / this.rate
    let u = this.current
    const start = !u
    if (!u) {
      u = {
        index: this.utterances++,
        sequenceId: this.sequenceId(this.utterances),
        startSec: chunk.startSec,
        heardVoice: false,
        silenceSec: 0,
        lastText: '',
        endSec: chunk.startSec,
        chunks: [],
      }
      this.current = u
      this.open.set(u.index, u)
    }
    u.chunks.push(chunk)
    u.endSec = chunk.startSec + durationSec
    if (rms(chunk.samples, chunk.validSamples) >= SILENCE_RMS) {
      u.heardVoice = true
      u.silenceSec = 0
    } else {
      u.silenceSec += durationSec
    }
    const end =
      chunk.last ||
      (u.heardVoice && u.silenceSec >= this.endpointSilence) ||
      chunk.startSec + durationSec - u.startSec >= MAX_UTTERANCE_SEC
    if (end) this.current = undefined
    this.send(u, chunk, start, end)
  }

  private send(u: Utterance, chunk: AudioChunkIn, start: boolean, end: boolean): void {
    const sentAt = Date.now()
    const p = this.answer(u, chunk, start, end, sentAt)
      .catch((error: unknown) => this.failed(u, chunk, error, sentAt))
      .finally(() => this.inFlight.splice(this.inFlight.indexOf(p), 1))
    this.inFlight.push(p)
  }

  private async answer(
    u: Utterance,
    chunk: AudioChunkIn,
    start: boolean,
    end: boolean,
    sentAt: number,
  ): Promise<void> {
    const outcome = await this.stream.infer({
      model: this.profile.model,
      version: this.profile.version,
      inputs: audioInputs(this.profile, chunk.samples, chunk.validSamples),
      outputs: this.profile.outputs,
      parameters: sequenceParameters({ id: u.sequenceId, start, end }),
    })
    const first = outcome.responses[0]
    if (!first) throw new Error(`'${this.profile.model}' answered with no output`)
    const text = transcriptOf(first, this.profile.decoder?.transcriptOutput)
    this.callbacks.onRequest?.({
      ok: true,
      latencyMs: outcome.latencyMs,
      captureToSendMs: chunk.capturedAtMs !== undefined ? sentAt - chunk.capturedAtMs : undefined,
      atMs: Date.now(),
    })
    if (u.failed) return
    if (end) this.open.delete(u.index)
    if (end ? text.length > 0 : text !== u.lastText) {
      u.lastText = text
      this.callbacks.onEvent({
        kind: 'transcript',
        utterance: u.index,
        final: end,
        text,
        startSec: u.startSec,
        endSec: chunk.startSec + chunk.validSamples / this.rate,
        latencyMs: outcome.latencyMs,
      })
    }
  }

  private failed(u: Utterance, chunk: AudioChunkIn, error: unknown, sentAt: number): void {
    if (isCancellation(error)) return
    this.callbacks.onRequest?.({ ok: false, latencyMs: Date.now() - sentAt, atMs: Date.now() })
    if (isFatal(error)) {
      // The link broke: keep the utterance in `open` so a reconnect can replay it.
      this.fatal ??= error
      return
    }
    if (u.failed) return
    u.failed = true
    this.open.delete(u.index)
    this.callbacks.onEvent({
      kind: 'request-error',
      message: errorText(error),
      timeSec: chunk.startSec,
    })
    // The server may have dropped the sequence; start a fresh one with the next chunk.
    if (this.current === u) this.current = undefined
  }

  async finish(): Promise<void> {
    const u = this.current
    if (u && !this.fatal) {
      this.current = undefined
      // A chunk of the usual length with no valid samples, as a file's closing chunk is, so
      // models with a fixed audio dimension accept it too.
      const silence = new Float32Array(
        this.profile.audio?.chunkSamples ?? Math.round(this.rate / 100),
      )
      const closing = { samples: silence, validSamples: 0, startSec: u.endSec, last: true }
      u.chunks.push(closing)
      this.send(u, closing, false, true)
    }
    await Promise.all([...this.inFlight])
    if (this.fatal) throw this.fatal
  }
}

/**
 * Offline (Whisper-style) models decode a whole window. To stream them, the growing window of
 * the current utterance is re-sent every `hopSec` for interim text that replaces the last one,
 * and once more when the utterance ends, for the final text. At most one interim request is in
 * flight, so a slow server gets fewer interims rather than a growing queue.
 */
export class WindowedAsrSession implements AudioSession {
  private readonly rate: number
  private readonly hop: number
  private readonly maxWindow: number
  private readonly endpointSilence: number
  private window = new Float32Array(0)
  private windowStartSec = 0
  private lastSentLength = 0
  private heardVoice = false
  private silenceSec = 0
  private utterance: number
  /** The chunks behind the current window, kept for a replay after a reconnect. */
  private chunks: AudioChunkIn[] = []
  private interim: Promise<void> | undefined
  private fatal: unknown

  constructor(
    private readonly stream: StreamCall,
    private readonly profile: ModelProfile,
    private readonly callbacks: SessionCallbacks,
    options: AudioSessionOptions = {},
  ) {
    this.utterance = options.firstUtterance ?? 0
    this.rate = profile.audio?.sampleRate ?? 16000
    this.hop = Math.round((profile.audio?.hopSec ?? 1) * this.rate)
    this.maxWindow = Math.round((profile.audio?.maxWindowSec ?? 30) * this.rate)
    this.endpointSilence = profile.audio?.endpointSilenceSec ?? DEFAULT_ENDPOINT_SILENCE_SEC
  }

  unfinished(): { firstUtterance: number; chunks: AudioChunkIn[] } {
    return { firstUtterance: this.utterance, chunks: [...this.chunks] }
  }

  private append(samples: Float32Array): void {
    const next = new Float32Array(this.window.length + samples.length)
    next.set(this.window)
    next.set(samples, this.window.length)
    this.window = next
  }

  async pushChunk(chunk: AudioChunkIn): Promise<void> {
    if (this.fatal) throw this.fatal
    const valid = chunk.samples.subarray(0, chunk.validSamples)
    if (this.window.length === 0) this.windowStartSec = chunk.startSec
    this.append(valid)
    this.chunks.push(chunk)
    if (rms(valid) >= SILENCE_RMS) {
      this.heardVoice = true
      this.silenceSec = 0
    } else {
      this.silenceSec += chunk.validSamples / this.rate
    }
    if (!this.heardVoice && this.window.length > this.rate) {
      // Nothing said yet: keep only the last second so leading silence is not re-sent forever.
      const keep = this.window.subarray(this.window.length - this.rate)
      this.windowStartSec += (this.window.length - keep.length) / this.rate
      this.window = keep.slice()
      this.lastSentLength = 0
      this.chunks = this.chunks.slice(-Math.ceil(this.rate / Math.max(1, chunk.samples.length)) - 1)
    }
    const end =
      chunk.last ||
      (this.heardVoice && this.silenceSec >= this.endpointSilence) ||
      this.window.length >= this.maxWindow
    if (end) {
      await this.finalise(chunk.capturedAtMs)
    } else if (
      this.heardVoice &&
      !this.interim &&
      this.window.length - this.lastSentLength >= this.hop
    ) {
      this.lastSentLength = this.window.length
      this.interim = this.request(this.window, false, chunk.capturedAtMs).finally(
        () => (this.interim = undefined),
      )
    }
  }

  private async request(
    window: Float32Array,
    final: boolean,
    capturedAtMs?: number,
  ): Promise<void> {
    const sentAt = Date.now()
    const utterance = this.utterance
    const startSec = this.windowStartSec
    const endSec = startSec + window.length / this.rate
    try {
      const outcome = await this.stream.infer({
        model: this.profile.model,
        version: this.profile.version,
        inputs: audioInputs(this.profile, window, window.length),
        outputs: this.profile.outputs,
      })
      this.callbacks.onRequest?.({
        ok: true,
        latencyMs: outcome.latencyMs,
        captureToSendMs: capturedAtMs !== undefined ? sentAt - capturedAtMs : undefined,
        atMs: Date.now(),
      })
      const text = transcriptOf(outcome.responses[0], this.profile.decoder?.transcriptOutput)
      if (text || !final) {
        this.callbacks.onEvent({
          kind: 'transcript',
          utterance,
          final,
          text,
          startSec,
          endSec,
          latencyMs: outcome.latencyMs,
        })
      }
    } catch (error) {
      if (isCancellation(error)) return
      this.callbacks.onRequest?.({ ok: false, latencyMs: Date.now() - sentAt, atMs: Date.now() })
      if (isFatal(error)) this.fatal ??= error
      else
        this.callbacks.onEvent({
          kind: 'request-error',
          message: errorText(error),
          timeSec: startSec,
        })
    }
  }

  private async finalise(capturedAtMs?: number): Promise<void> {
    if (this.interim) await this.interim
    const window = this.window
    if (this.heardVoice && window.length > 0) await this.request(window, true, capturedAtMs)
    if (this.fatal) throw this.fatal
    this.utterance += this.heardVoice ? 1 : 0
    this.windowStartSec += window.length / this.rate
    this.window = new Float32Array(0)
    this.chunks = []
    this.lastSentLength = 0
    this.heardVoice = false
    this.silenceSec = 0
  }

  async finish(): Promise<void> {
    await this.finalise()
  }
}
