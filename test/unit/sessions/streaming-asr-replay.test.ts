import { describe, expect, it } from 'vitest'
import type { SessionResultEvent } from '../../../src/shared/results'
import { EXAMPLE_ASR_PROFILE, type ModelProfile } from '../../../src/shared/model-profile'
import { ToneTextDecoder } from '../../../src/main/demo-endpoint/tone-text-codec'
import type { AudioChunkIn } from '../../../src/main/sessions/pipelines/audio-chunk'
import { MAX_ATTEMPTS, type PipelineHost } from '../../../src/main/sessions/pipelines/pipeline'
import { StreamingAsrPipeline } from '../../../src/main/sessions/pipelines/streaming-asr-pipeline'
import { RequestLedger } from '../../../src/main/sessions/request-ledger'
import type { InferAnswer, InferChannel } from '../../../src/main/transport/infer-channel'
import type { InferRequestSpec } from '../../../src/main/triton/infer-messages'
import { TritonError } from '../../../src/main/triton/triton-error'
import { speech } from '../../fixtures/spoken-audio'

/**
 * Which utterance a replay blames when the server dies again. Each channel is one life of a
 * server that works through its ordered stream only when the test says so, and dies when the
 * test says so: no clock, no sockets, the same interleaving every run.
 */

const RATE = 16000
const CHUNK = RATE / 4

