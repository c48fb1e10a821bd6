import { z } from 'zod'
import {
  MAX_AUDIO_SECONDS,
  MAX_CHUNK_SAMPLES,
  MAX_LABEL_CHARS,
  MAX_LABELS,
  MAX_NAME_CHARS,
  MAX_PATH_CHARS,
  MAX_SAMPLE_RATE,
  MAX_TENSOR_ELEMENTS,
  MAX_TENSOR_RANK,
  MAX_TENSORS_PER_MODEL,
  MAX_VALUE_CHARS,
  MAX_VISION_SIZE,
  MIN_CHUNK_SAMPLES,
  MIN_SAMPLE_RATE,
  shapeProblem,
} from './limits'
import { TRITON_DATATYPES } from './tensor-types'

/**
 * A model profile says how to feed a model and read its answer. The server's metadata and
 * config fill one in automatically; a saved profile overrides what the server says.
 */
export const MODEL_KINDS = ['streaming-asr', 'offline-asr', 'detection', 'generic'] as const
export type ModelKind = (typeof MODEL_KINDS)[number]

export const INPUT_SOURCES = [
  'audio',
  'audio-length',
  'video-frame',
  'text-prefix',
  'constant',
] as const
export type InputSource = (typeof INPUT_SOURCES)[number]

export const DETECTION_FORMS = ['yolov8-raw', 'end-to-end', 'efficient-nms'] as const
export type DetectionForm = (typeof DETECTION_FORMS)[number]

const dim = z.number().int().min(-1).max(MAX_TENSOR_ELEMENTS)
const name = z.string().min(1).max(MAX_NAME_CHARS)
const seconds = z.number().positive().max(MAX_AUDIO_SECONDS)

/** 60 s at 192 kHz: a chunk longer than that is a typo, and would be a large allocation. */

export const profileInputSchema = z.object({
  name,
  datatype: z.enum(TRITON_DATATYPES),
  /** Full shape including any batch dimension; -1 is filled in per request. */
  shape: z.array(dim).max(MAX_TENSOR_RANK),
  source: z.enum(INPUT_SOURCES),
  /** For 'constant' and 'text-prefix': the value sent every time. */
  value: z.union([z.string().max(MAX_VALUE_CHARS), z.number(), z.boolean()]).optional(),
})

export const modelProfileSchema = z
  .object({
    model: name,
    version: z.string().max(MAX_NAME_CHARS).optional(),
    kind: z.enum(MODEL_KINDS),
    inputs: z.array(profileInputSchema).min(1).max(MAX_TENSORS_PER_MODEL),
    outputs: z.array(name).max(MAX_TENSORS_PER_MODEL).optional(),
    audio: z
      .object({
        sampleRate: z.number().int().min(MIN_SAMPLE_RATE).max(MAX_SAMPLE_RATE),
        /** Samples per request. */
        chunkSamples: z.number().int().min(MIN_CHUNK_SAMPLES).max(MAX_CHUNK_SAMPLES),
        /**
         * Samples in the first request of each utterance, when the server needs more than
         * `chunkSamples` there (sherpa's and WeNet's feature extractors refuse a shorter one).
         */
        firstChunkSamples: z
          .number()
          .int()
          .min(MIN_CHUNK_SAMPLES)
          .max(MAX_CHUNK_SAMPLES)
          .optional(),
        /** Offline models: re-decode the growing window every `hopSec`, finalise after `maxWindowSec`. */
        hopSec: seconds.optional(),
        maxWindowSec: seconds.optional(),
        /** Silence that ends an utterance, in seconds. */
        endpointSilenceSec: seconds.optional(),
      })
      .optional(),
    vision: z
      .object({
        width: z.number().int().positive().max(MAX_VISION_SIZE),
        height: z.number().int().positive().max(MAX_VISION_SIZE),
        layout: z.enum(['NCHW', 'NHWC']),
        datatype: z.enum(['FP32', 'FP16', 'UINT8']),
        scale: z.number().positive().max(255).optional(),
        channelOrder: z.enum(['RGB', 'BGR']).optional(),
      })
      .optional(),
    decoder: z
      .object({
        form: z.enum(DETECTION_FORMS).optional(),
        confThreshold: z.number().min(0).max(1).optional(),
        iouThreshold: z.number().min(0).max(1).optional(),
        transcriptOutput: z.string().max(MAX_NAME_CHARS).optional(),
      })
      .optional(),
    labels: z.array(z.string().max(MAX_LABEL_CHARS)).max(MAX_LABELS).optional(),
    labelsFile: z.string().max(MAX_PATH_CHARS).optional(),
    sequence: z
      .object({ stateful: z.boolean(), idType: z.enum(['int', 'string']).optional() })
      .optional(),
    decoupled: z.boolean().optional(),
  })
  .superRefine((p, ctx) => {
    // Caught here, a profile that cannot work fails when it is loaded, naming the field.
    p.inputs.forEach((input, i) => {
      const problem = shapeProblem(input.shape, true)
      if (problem) ctx.addIssue({ code: 'custom', path: ['inputs', i, 'shape'], message: problem })
    })
    if ((p.kind === 'streaming-asr' || p.kind === 'offline-asr') && !p.audio) {
      ctx.addIssue({
        code: 'custom',
        path: ['audio'],
        message: `a ${p.kind} profile needs "audio": { "sampleRate", "chunkSamples" }`,
      })
    }
    if (p.kind === 'detection') {
      if (!p.vision)
        ctx.addIssue({
          code: 'custom',
          path: ['vision'],
          message:
            'a detection profile needs "vision": { "width", "height", "layout", "datatype" }',
        })
      if (!p.decoder?.form)
        ctx.addIssue({
          code: 'custom',
          path: ['decoder', 'form'],
          message:
            'a detection profile needs "decoder": { "form": "yolov8-raw" | "end-to-end" | "efficient-nms" }',
        })
    }
  })

export type ProfileInput = z.infer<typeof profileInputSchema>
export type ModelProfile = z.infer<typeof modelProfileSchema>

export const EXAMPLE_ASR_PROFILE: ModelProfile = {
  model: 'my_streaming_asr',
  kind: 'streaming-asr',
  inputs: [
    { name: 'WAV', datatype: 'FP32', shape: [1, -1], source: 'audio' },
    { name: 'WAV_LENS', datatype: 'INT32', shape: [1, 1], source: 'audio-length' },
  ],
  outputs: ['TRANSCRIPTS'],
  audio: { sampleRate: 16000, chunkSamples: 10240 },
  sequence: { stateful: true },
}
