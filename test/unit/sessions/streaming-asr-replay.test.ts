import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EXAMPLE_ASR_PROFILE, type ModelProfile } from '../../../src/shared/model-profile'
import { ToneTextDecoder } from '../../../src/main/demo-endpoint/tone-text-codec'
import type { AudioChunkIn } from '../../../src/main/sessions/pipelines/audio-chunk'
import { MAX_ATTEMPTS } from '../../../src/main/sessions/pipelines/pipeline'
import { StreamingAsrPipeline } from '../../../src/main/sessions/pipelines/streaming-asr-pipeline'
import { KEPT, UntranscribedAudio } from '../../../src/main/sessions/untranscribed-audio'
import { decodeWav } from '../../../src/main/media/wav-file'
import type { InferRequestSpec } from '../../../src/main/triton/infer-messages'
import type { DecodedTensor } from '../../../src/main/triton/tensor-codec'
import { speech } from '../../fixtures/spoken-audio'
import { recordingHost, ServerLife } from '../../fixtures/server-life'

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

/** A streaming transcriber's answers: each sequence keeps its decoder on this life only. */
function transcriber(): (spec: InferRequestSpec) => Map<string, DecodedTensor> {
  const sequences = new Map<string, ToneTextDecoder>()
  return (spec) => {
    const p = spec.parameters ?? {}
    const id = String(p.sequence_id)
    if (p.sequence_start === true) sequences.set(id, new ToneTextDecoder(RATE))
    const decoder = sequences.get(id)
    if (!decoder) throw new Error(`sequence ${id} was not started on this life of the server`)
    const wav = spec.inputs.find((t) => t.name === 'WAV')?.data as Float32Array
    const lens = spec.inputs.find((t) => t.name === 'WAV_LENS')?.data as Int32Array
    decoder.push(wav.subarray(0, lens[0]))
    const text = p.sequence_end === true ? decoder.flush().trim() : decoder.text.trim()
    const data = [new TextEncoder().encode(text)]
    return new Map([
      ['TRANSCRIPTS', { name: 'TRANSCRIPTS', datatype: 'BYTES', shape: [1, 1], data }],
    ])
  }
}

const newLife = (): ServerLife => new ServerLife(transcriber())

/** Sequence starts written on a life. */
const starts = (life: ServerLife): number =>
  life.written.filter((spec) => spec.parameters?.sequence_start === true).length

function setup(untranscribed?: UntranscribedAudio) {
  const { host, events } = recordingHost()
  const pipeline = new StreamingAsrPipeline(profile, host, { maxInFlight: 8, untranscribed })
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
    let life = newLife()
    for (const c of chunks.slice(0, alpha)) await pipeline.push(c, life)
    await life.serve(2)
    for (const c of chunks.slice(alpha, alpha + 2)) await pipeline.push(c, life)
    await life.die()
    // Each later life gets one request further into alpha's replay, then dies with the rest of
    // alpha and all of bravo unanswered: bravo never got an answer, but it was never reached.
    for (let restart = 1; restart <= MAX_ATTEMPTS; restart++) {
      life = newLife()
      const resumed = pipeline.resume(life)
      await life.serve(2 + restart)
      expect(errors()).toEqual([])
      expect(starts(life)).toBe(2)
      await life.die()
      await resumed
    }
    expect(errors()).toEqual([])
    // The server stays up: both utterances are transcribed exactly, once each.
    life = newLife()
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

  it('still gives up on the utterance whose same request the server dies on every time, and keeps its audio', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'triton-live-given-up-'))
    const untranscribed = new UntranscribedAudio(dir, RATE)
    const { pipeline, chunks, alpha, finals, errors } = setup(untranscribed)
    // alpha's 4th request kills the server, on every life; bravo's first 3 wait behind it.
    let life = newLife()
    for (const c of chunks.slice(0, alpha)) await pipeline.push(c, life)
    await life.serve(3)
    for (const c of chunks.slice(alpha, alpha + 3)) await pipeline.push(c, life)
    await life.die()
    // The first life's answers are progress; then MAX_ATTEMPTS lives in a row get no further.
    for (let restart = 1; restart <= MAX_ATTEMPTS + 1; restart++) {
      expect(errors()).toEqual([])
      life = newLife()
      const resumed = pipeline.resume(life)
      await life.serve(3)
      if (restart <= MAX_ATTEMPTS) await life.die()
      await resumed
    }
    expect(errors()).toEqual([
      expect.stringMatching(/^utterance 1 was sent 4 times without getting further/),
    ])
    expect(errors()[0].endsWith(KEPT)).toBe(true)
    // bravo, behind it, is not at fault: it goes on on the same life and is transcribed exactly.
    for (const c of chunks.slice(alpha + 3)) {
      const pushed = pipeline.push(c, life)
      await life.serve()
      await pushed
    }
    await life.serve()
    expect(finals()).toEqual(['bravo two'])
    // alpha is not lost: its audio, and only its, is in the session's WAV and still says it.
    const kept = untranscribed.finish([], 0)
    expect(kept?.audioSec).toBe((alpha * CHUNK) / RATE)
    expect(kept?.audioStartSec).toBe(0)
    const wav = decodeWav(readFileSync(kept?.keptAudioPath ?? ''))
    const decoder = new ToneTextDecoder(RATE)
    decoder.push(wav.samples)
    expect(decoder.flush().trim()).toBe('alpha one')
    rmSync(dir, { recursive: true, force: true })
  })
})