const profile: ModelProfile = {
  ...EXAMPLE_ASR_PROFILE,
  model: 'tone-transcriber-streaming',
  audio: { sampleRate: RATE, chunkSamples: CHUNK },
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

interface Waiting {
  spec: InferRequestSpec
  resolve: (answer: InferAnswer) => void
  reject: (error: Error) => void
}

/** One life of a streaming server: answers in order, keeps each sequence's decoder, can die. */
class ServerLife implements InferChannel {
  readonly ordered = true
  closed = false
  private readonly queue: Waiting[] = []
  private readonly sequences = new Map<string, ToneTextDecoder>()
  private readonly listeners: Array<(error: TritonError | null) => void> = []
  /** Sequence ids of every request written on this life, in order, with their start flag. */
  readonly written: Array<{ id: string; start: boolean }> = []

  get inFlight(): number {
    return this.queue.length
  }

  infer(spec: InferRequestSpec): Promise<InferAnswer> {
    if (this.closed) return Promise.reject(new TritonError('cancelled', 'closed', ''))
    const p = spec.parameters ?? {}
    this.written.push({ id: String(p.sequence_id), start: p.sequence_start === true })
    return new Promise((resolve, reject) => this.queue.push({ spec, resolve, reject }))
  }

  /** Answers the oldest `n` requests (letting the pipeline write more in between). */
  async serve(n = Number.POSITIVE_INFINITY): Promise<void> {
    await flush()
    for (let i = 0; i < n && this.queue.length > 0 && !this.closed; i++) {
      const { spec, resolve } = this.queue.shift() as Waiting
      const p = spec.parameters ?? {}
      const id = String(p.sequence_id)
      if (p.sequence_start === true) this.sequences.set(id, new ToneTextDecoder(RATE))
      const decoder = this.sequences.get(id)
      if (!decoder) throw new Error(`sequence ${id} was not started on this life of the server`)
      const wav = spec.inputs.find((t) => t.name === 'WAV')?.data as Float32Array
      const lens = spec.inputs.find((t) => t.name === 'WAV_LENS')?.data as Int32Array
      decoder.push(wav.subarray(0, lens[0]))
      const text = p.sequence_end === true ? decoder.flush().trim() : decoder.text.trim()
      resolve({
        id: `r${i}`,
        latencyMs: 1,
        firstResponseMs: 1,
        responses: [
          {
            id: `r${i}`,
            model: profile.model,
            version: '1',
            parameters: {},
            outputs: new Map([
              [
                'TRANSCRIPTS',
                {
                  name: 'TRANSCRIPTS',
                  datatype: 'BYTES',
                  shape: [1, 1],
                  data: [new TextEncoder().encode(text)],
                },
              ],
            ]),
          },
        ],
      })
      await flush()
    }
  }

  /** SIGKILL: what was not answered never will be; the session cancels the stream. */
  async die(): Promise<void> {
    this.closed = true
    for (const w of this.queue.splice(0)) w.reject(new TritonError('cancelled', 'cancelled', ''))
    for (const l of this.listeners) l(new TritonError('unreachable', 'connection reset', ''))
    await flush()
  }

  onDidClose(listener: (error: TritonError | null) => void): () => void {
    this.listeners.push(listener)
    return () => undefined
  }

  async end(): Promise<void> {}

  cancel(): void {
    void this.die()
  }
}

function setup() {
  const events: SessionResultEvent[] = []
  const host: PipelineHost = {
    ledger: new RequestLedger(),
    deadlineMs: 10_000,
    emit: (e) => events.push(e),
    ack: () => undefined,
    linkLost: () => undefined,
    fail: (e) => {
      throw e
    },
    notice: () => undefined,
  }
  // Room for a whole utterance and the next one's start on the stream at once.
  const pipeline = new StreamingAsrPipeline(profile, host, { maxInFlight: 8 })
  const input = speech(['alpha one', 'bravo two'], CHUNK, 4)
  const chunks: AudioChunkIn[] = input.chunks.map((samples, i) => ({
    samples,
    validSamples: CHUNK,
    startSec: (i * CHUNK) / RATE,
    last: false,
    seq: i,
  }))
  const alpha = input.samples.get('alpha one')! / CHUNK
  const finals = (): string[] =>
    events.flatMap((e) => (e.kind === 'transcript' && e.final ? [e.text] : []))
  const errors = (): string[] =>
    events.flatMap((e) => (e.kind === 'request-error' ? [e.message] : []))
  return { pipeline, host, chunks, alpha, finals, errors }
}

describe('a streaming ASR replay after the server died again', () => {
  it('does not blame an utterance whose requests waited behind an older, unanswered one', async () => {
    const { pipeline, host, chunks, alpha, finals, errors } = setup()
    // alpha's 8 requests and bravo's first 2 are on the stream; the server answered 2 and dies.
    let life = new ServerLife()
    for (const c of chunks.slice(0, alpha)) await pipeline.push(c, life)
    await life.serve(2)
    for (const c of chunks.slice(alpha, alpha + 2)) await pipeline.push(c, life)
    await life.die()
    // Each later life gets one request further into alpha's replay, then dies with the rest of
    // alpha and all of bravo unanswered: bravo never got an answer, but it was never reached.
    for (let restart = 1; restart <= MAX_ATTEMPTS; restart++) {
      life = new ServerLife()
      const resumed = pipeline.resume(life)
      await life.serve(2 + restart)
      expect(errors()).toEqual([])
      expect(life.written.filter((w) => w.start)).toHaveLength(2)
      await life.die()
      await resumed
    }
    expect(errors()).toEqual([])
    // The server stays up: both utterances are transcribed exactly, once each.
    life = new ServerLife()
    const resumed = pipeline.resume(life)
    await life.serve()
    await resumed
    for (const c of chunks.slice(alpha + 2)) {
      const pushed = pipeline.push(c, life)
      await life.serve()
      await pushed
    }
    await life.serve()
    expect(errors()).toEqual([])
    expect(finals()).toEqual(['alpha one', 'bravo two'])
    expect(host.ledger.summary().failures).toBe(0)
  })

  it('still gives up on the utterance whose same request the server dies on every time', async () => {
    const { pipeline, chunks, alpha, finals, errors } = setup()
    // alpha's 4th request kills the server, on every life; bravo's first 3 wait behind it.
    let life = new ServerLife()
    for (const c of chunks.slice(0, alpha)) await pipeline.push(c, life)
    await life.serve(3)
    for (const c of chunks.slice(alpha, alpha + 3)) await pipeline.push(c, life)
    await life.die()
    // The first life's answers are progress; then MAX_ATTEMPTS lives in a row get no further.
    for (let restart = 1; restart <= MAX_ATTEMPTS + 1; restart++) {
      expect(errors()).toEqual([])
      life = new ServerLife()
      const resumed = pipeline.resume(life)
      await life.serve(3)
      if (restart <= MAX_ATTEMPTS) await life.die()
      await resumed
    }
    expect(errors()).toEqual([
      expect.stringMatching(/^utterance 1 was sent 4 times without getting further/),
    ])
    // bravo, behind it, is not at fault: it goes on on the same life and is transcribed exactly.
    for (const c of chunks.slice(alpha + 3)) {
      const pushed = pipeline.push(c, life)
      await life.serve()
      await pushed
    }
    await life.serve()
    expect(finals()).toEqual(['bravo two'])
  })
})
