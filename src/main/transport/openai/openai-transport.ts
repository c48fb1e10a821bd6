import type { InferRequestSpec, InferResult } from '../../triton/infer-messages'
import type { CallOptions } from '../../triton/triton-api'
import { TritonError } from '../../triton/triton-error'
import type { ChannelOptions, InferChannel, InferTransport } from '../infer-channel'
import { RequestGroupChannel } from '../request-group-channel'
import type { OpenAiTranscriptionClient } from './openai-transcription-client'

export interface OpenAiAudio {
  /** The input of the Triton request that carries the audio window (the profile's 'audio' source). */
  input: string
  sampleRate: number
  /** The service's model id, e.g. 'whisper-1'. */
  model: string
  language?: string
}

/** The output the service's text comes back in, as a one-element BYTES tensor. */
export const OPENAI_TEXT_OUTPUT = 'text'

/**
 * An OpenAI-compatible transcription service (POST /v1/audio/transcriptions) behind the
 * transport interface: each request's audio window travels as a WAV upload and the text comes
 * back as a BYTES output. So bench (or a windowed ASR session) can put a FastAPI Whisper server
 * beside Triton with the same audio, rate, deadlines and outcome accounting. One request per
 * window: there is no stream and no sequence.
 */
export class OpenAiTransport implements InferTransport {
  readonly label = 'OpenAI HTTP'

  constructor(
    private readonly client: OpenAiTranscriptionClient,
    private readonly audio: OpenAiAudio,
  ) {}

  get target(): string {
    return this.client.target
  }

  open(options: ChannelOptions = {}): InferChannel {
    return new RequestGroupChannel(
      (spec, opts) => this.transcribe(spec, opts),
      { label: this.label, target: this.target },
      options,
    )
  }

  /** HTTP keeps no connection to wait for: the first request says whether the service is there. */
  async ready(): Promise<void> {}

  async close(): Promise<void> {
    this.client.close()
  }

  private async transcribe(spec: InferRequestSpec, opts: CallOptions): Promise<InferResult> {
    const tensor = spec.inputs.find((t) => t.name === this.audio.input)
    if (!tensor || !(tensor.data instanceof Float32Array)) {
      throw new TritonError(
        'invalid-argument',
        `the request has no FP32 audio input '${this.audio.input}' to send to ${this.target}`,
        'compare an ASR model whose profile feeds audio to that input',
      )
    }
    if (spec.parameters?.sequence_id !== undefined) {
      throw new TritonError(
        'unsupported',
        `${this.target} transcribes whole windows; it has no sequences for streaming chunks`,
        'compare an offline (whole-window) ASR model with it',
      )
    }
    const answer = await this.client.transcribe({
      samples: tensor.data,
      sampleRate: this.audio.sampleRate,
      model: this.audio.model,
      language: this.audio.language,
      deadlineMs: opts.timeoutMs,
      signal: opts.signal,
    })
    const text = Buffer.from(answer.text, 'utf8')
    return {
      id: spec.id ?? '',
      model: this.audio.model,
      version: '',
      parameters: {},
      outputs: new Map([
        [
          OPENAI_TEXT_OUTPUT,
          { name: OPENAI_TEXT_OUTPUT, datatype: 'BYTES', shape: [1], data: [text] },
        ],
      ]),
    }
  }
}
