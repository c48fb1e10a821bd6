import { afterEach, describe, expect, it } from 'vitest'
import type { DemoModel } from '../../src/main/demo-endpoint/demo-models'
import type { DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'
import { encodeToneText } from '../../src/main/demo-endpoint/tone-text-codec'
import { requestedFirstChunk } from '../../src/main/models/families/sherpa-streaming'
import { inspectModel } from '../../src/main/models/model-facts'
import { createAudioSession } from '../../src/main/sessions/session-factory'
import { createTransport } from '../../src/main/transport/create-transport'
import type { SessionEvent } from '../../src/shared/session-events'
import type { ModelProfile } from '../../src/shared/model-profile'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { audioInputs } from '../../src/main/sessions/request-builder'
import { sequenceParameters } from '../../src/main/triton/infer-messages'
import { TritonClient } from '../../src/main/triton/triton-client'
import type { TranscriptEvent } from '../../src/shared/results'
import {
  sherpaOfflineRepository,
  sherpaStreamingRepository,
  sherpaZipformerRepository,
  wenetRepository,
  type RequestLog,
} from '../fixtures/families/asr-families'
import { startFamilyServer } from '../fixtures/families/family-server'

const TEXT = 'sherpa streams'
const pcm = encodeToneText(TEXT)

let server: DemoEndpoint | undefined
let client: TritonClient | undefined

afterEach(async () => {
  client?.close()
  await server?.close()
  server = client = undefined
})

async function serve(models: DemoModel[]): Promise<TritonClient> {
  server = await startFamilyServer(models)
  client = new TritonClient({ url: server.url })
  return client
}

/**
 * Streams `pcm` as one utterance through the app's own session, in chunks of the profile's
 * length as a file or microphone delivers them: the pipeline cuts the preset's first chunk.
 */
async function transcribe(
  c: TritonClient,
  model: string,
  tweak: (p: ModelProfile) => ModelProfile = (p) => p,
  audio: Float32Array = pcm,
): Promise<{ finals: TranscriptEvent[]; events: SessionEvent[] }> {
  const profile = tweak((await inspectModel(c, model)).profile!)
  const size = profile.audio!.chunkSamples
  const workRoot = mkdtempSync(join(tmpdir(), 'triton-live-family-'))
  const session = createAudioSession({ transport: createTransport(c), profile, workRoot }, 'file')
  const events: SessionEvent[] = []
  session.onDidEmit((e) => events.push(e))
  await session.start()
  for (let at = 0; at < audio.length; at += size) {
    const samples = new Float32Array(size)
    const valid = Math.min(size, audio.length - at)
    samples.set(audio.subarray(at, at + valid))
    await session.push({
      samples,
      validSamples: valid,
      startSec: at / 16000,
      last: at + size >= audio.length,
    })
  }
  session.endOfInput()
  await session.done
  rmSync(workRoot, { recursive: true, force: true })
  const finals = events.filter((e): e is TranscriptEvent => e.kind === 'transcript' && e.final)
  return { finals, events }
}

describe('streaming ASR families served with their real config shapes', () => {
  it('recognises sherpa streaming transducer from its ensemble steps and pins its first chunk at 0.77 s', async () => {
    const log: RequestLog[] = []
    const c = await serve(sherpaStreamingRepository(log))
    const d = await inspectModel(c, 'transducer')
    expect(d.preset).toEqual({
      id: 'sherpa-streaming-transducer',
      name: 'sherpa streaming transducer',
      source:
        'k2-fsa/sherpa triton/model_repo_streaming/transducer/config.pbtxt.template and feature_extractor/1/model.py',
      summary: 'sherpa streaming transducer, first chunk 0.77 s then 0.64 s',
      settings: {
        'audio.sampleRate': 16000,
        'audio.chunkSamples': 10240,
        'audio.firstChunkSamples': 12320,
        'feature_extractor.decode_window': 75,
        'inputs.WAV.datatype': 'FP16',
        'sequence.idType': 'int',
      },
    })
    expect(d.kind).toBe('streaming-asr')
    expect(d.sequenceBatching).toBe(true)
    expect(d.profile?.inputs.map((i) => [i.name, i.datatype, i.source])).toEqual([
      ['WAV', 'FP16', 'audio'],
      ['WAV_LENS', 'INT32', 'audio-length'],
    ])

    const { finals, events } = await transcribe(c, 'transducer')
    expect(events.filter((e) => e.kind === 'request-error')).toEqual([])
    expect(finals.map((f) => f.text)).toEqual([TEXT])
    // The server saw the preset's first chunk, accepted it, then 0.64 s chunks.
    expect(log[0]).toMatchObject({ samples: 12320, start: true })
    expect(log.slice(1, -1).every((r) => r.samples === 10240 && !r.start)).toBe(true)
    expect(log.reduce((n, r) => n + r.samples, 0)).toBe(pcm.length)
  })

  it('refuses a 0.64 s first chunk with sherpa\u2019s own words, which name the size it needs', async () => {
    const c = await serve(sherpaStreamingRepository())
    const { profile } = { profile: (await inspectModel(c, 'transducer')).profile! }
    const stream = c.openStream()
    const refusal = await stream
      .infer({
        model: 'transducer',
        inputs: audioInputs(profile, new Float32Array(10240).fill(0.1), 10240),
        parameters: sequenceParameters({ id: 7, start: true, end: false }),
      })
      .then(
        () => 'accepted',
        (e: Error) => e.message,
      )
    await stream.end()
    expect(refusal).toContain(
      "in ensemble 'transducer', Failed to process the request(s) for model instance 'feature_extractor_0_0', message: Exception: ('Invalid first chunk size', 10240, 12320)",
    )
    expect(requestedFirstChunk(refusal)).toBe(12320)
  })

  it('learns the first chunk from the server\u2019s refusal, resends the utterance and keeps the size', async () => {
    const log: RequestLog[] = []
    const c = await serve(sherpaStreamingRepository(log))
    // As if no preset knew the rule: the session starts with 0.64 s first chunks.
    const { finals, events } = await transcribe(c, 'transducer', (p) => ({
      ...p,
      audio: { ...p.audio!, firstChunkSamples: undefined },
    }))
    expect(finals.map((f) => f.text)).toEqual([TEXT])
    const notices = events.flatMap((e) => (e.kind === 'notice' ? [e.message] : []))
    expect(notices).toEqual([
      'the server asked for a first chunk of 0.77 s; using it for the rest of the session',
    ])
    expect(events.filter((e) => e.kind === 'request-error')).toEqual([])
    const starts = log.filter((r) => r.start).map((r) => r.samples)
    expect(starts).toEqual([10240, 12320])
  })

  it('keeps the learnt first chunk for the next utterance: one refusal, one notice', async () => {
    const log: RequestLog[] = []
    const c = await serve(sherpaStreamingRepository(log))
    // Two utterances, 1.5 s of silence between: the endpointer ends the first sequence.
    const second = encodeToneText('and again')
    const pause = new Float32Array(24000)
    const both = new Float32Array(pcm.length + pause.length + second.length + pause.length)
    both.set(pcm, 0)
    both.set(second, pcm.length + pause.length)
    const { finals, events } = await transcribe(
      c,
      'transducer',
      (p) => ({ ...p, audio: { ...p.audio!, firstChunkSamples: undefined } }),
      both,
    )
    expect(finals.map((f) => f.text)).toEqual([TEXT, 'and again'])
    expect(events.filter((e) => e.kind === 'notice')).toHaveLength(1)
    expect(events.filter((e) => e.kind === 'request-error')).toEqual([])
    // Refused once; then both utterances, and the file's silent tail padded to the minimum.
    expect(log.filter((r) => r.start).map((r) => r.samples)).toEqual([10240, 12320, 12320, 12320])
  })

  it('pads a word shorter than the first chunk with silence instead of being refused', async () => {
    const log: RequestLog[] = []
    const c = await serve(sherpaStreamingRepository(log))
    // 'hi' is 0.58 s of tones: one request, both start and end, padded to 0.77 s.
    const { finals, events } = await transcribe(c, 'transducer', (p) => p, encodeToneText('hi'))
    expect(events.filter((e) => e.kind === 'request-error')).toEqual([])
    expect(finals.map((f) => f.text)).toEqual(['hi'])
    expect(log).toHaveLength(1)
    expect(log[0]).toMatchObject({ samples: 12320, start: true, end: true })
  })

  it('sends the first chunk a saved profile names, whatever the preset says', async () => {
    const log: RequestLog[] = []
    const c = await serve(sherpaStreamingRepository(log))
    const { finals } = await transcribe(c, 'transducer', (p) => ({
      ...p,
      audio: { ...p.audio!, firstChunkSamples: 16000 },
    }))
    expect(finals.map((f) => f.text)).toEqual([TEXT])
    expect(log[0]).toMatchObject({ samples: 16000, start: true })
    expect(log[1]).toMatchObject({ samples: 10240, start: false })
  })

  it('is refused by the server in Triton\u2019s words when the ids are strings but CORRID is UINT64', async () => {
    const c = await serve(sherpaStreamingRepository())
    const { events } = await transcribe(c, 'transducer', (p) => ({
      ...p,
      sequence: { stateful: true, idType: 'string' },
    }))
    const errors = events.flatMap((e) => (e.kind === 'request-error' ? [e.message] : []))
    expect(errors[0]).toContain(
      "in ensemble 'transducer', [request id: <id_unknown>] sequence batching control 'CORRID' data-type is 'BYTES', but model 'feature_extractor' expects 'UINT64'",
    )
  })

  it('tells the streaming zipformer apart by its encoder states and reads its FP32 dtype and 0.85 s window', async () => {
    const log: RequestLog[] = []
    const c = await serve(sherpaZipformerRepository(log))
    const d = await inspectModel(c, 'transducer')
    expect(d.preset?.id).toBe('sherpa-streaming-zipformer')
    expect(d.preset?.summary).toBe('sherpa streaming zipformer, first chunk 0.85 s then 0.64 s')
    expect(d.preset?.settings).toMatchObject({
      'audio.firstChunkSamples': 13600,
      'feature_extractor.decode_window': 83,
      'inputs.WAV.datatype': 'FP32',
    })
    expect((await transcribe(c, 'transducer')).finals.map((f) => f.text)).toEqual([TEXT])
    expect(log[0].samples).toBe(13600)
  })

  it('reads WeNet\u2019s chunk_size_s and decoding window: first chunk 0.69 s then 0.64 s', async () => {
    const log: RequestLog[] = []
    const c = await serve(wenetRepository(log))
    const d = await inspectModel(c, 'streaming_wenet')
    expect(d.preset).toMatchObject({
      id: 'wenet-streaming',
      summary: 'WeNet streaming, first chunk 0.69 s then 0.64 s',
      settings: {
        'audio.chunkSamples': 10240,
        'audio.firstChunkSamples': 11040,
        'feature_extractor.decoding_window': 67,
      },
    })
    expect(d.profile?.sequence).toEqual({ stateful: true, idType: 'int' })
    expect((await transcribe(c, 'streaming_wenet')).finals.map((f) => f.text)).toEqual([TEXT])
    expect(log[0]).toMatchObject({ samples: 11040, start: true })
  })

  it('knows the sherpa offline transducer and decodes whole utterances with it', async () => {
    const c = await serve(sherpaOfflineRepository())
    const d = await inspectModel(c, 'transducer')
    expect(d.kind).toBe('offline-asr')
    expect(d.preset).toMatchObject({
      id: 'sherpa-offline-transducer',
      summary: 'sherpa offline transducer, whole utterance re-decoded every 1 s up to 30 s',
    })
    const { finals } = await transcribe(c, 'transducer')
    expect(finals.map((f) => f.text).join(' ')).toBe(TEXT)
  })
})
