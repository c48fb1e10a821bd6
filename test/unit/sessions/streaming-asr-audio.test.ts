import { describe, expect, it } from 'vitest'
import { EXAMPLE_ASR_PROFILE, type ModelProfile } from '../../../src/shared/model-profile'
import type { AudioChunkIn } from '../../../src/main/sessions/pipelines/audio-chunk'
import { StreamingAsrPipeline } from '../../../src/main/sessions/pipelines/streaming-asr-pipeline'
import type { InferRequestSpec } from '../../../src/main/triton/infer-messages'
import type { DecodedTensor } from '../../../src/main/triton/tensor-codec'
import { recordingHost, ServerLife } from '../../fixtures/server-life'

const RATE = 16000
const CHUNK = 1600

const profile: ModelProfile = {
  ...EXAMPLE_ASR_PROFILE,
  model: 'digest-transcriber',
  audio: { sampleRate: RATE, chunkSamples: CHUNK },
}

/** FNV-1a over the float bits and the count: equal only for exactly the same samples. */
function digest(samples: Float32Array): string {
  let h = 0x811c9dc5
  for (const bits of new Uint32Array(samples.buffer, samples.byteOffset, samples.length)) {
    h = Math.imul(h ^ bits, 0x01000193) >>> 0
  }
  return `${samples.length}:${h.toString(16)}`
}

/** A server whose final answer is the digest of all the audio its sequence received. */
function digestServer(): (spec: InferRequestSpec) => Map<string, DecodedTensor> {
  const received = new Map<string, number[]>()
  return (spec) => {
    const p = spec.parameters ?? {}
    const id = String(p.sequence_id)
    if (p.sequence_start === true) received.set(id, [])
    const wav = spec.inputs.find((t) => t.name === 'WAV')?.data as Float32Array
    const lens = spec.inputs.find((t) => t.name === 'WAV_LENS')?.data as Int32Array
    received.get(id)?.push(...wav.subarray(0, lens[0]))
    const text = p.sequence_end === true ? digest(Float32Array.from(received.get(id) ?? [])) : 'x'
    const data = [new TextEncoder().encode(text)]
    return new Map([
      ['TRANSCRIPTS', { name: 'TRANSCRIPTS', datatype: 'BYTES', shape: [1, 1], data }],
    ])
  }
}

describe('the audio a streaming ASR session sends', () => {
  // Chunks the size of a window, larger (windows inside a chunk at an offset, and across two),
  // and smaller (every window copied from several).
  it.each([CHUNK, 2.5 * CHUNK, 0.625 * CHUNK])(
    "is every utterance's exact audio, from %i-sample chunks, through a late server and a replay on a new life",
    async (size) => {
      const { host, events } = recordingHost()
      const pipeline = new StreamingAsrPipeline(profile, host, { maxInFlight: 8 })
      // Six utterances: 1.3 s to 3.1 s of voice (each sample distinct), then 1 s of silence.
      const source: number[] = []
      const chunks: AudioChunkIn[] = []
      for (let u = 0; u < 6; u++) {
        const voiced = 13 + ((u * 7) % 19)
        for (let c = 0; c < ((voiced + 10) * CHUNK) / size; c++) {
          const samples = new Float32Array(size)
          if (c < (voiced * CHUNK) / size)
            for (let i = 0; i < size; i++) samples[i] = 0.1 + (source.length + i) * 1e-7
          chunks.push({ samples, validSamples: size, startSec: source.length / RATE, last: false })
          source.push(...samples)
        }
      }
      const all = Float32Array.from(source)
      let life = new ServerLife(digestServer())
      // The server answers late, so an utterance's final answer comes while the next is open.
      const feed = async (from: number, to: number): Promise<void> => {
        for (const c of chunks.slice(from, to)) {
          if (life.inFlight >= 6) await life.serve(4)
          await pipeline.push(c, life)
        }
      }
      const cut = Math.floor(chunks.length / 2)
      await feed(0, cut)
      // The server dies with requests unanswered; open utterances are replayed from their start.
      await life.die()
      life = new ServerLife(digestServer())
      const resumed = pipeline.resume(life)
      await life.serve()
      await resumed
      await feed(cut, chunks.length)
      await pipeline.finish(life)
      await life.serve()
      const finals = events.flatMap((e) => (e.kind === 'transcript' && e.final ? [e] : []))
      expect(finals.length).toBeGreaterThanOrEqual(6)
      for (const f of finals) {
        const expected = all.subarray(Math.round(f.startSec * RATE), Math.round(f.endSec * RATE))
        expect(f.text).toBe(digest(expected))
      }
      // Every sample of the source is in exactly one final.
      const covered = finals.reduce((n, f) => n + Math.round((f.endSec - f.startSec) * RATE), 0)
      expect(covered).toBe(all.length)
      expect(host.ledger.summary().failures).toBe(0)
    },
  )
})
