import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { Request } from 'undici'
import type { ModelInferRequest__Output } from '../triton/generated/inference/ModelInferRequest'
import { buildInferRequest } from '../triton/infer-messages'
import { bytesToStrings, decodeTensor } from '../triton/tensor-codec'
import { decodeWav, WavFormatError } from '../media/wav-file'
import type { DemoInference } from './demo-inference'
import { toneOfflineTranscriber } from './demo-models'

/** OpenAI's upload limit for /v1/audio/transcriptions. */
const MAX_UPLOAD = 25 * 1024 * 1024
const SAMPLE_RATE = 16000
const FORMATS = ['json', 'text', 'verbose_json'] as const
type ResponseFormat = (typeof FORMATS)[number]
/** Clients written for OpenAI often send this name; here it means the demo's transcriber. */
const ALIASES: Record<string, string> = { 'whisper-1': toneOfflineTranscriber.name }

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param?: string,
  ) {
    super(message)
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.byteLength
      if (size > MAX_UPLOAD) {
        reject(new ApiError(413, `the upload exceeds ${MAX_UPLOAD} bytes`))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

interface Upload {
  audio: Buffer
  model: string
  format: ResponseFormat
}

/** Parses the multipart form with undici's WHATWG Request.formData(), the platform's parser. */
async function readUpload(req: IncomingMessage): Promise<Upload> {
  const type = req.headers['content-type'] ?? ''
  if (!/^multipart\/form-data/i.test(type)) {
    throw new ApiError(400, "send the audio as multipart/form-data with a 'file' field")
  }
  const body = await readBody(req)
  let form: Awaited<ReturnType<Request['formData']>>
  try {
    form = await new Request('http://demo/v1/audio/transcriptions', {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    }).formData()
  } catch (e) {
    throw new ApiError(400, `the multipart body cannot be read: ${(e as Error).message}`)
  }
  const file = form.get('file')
  if (!file || typeof file === 'string')
    throw new ApiError(400, "the form has no 'file' upload", 'file')
  const model = form.get('model')
  if (typeof model !== 'string' || !model)
    throw new ApiError(400, "the form has no 'model' field", 'model')
  const format = (form.get('response_format') ?? 'json') as string
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new ApiError(
      400,
      `response_format '${format}' is not supported; use json, text or verbose_json`,
      'response_format',
    )
  }
  return { audio: Buffer.from(await file.arrayBuffer()), model, format: format as ResponseFormat }
}

/**
 * An OpenAI-compatible speech-to-text endpoint in front of the demo's offline transcriber, as
 * FastAPI Whisper servers (faster-whisper-server, speaches) and vLLM expose one, so bench can
 * compare Triton with such a service on the same audio. Audio: WAV at 16 kHz.
 */
export class OpenAiTranscriptions {
  constructor(private readonly inference: DemoInference) {}

  private async transcribe(upload: Upload): Promise<{ text: string; duration: number }> {
    const name = ALIASES[upload.model] ?? upload.model
    if (name !== toneOfflineTranscriber.name || !this.inference.exists(name)) {
      throw new ApiError(
        404,
        `model '${upload.model}' does not exist; use '${toneOfflineTranscriber.name}' or 'whisper-1'`,
        'model',
      )
    }
    let wav
    try {
      wav = decodeWav(upload.audio)
    } catch (e) {
      if (e instanceof WavFormatError)
        throw new ApiError(400, `${e.message}; send a 16 kHz WAV file`, 'file')
      throw e
    }
    if (wav.sampleRate !== SAMPLE_RATE) {
      throw new ApiError(
        400,
        `the audio is ${wav.sampleRate} Hz; this server takes 16000 Hz WAV`,
        'file',
      )
    }
    const request = buildInferRequest({
      model: name,
      inputs: [
        {
          name: 'TEXT_PREFIX',
          datatype: 'BYTES',
          shape: [1, 1],
          data: ['<|startoftranscript|><|en|><|transcribe|><|notimestamps|>'],
        },
        { name: 'WAV', datatype: 'FP32', shape: [1, wav.samples.length], data: wav.samples },
      ],
    }) as unknown as ModelInferRequest__Output
    const { responses } = await this.inference.execute(request, 'unary')
    const out = responses[0]
    const k = (out.outputs ?? []).findIndex((o) => o.name === 'TRANSCRIPTS')
    const meta = (out.outputs ?? [])[k]
    const raw = (out.raw_output_contents ?? [])[k]
    const tensor = decodeTensor(
      'TRANSCRIPTS',
      'BYTES',
      (meta?.shape ?? []).map(Number),
      Buffer.from(raw ?? []),
    )
    return { text: bytesToStrings(tensor).join(' '), duration: wav.samples.length / SAMPLE_RATE }
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]
    try {
      if (path === '/v1/models' && req.method === 'GET') {
        return send(res, 200, {
          object: 'list',
          data: [
            { id: toneOfflineTranscriber.name, object: 'model', owned_by: 'triton-live-demo' },
          ],
        })
      }
      if (path !== '/v1/audio/transcriptions')
        throw new ApiError(404, `no route ${req.method} ${path}`)
      if (req.method !== 'POST') throw new ApiError(405, 'use POST')
      const upload = await readUpload(req)
      const { text, duration } = await this.transcribe(upload)
      if (upload.format === 'text') return sendText(res, `${text}\n`)
      if (upload.format === 'json') return send(res, 200, { text })
      return send(res, 200, {
        task: 'transcribe',
        language: 'english',
        duration,
        text,
        segments: [
          {
            id: 0,
            seek: 0,
            start: 0,
            end: duration,
            text,
            tokens: [],
            temperature: 0,
            avg_logprob: 0,
            compression_ratio: 0,
            no_speech_prob: 0,
          },
        ],
      })
    } catch (e) {
      const status = e instanceof ApiError ? e.status : 500
      send(res, status, {
        error: {
          message: e instanceof Error ? e.message : String(e),
          type: status < 500 ? 'invalid_request_error' : 'server_error',
          param: e instanceof ApiError ? (e.param ?? null) : null,
          code: null,
        },
      })
    }
  }
}

function send(res: ServerResponse, status: number, json: unknown): void {
  const body = Buffer.from(JSON.stringify(json))
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(body.byteLength),
  })
  res.end(body)
}

function sendText(res: ServerResponse, text: string): void {
  const body = Buffer.from(text)
  res.writeHead(200, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(body.byteLength),
  })
  res.end(body)
}

export function createOpenAiServer(api: OpenAiTranscriptions): Server {
  return createServer((req, res) => void api.handle(req, res))
}
