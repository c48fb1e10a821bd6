import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ModelProfile } from '../../../src/shared/model-profile'
import { ToneTextDecoder } from '../../../src/main/demo-endpoint/tone-text-codec'
import type { AudioChunkIn } from '../../../src/main/sessions/pipelines/audio-chunk'
import { MAX_ATTEMPTS } from '../../../src/main/sessions/pipelines/pipeline'
import { WindowedAsrPipeline } from '../../../src/main/sessions/pipelines/windowed-asr-pipeline'
import { KEPT, UntranscribedAudio } from '../../../src/main/sessions/untranscribed-audio'
import { decodeWav } from '../../../src/main/media/wav-file'
import type { InferRequestSpec } from '../../../src/main/triton/infer-messages'
import type { DecodedTensor } from '../../../src/main/triton/tensor-codec'
import { recordingHost, ServerLife } from '../../fixtures/server-life'
import { speech } from '../../fixtures/spoken-audio'

/**
 * Which final an offline (whole-window) model's replay blames when the server dies again,
 * on one life of a server that answers and dies only when the test says so.
 */

const RATE = 16000
const CHUNK = RATE / 4

const profile: ModelProfile = {
  model: 'tone-transcriber',
  kind: 'offline-asr',
  inputs: [
    { name: 'WAV', datatype: 'FP32', shape: [1, -1], source: 'audio' },
    { name: 'WAV_LENS', datatype: 'INT32', shape: [1, 1], source: 'audio-length' },
  ],
  // Interims only every 60 s, so each life's stream holds just the finals.
  audio: { sampleRate: RATE, chunkSamples: CHUNK, hopSec: 60 },
}

/** An offline transcriber: each request is a whole window, decoded on its own. */
function transcriber(spec: InferRequestSpec): Map<string, DecodedTensor> {
  const decoder = new ToneTextDecoder(RATE)
  const wav = spec.inputs.find((t) => t.name === 'WAV')?.data as Float32Array
  decoder.push(wav)
  const data = [new TextEncoder().encode(decoder.flush().trim())]
  return new Map([['TRANSCRIPTS', { name: 'TRANSCRIPTS', datatype: 'BYTES', shape: [1, 1], data }]])
}

function setup(untranscribed?: UntranscribedAudio) {
  const { host, events } = recordingHost()
  const pipeline = new WindowedAsrPipeline(profile, host, { untranscribed })
  const finals = (): string[] =>
    events.flatMap((e) => (e.kind === 'transcript' && e.final ? [e.text] : []))
  const errors = (): string[] =>
    events.flatMap((e) => (e.kind === 'request-error' ? [e.message] : []))
  return { pipeline, host, finals, errors }
}

/** Two utterances spoken on a first life that dies before answering: two finals out. */
async function twoFinalsOutThenDeath(pipeline: WindowedAsrPipeline, ordered: boolean) {
  const input = speech(['alpha one', 'bravo two'], CHUNK, 4)
  const life = new ServerLife(transcriber, ordered)
  for (const [i, samples] of input.chunks.entries()) {
    const chunk: AudioChunkIn = {
      samples,
      validSamples: CHUNK,
      startSec: i / 4,
      last: false,
      seq: i,
    }
    await pipeline.push(chunk, life)
  }
  expect(life.inFlight).toBe(2)
  await life.die()
}

describe('an offline ASR replay after the server died again', () => {
  it('gives up the final the server dies on every time, keeps its audio, and transcribes the one behind it on a stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'triton-live-given-up-'))
    const untranscribed = new UntranscribedAudio(dir, RATE)
    const { pipeline, host, finals, errors } = setup(untranscribed)
    await twoFinalsOutThenDeath(pipeline, true)
    // Every life dies with both finals out; the fourth time, the oldest is given up.
    for (let restart = 1; restart < MAX_ATTEMPTS; restart++) {
      const life = new ServerLife(transcriber)
      const resumed = pipeline.resume(life)
      await life.die()
      await resumed
    }
    const life = new ServerLife(transcriber)
    const resumed = pipeline.resume(life)
    await life.serve()
    await resumed
    expect(errors()).toEqual([
      expect.stringMatching(/^utterance 1 was sent 4 times without an answer/),
    ])
    expect(finals()).toEqual(['bravo two'])
    expect(host.ledger.summary().failures).toBe(1)
    // The given-up final's window is kept, and decodes to what was said.
    expect(errors()[0].endsWith(KEPT)).toBe(true)
    const kept = untranscribed.finish([], 0)
    expect(kept?.audioStartSec).toBe(0)
    const decoder = new ToneTextDecoder(RATE)
    decoder.push(decodeWav(readFileSync(kept?.keptAudioPath ?? '')).samples)
    expect(decoder.flush().trim()).toBe('alpha one')
    rmSync(dir, { recursive: true, force: true })
  })

  it('on unary calls counts both finals out, since both were at the server', async () => {
    const { pipeline, finals, errors } = setup()
    await twoFinalsOutThenDeath(pipeline, false)
    for (let restart = 1; restart <= MAX_ATTEMPTS; restart++) {
      const life = new ServerLife(transcriber, false)
      const resumed = pipeline.resume(life)
      await life.die()
      await resumed
    }
    expect(errors()).toHaveLength(2)
    expect(finals()).toEqual([])
  })
})
