import type { StreamCall } from '../triton/stream-call'
import { TritonError } from '../triton/triton-error'
import type { AudioChunkIn, AudioSession, AudioSessionOptions } from './asr-session'

export interface ReconnectPolicy {
  /** First wait after a drop; doubles per failed attempt up to `maxDelayMs`, with ±20 % jitter. */
  initialDelayMs: number
  maxDelayMs: number
  /** Audio kept while the link is down; the oldest is dropped past this (and reported). */
  maxBufferSec: number
}

export const DEFAULT_RECONNECT: ReconnectPolicy = {
  initialDelayMs: 250,
  maxDelayMs: 5000,
  maxBufferSec: 300,
}

export interface ReconnectHooks {
  /** Opens a fresh ModelStreamInfer call; rejects while the server is unreachable. */
  openStream(): Promise<StreamCall>
  createSession(stream: StreamCall, options: AudioSessionOptions): AudioSession
  onState(state: 'reconnecting' | 'running', error?: TritonError): void
  /** Audio that could not be kept (buffer full), in seconds. */
  onDropped?(seconds: number): void
  sampleRate: number
}

/** Link failures worth retrying; a model's own error is not one of them. */
export function isLinkFailure(e: unknown): e is TritonError {
  return (
    e instanceof TritonError &&
    (e.kind === 'unreachable' || e.kind === 'timeout' || e.kind === 'internal')
  )
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * Keeps a microphone session alive across a dropped link: while the stream is down, chunks
 * queue here; once a new stream is open, every utterance that had no final answer is sent again
 * from its first chunk (same utterance numbers, new sequence ids), then the queued audio. So an
 * operator on a poor link loses no speech, only time.
 */
export class ReconnectingAudioSession implements AudioSession {
  private inner: AudioSession | undefined
  private queue: AudioChunkIn[] = []
  private reconnecting: Promise<void> | undefined
  /** A failure reconnecting cannot cure (auth, TLS, a model error): reported on the next call. */
  private failure: unknown
  private closed = false

  constructor(
    private readonly hooks: ReconnectHooks,
    private readonly policy: ReconnectPolicy = DEFAULT_RECONNECT,
  ) {}

  get isReconnecting(): boolean {
    return this.reconnecting !== undefined
  }

  get abandoned(): boolean {
    return this.closed
  }

  async start(): Promise<void> {
    this.inner = this.hooks.createSession(await this.hooks.openStream(), {})
  }

  unfinished(): { firstUtterance: number; chunks: AudioChunkIn[] } {
    const base = this.inner?.unfinished() ?? { firstUtterance: 0, chunks: [] }
    return { firstUtterance: base.firstUtterance, chunks: [...base.chunks, ...this.queue] }
  }

  async pushChunk(chunk: AudioChunkIn): Promise<void> {
    if (this.failure) throw this.failure
    if (this.reconnecting || !this.inner) {
      this.enqueue(chunk)
      return
    }
    try {
      await this.inner.pushChunk(chunk)
    } catch (e) {
      if (!isLinkFailure(e) || this.closed) throw e
      this.enqueue(chunk)
      this.beginReconnect(e)
    }
  }

  private enqueue(chunk: AudioChunkIn): void {
    this.queue.push(chunk)
    const max = this.policy.maxBufferSec * this.hooks.sampleRate
    let total = this.queue.reduce((n, c) => n + c.validSamples, 0)
    let dropped = 0
    while (total > max && this.queue.length > 1) {
      const old = this.queue.shift() as AudioChunkIn
      total -= old.validSamples
      dropped += old.validSamples
    }
    if (dropped > 0) this.hooks.onDropped?.(dropped / this.hooks.sampleRate)
  }

  /** Called by the owner when the stream closes under it, even with no chunk in hand. */
  linkLost(error: TritonError): void {
    if (!this.closed && !this.reconnecting) this.beginReconnect(error)
  }

  /** Puts a failed session's unanswered audio back in front of the queue, without repeats. */
  private requeue(lost: { chunks: AudioChunkIn[] } | undefined): void {
    if (!lost) return
    this.queue = [...lost.chunks.filter((c) => !this.queue.includes(c)), ...this.queue]
  }

  private beginReconnect(error: TritonError): void {
    if (this.reconnecting) return
    const lost = this.inner?.unfinished()
    this.inner = undefined
    this.requeue(lost)
    this.hooks.onState('reconnecting', error)
    this.reconnecting = this.reconnect(lost?.firstUtterance ?? 0).catch((e: unknown) => {
      this.reconnecting = undefined
      this.failure = e
    })
  }

  private async reconnect(firstUtterance: number): Promise<void> {
    let delay = this.policy.initialDelayMs
    let first = firstUtterance
    while (!this.closed) {
      await sleep(delay * (0.8 + Math.random() * 0.4))
      if (this.closed) break
      delay = Math.min(this.policy.maxDelayMs, delay * 2)
      let stream: StreamCall
      try {
        stream = await this.hooks.openStream()
      } catch (e) {
        if (!isLinkFailure(e)) throw e
        continue
      }
      if (this.closed) {
        stream.cancel()
        break
      }
      const session = this.hooks.createSession(stream, { firstUtterance: first })
      try {
        // Replay, then whatever arrived meanwhile, until nothing is left; a chunk leaves the
        // queue only once the new session has it.
        while (this.queue.length > 0) {
          await session.pushChunk(this.queue[0])
          this.queue.shift()
          if (this.closed) {
            stream.cancel()
            this.reconnecting = undefined
            return
          }
        }
      } catch (e) {
        if (!isLinkFailure(e)) throw e
        const lost = session.unfinished()
        this.requeue(lost)
        first = lost.firstUtterance
        continue
      }
      // No await between the empty queue and these lines, so no chunk can slip in between.
      this.inner = session
      this.reconnecting = undefined
      this.hooks.onState('running')
      return
    }
    this.reconnecting = undefined
  }

  async finish(): Promise<void> {
    if (this.reconnecting) await this.reconnecting
    if (this.failure) throw this.failure
    this.closed = true
    await this.inner?.finish()
  }

  /** Stops retrying; used when the user stops the session while the link is down. */
  abandon(): void {
    this.closed = true
  }
}
