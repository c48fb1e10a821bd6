import { performance } from 'node:perf_hooks'
import { Blob } from 'node:buffer'
import { FormData } from 'undici'
import { encodeWav16 } from '../../media/wav-file'
import type { ConnectionOptions } from '../../triton/connection-options'
import { TritonError } from '../../triton/triton-error'
import { HttpConnection } from '../http/http-connection'
import { httpStatusError } from '../http/http-errors'
import { parseJsonBody } from '../http/kserve-json'

export interface TranscriptionRequest {
  /** Mono samples in [-1, 1], sent as a 16-bit PCM WAV file. */
  samples: Float32Array
  sampleRate: number
  /** The service's model id, e.g. 'whisper-1' or 'Systran/faster-whisper-small'. */
  model: string
  language?: string
  /** The request fails with kind 'timeout' when no answer comes in this time. */
  deadlineMs?: number
  signal?: AbortSignal
}

export interface Transcription {
  text: string
  /** From the start of the upload to the end of the answer. */
  latencyMs: number
  /** The audio's length as the service reports it (verbose_json), when it does. */
  durationSec?: number
}

/**
 * A client for the OpenAI-compatible speech-to-text API (POST /v1/audio/transcriptions) that
 * FastAPI Whisper servers (faster-whisper-server, speaches) and vLLM expose, so bench can put
 * such a service beside Triton on the same audio. Same TLS, auth headers, deadlines and error
 * kinds as the Triton transports; `bearerToken` is the service's API key.
 */
export class OpenAiTranscriptionClient {
  readonly connection: HttpConnection
  private readonly path: string

  constructor(options: ConnectionOptions) {
    this.connection = new HttpConnection(options)
    if (this.connection.endpoint.protocol !== 'http') {
      throw new TritonError(
        'invalid-argument',
        `'${options.url}' is not an http:// or https:// URL`,
        'give the OpenAI-compatible service as http://host:port (its /v1 API is found from there)',
      )
    }
    // The base may already end in /v1, as OpenAI SDKs write base URLs.
    this.path = /\/v1$/.test(this.connection.endpoint.basePath)
      ? '/audio/transcriptions'
      : '/v1/audio/transcriptions'
  }

  get target(): string {
    return this.connection.displayUrl
  }

  async transcribe(request: TranscriptionRequest): Promise<Transcription> {
    const operation = `transcription(${request.model})`
    const form = new FormData()
    const wav = encodeWav16(request.samples, request.sampleRate)
    form.set('file', new Blob([wav], { type: 'audio/wav' }), 'window.wav')
    form.set('model', request.model)
    form.set('response_format', 'verbose_json')
    if (request.language) form.set('language', request.language)
    const started = performance.now()
    const res = await this.connection.call({
      method: 'POST',
      path: this.path,
      operation,
      body: form,
      timeoutMs: request.deadlineMs ?? Infinity,
      signal: request.signal,
    })
    const latencyMs = performance.now() - started
    if (res.status < 200 || res.status >= 300) {
      throw httpStatusError(res.status, res.body, this.target, operation)
    }
    const json = parseJsonBody(res.body, 'transcription') as { text?: unknown; duration?: unknown }
    if (typeof json.text !== 'string') {
      throw new TritonError(
        'model-error',
        `${this.target} answered ${operation} without a 'text' field`,
        'check that the URL points at an OpenAI-compatible transcription service',
      )
    }
    const durationSec = typeof json.duration === 'number' ? json.duration : undefined
    return {
      text: json.text.trim(),
      latencyMs,
      ...(durationSec !== undefined ? { durationSec } : {}),
    }
  }

  close(): void {
    this.connection.close()
  }
}
