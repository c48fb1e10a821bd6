import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoEndpoint, type DemoEndpoint } from '../../../src/main/demo-endpoint/demo-server'
import { encodeToneText } from '../../../src/main/demo-endpoint/tone-text-codec'
import { encodeWav16 } from '../../../src/main/media/wav-file'
import { OpenAiTranscriptionClient } from '../../../src/main/transport/openai/openai-transcription-client'
import { TritonError } from '../../../src/main/triton/triton-error'

let demo: DemoEndpoint
let client: OpenAiTranscriptionClient

beforeAll(async () => {
  demo = await startDemoEndpoint({ port: 0, metricsPort: null, openaiPort: 0 })
  client = new OpenAiTranscriptionClient({ url: demo.openaiUrl as string, timeoutMs: 5000 })
})

afterAll(async () => {
  client.close()
  await demo.close()
})

/** A multipart upload made by the platform's own FormData, as any OpenAI SDK sends it. */
async function upload(fields: Record<string, string>, wav?: Buffer): Promise<Response> {
  const form = new FormData()
  if (wav) form.set('file', new Blob([new Uint8Array(wav)], { type: 'audio/wav' }), 'speech.wav')
  for (const [k, v] of Object.entries(fields)) form.set(k, v)
  return fetch(`${demo.openaiUrl}/v1/audio/transcriptions`, { method: 'POST', body: form })
}

describe('the demo endpoint as an OpenAI-compatible transcription service', () => {
  it('transcribes a WAV window sent by the client, with the text the Triton transcriber gives', async () => {
    const result = await client.transcribe({
      samples: encodeToneText('same audio as triton'),
      sampleRate: 16000,
      model: 'tone-transcriber-offline',
      deadlineMs: 5000,
    })
    expect(result.text).toBe('same audio as triton')
    expect(result.durationSec).toBeCloseTo(encodeToneText('same audio as triton').length / 16000, 6)
  })

  it('answers json, text and verbose_json as OpenAI does, and takes whisper-1 as the model name', async () => {
    const wav = encodeWav16(encodeToneText('three ways'), 16000)
    const asJson = await upload({ model: 'whisper-1' }, wav)
    expect(asJson.status).toBe(200)
    expect(await asJson.json()).toEqual({ text: 'three ways' })
    const asText = await upload({ model: 'whisper-1', response_format: 'text' }, wav)
    expect(asText.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(await asText.text()).toBe('three ways\n')
    const verbose = (await (
      await upload({ model: 'whisper-1', response_format: 'verbose_json' }, wav)
    ).json()) as {
      task: string
      text: string
      segments: { text: string }[]
    }
    expect([verbose.task, verbose.text, verbose.segments[0].text]).toEqual([
      'transcribe',
      'three ways',
      'three ways',
    ])
  })

  it.each([
    ['no file', { model: 'whisper-1' }, undefined, 400, "the form has no 'file' upload", 'file'],
    [
      'no model',
      {},
      encodeWav16(new Float32Array(160), 16000),
      400,
      "the form has no 'model' field",
      'model',
    ],
    [
      'an unknown format',
      { model: 'whisper-1', response_format: 'srt' },
      encodeWav16(new Float32Array(160), 16000),
      400,
      "response_format 'srt' is not supported",
      'response_format',
    ],
    [
      '8 kHz audio',
      { model: 'whisper-1' },
      encodeWav16(new Float32Array(80), 8000),
      400,
      'the audio is 8000 Hz; this server takes 16000 Hz WAV',
      'file',
    ],
    [
      'an MP3',
      { model: 'whisper-1' },
      Buffer.from('ID3\u0004garbage'),
      400,
      'the file is not a WAV',
      'file',
    ],
  ])('refuses %s with an OpenAI error body', async (_what, fields, wav, status, message, param) => {
    const res = await upload(fields as Record<string, string>, wav)
    expect(res.status).toBe(status)
    const body = (await res.json()) as { error: { message: string; type: string; param: string } }
    expect(body.error.message).toContain(message)
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param })
  })

  it('maps its errors to TritonError kinds for the client: an unknown model is not-found', async () => {
    const err = await client
      .transcribe({ samples: new Float32Array(160), sampleRate: 16000, model: 'large-v3' })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TritonError)
    expect(err).toMatchObject({ kind: 'not-found' })
    expect((err as TritonError).message).toMatch(/model 'large-v3' does not exist/)
  })
})
