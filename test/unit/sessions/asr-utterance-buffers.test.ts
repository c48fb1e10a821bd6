import { describe, expect, it } from 'vitest'
import type { ModelProfile } from '../../../src/shared/model-profile'
import { toPcm16 } from '../../../src/shared/pcm16'
import { ToneTextDecoder } from '../../../src/main/demo-endpoint/tone-text-codec'
import { StreamingAsrPipeline } from '../../../src/main/sessions/pipelines/streaming-asr-pipeline'
import { WindowedAsrPipeline } from '../../../src/main/sessions/pipelines/windowed-asr-pipeline'
import type { InferRequestSpec } from '../../../src/main/triton/infer-messages'
import type { DecodedTensor } from '../../../src/main/triton/tensor-codec'
import { recordingHost, ServerLife } from '../../fixtures/server-life'
import { speech, spokenChunk } from '../../fixtures/spoken-audio'

/**
 * Where an utterance's audio lives between the page and the server: copied once into one float
 * buffer per utterance, every request a view of it, and the buffer reused by a later utterance
 * only after the server answered the last request that reads it.
 */

const RATE = 16000
const CHUNK = RATE / 4

const streaming: ModelProfile = {
  model: 'tone-transcriber-streaming',
  kind: 'streaming-asr',
  inputs: [{ name: 'WAV', datatype: 'FP32', shape: [1, -1], source: 'audio' }],
  audio: { sampleRate: RATE, chunkSamples: CHUNK },
  sequence: { stateful: true },
}

const offline: ModelProfile = {
  ...streaming,
  model: 'tone-transcriber',
  kind: 'offline-asr',
  audio: { sampleRate: RATE, chunkSamples: CHUNK, hopSec: 0.5 },
  sequence: undefined,
}

/** Decodes each request's window on its own (the offline model); the streaming one is not read. */
function transcriber(spec: InferRequestSpec): Map<string, DecodedTensor> {
  const decoder = new ToneTextDecoder(RATE)
  decoder.push(wav(spec))
  const data = [new TextEncoder().encode(decoder.flush().trim())]
  return new Map([['TRANSCRIPTS', { name: 'TRANSCRIPTS', datatype: 'BYTES', shape: [1, 1], data }]])
}

const wav = (spec: InferRequestSpec): Float32Array =>
  spec.inputs.find((t) => t.name === 'WAV')?.data as Float32Array

/** Three utterances as the page sends them: 16-bit chunks, and where each utterance's chunks end. */
function spokenPcm16() {
  const texts = ['alpha one', 'bravo two', 'charlie three']
  const input = speech(texts, CHUNK, 4)
  const ends: number[] = []
  let at = 0
  for (const t of texts) ends.push((at += (input.samples.get(t) ?? 0) / CHUNK))
  const chunks = input.chunks.map((c, i) => ({
    ...spokenChunk(input.chunks, i, RATE),
    samples: toPcm16(c),
  }))
  return { chunks, ends }
}

/** The buffers requests were views of, in the order they were first used. */
function buffersOf(specs: readonly InferRequestSpec[]): ArrayBufferLike[] {
  const out: ArrayBufferLike[] = []
  for (const s of specs) if (wav(s).buffer !== out.at(-1)) out.push(wav(s).buffer)
  return out
}

/** The floats the pipeline must send for chunks `from` to `to`: 16-bit samples over 32767. */
function expectedFloats(
  chunks: ReturnType<typeof spokenPcm16>['chunks'],
  from: number,
  to: number,
) {
  const out = new Float32Array((to - from) * CHUNK)
  for (let i = from; i < to; i++)
    for (let j = 0; j < CHUNK; j++) out[(i - from) * CHUNK + j] = chunks[i].samples[j] / 32767
  return out
}

describe("an utterance's audio on its way to the server", () => {
  it('streams each utterance as views of one buffer and reuses it only after its final answer', async () => {
    const { host } = recordingHost()
    const pipeline = new StreamingAsrPipeline(streaming, host, { maxInFlight: 100 })
    const life = new ServerLife(transcriber)
    const { chunks, ends } = spokenPcm16()
    for (let i = 0; i < ends[1]; i++) await pipeline.push(chunks[i], life)
    const first = life.written.slice(0, ends[0])
    const second = life.written.slice(ends[0])
    // Nothing answered yet: each utterance has buffers of its own (a grown copy serves the later
    // requests; views already sent keep the old one), and the views are the page's samples.
    const firstBuffers = buffersOf(first)
    expect(firstBuffers.length).toBeGreaterThan(1)
    expect(buffersOf(second).some((b) => firstBuffers.includes(b))).toBe(false)
    const sent = new Float32Array(ends[0] * CHUNK)
    first.forEach((s, k) => sent.set(wav(s), k * CHUNK))
    expect(sent).toEqual(expectedFloats(chunks, 0, ends[0]))

    await life.serve()
    for (let i = ends[1]; i < ends[2]; i++) await pipeline.push(chunks[i], life)
    const third = life.written.slice(ends[1])
    // Both finals answered: the third utterance is written over the first one's last buffer.
    expect(buffersOf(third)[0]).toBe(firstBuffers.at(-1))
    const again = new Float32Array((ends[2] - ends[1]) * CHUNK)
    third.forEach((s, k) => again.set(wav(s), k * CHUNK))
    expect(again).toEqual(expectedFloats(chunks, ends[1], ends[2]))
    expect(host.ledger.summary().failures).toBe(0)
  })

  it('sends an offline model every interim and the final as prefixes of one buffer, not copies', async () => {
    const { host, events } = recordingHost()
    const pipeline = new WindowedAsrPipeline(offline, host)
    const life = new ServerLife(transcriber)
    const { chunks, ends } = spokenPcm16()
    for (let i = 0; i < ends[2]; i++) {
      await pipeline.push(chunks[i], life)
      await life.serve()
    }
    const finals = events.flatMap((e) => (e.kind === 'transcript' && e.final ? [e.text] : []))
    expect(finals).toEqual(['alpha one', 'bravo two', 'charlie three'])
    expect(life.written.every((s) => wav(s).byteOffset === 0)).toBe(true)
    expect(life.written.length).toBeGreaterThan(6)
    // Interims every 0.5 s and a final per utterance, each a view of its utterance's buffer. The
    // second utterance began before the first one's final was answered, so it has its own; the
    // third is written over the first one's. It outgrew it: the grown copy serves its final,
    // while the views already sent keep reading the old one.
    const buffers = buffersOf(life.written)
    expect(buffers).toHaveLength(4)
    expect(new Set(buffers).size).toBe(3)
    expect(buffers[2]).toBe(buffers[0])
    expect(host.ledger.summary().failures).toBe(0)
  })
})
