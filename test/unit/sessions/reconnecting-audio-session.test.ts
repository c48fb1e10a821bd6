import { describe, expect, it } from 'vitest'
import type {
  AudioChunkIn,
  AudioSession,
  AudioSessionOptions,
} from '../../../src/main/sessions/asr-session'
import { ReconnectingAudioSession } from '../../../src/main/sessions/reconnecting-audio-session'
import type { StreamCall } from '../../../src/main/triton/stream-call'
import { TritonError } from '../../../src/main/triton/triton-error'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const unreachable = (): TritonError =>
  new TritonError('unreachable', 'cannot reach Triton', 'check it')

/** Our own AudioSession interface, recorded: which chunks reached which stream, in order. */
class RecordingSession implements AudioSession {
  readonly pushed: AudioChunkIn[] = []
  constructor(
    readonly options: AudioSessionOptions,
    private readonly failAt = Infinity,
    private readonly delayMs = 0,
  ) {}
  async pushChunk(chunk: AudioChunkIn): Promise<void> {
    if (this.delayMs) await sleep(this.delayMs)
    if (this.pushed.length >= this.failAt) throw unreachable()
    this.pushed.push(chunk)
  }
  async finish(): Promise<void> {}
  unfinished(): { firstUtterance: number; chunks: AudioChunkIn[] } {
    return { firstUtterance: this.options.firstUtterance ?? 0, chunks: [...this.pushed] }
  }
}

const chunk = (i: number): AudioChunkIn => ({
  samples: new Float32Array(4),
  validSamples: 4,
  startSec: i,
  last: false,
})
const stream = { cancel: () => undefined } as unknown as StreamCall

describe('ReconnectingAudioSession', () => {
  it('replays unanswered audio, then audio that arrived during the replay, in order', async () => {
    const sessions: RecordingSession[] = []
    const states: string[] = []
    const audio = new ReconnectingAudioSession(
      {
        sampleRate: 4,
        openStream: async () => stream,
        createSession: (_s, options) => {
          const s =
            sessions.length === 0
              ? new RecordingSession(options, 3)
              : new RecordingSession(options, Infinity, 5)
          sessions.push(s)
          return s
        },
        onState: (s) => states.push(s),
      },
      { initialDelayMs: 1, maxDelayMs: 2, maxBufferSec: 100 },
    )
    await audio.start()
    for (let i = 0; i < 5; i++) await audio.pushChunk(chunk(i))
    // Chunks keep coming while the new session replays slowly.
    for (let i = 5; i < 10; i++) {
      await sleep(4)
      await audio.pushChunk(chunk(i))
    }
    await audio.finish()
    expect(states).toEqual(['reconnecting', 'running'])
    expect(sessions).toHaveLength(2)
    expect(sessions[1].pushed.map((c) => c.startSec)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('reports a failure reconnecting cannot cure instead of queueing forever', async () => {
    let opens = 0
    const audio = new ReconnectingAudioSession(
      {
        sampleRate: 4,
        openStream: async () => {
          opens += 1
          if (opens > 1)
            throw new TritonError('auth', 'the server refused the token', 'check the token')
          return stream
        },
        createSession: (_s, options) => new RecordingSession(options, 1),
        onState: () => undefined,
      },
      { initialDelayMs: 1, maxDelayMs: 2, maxBufferSec: 100 },
    )
    await audio.start()
    await audio.pushChunk(chunk(0))
    await audio.pushChunk(chunk(1))
    await expect(audio.finish()).rejects.toThrow('the server refused the token')
    await expect(audio.pushChunk(chunk(2))).rejects.toThrow('the server refused the token')
  })

  it('opens no new stream once abandoned while the link is down', async () => {
    let created = 0
    let cancelled = 0
    const slowStream = { cancel: () => (cancelled += 1) } as unknown as StreamCall
    let opens = 0
    const audio = new ReconnectingAudioSession(
      {
        sampleRate: 4,
        openStream: async () => {
          opens += 1
          if (opens > 1) await sleep(30)
          return slowStream
        },
        createSession: (_s, options) => {
          created += 1
          return new RecordingSession(options, 1)
        },
        onState: () => undefined,
      },
      { initialDelayMs: 1, maxDelayMs: 2, maxBufferSec: 100 },
    )
    await audio.start()
    await audio.pushChunk(chunk(0))
    await audio.pushChunk(chunk(1))
    expect(audio.isReconnecting).toBe(true)
    await sleep(10)
    audio.abandon()
    await sleep(60)
    expect(created).toBe(1)
    expect(cancelled).toBe(1)
    expect(audio.isReconnecting).toBe(false)
  })
})
