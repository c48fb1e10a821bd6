import type { ModelDetails, TensorInfo } from '../../shared/ipc-contract'
import {
  EXAMPLE_ASR_PROFILE,
  type ModelProfile,
  type ProfileInput,
} from '../../shared/model-profile'
import {
  configTypeToDatatype,
  isTritonDatatype,
  type TritonDatatype,
} from '../../shared/tensor-types'
import type { ModelConfig, ModelMetadata } from '../triton/triton-client'
import { detectOutputForm } from '../sessions/yolo-decoder'
import { applyFamily } from './families/model-families'
import { OFFLINE_HOP_SEC, OFFLINE_MAX_WINDOW_SEC } from './families/offline-window'
import { WHISPER_PREFIX } from './families/whisper-trtllm'
import { parseUltralyticsMetadataNames } from './labels'

/**
 * Decides from ModelMetadata and ModelConfig what a model is and how to feed it: generic rules
 * make a profile, then the first model family that recognises the model refines it with the
 * numbers its deployment needs (models/families/). A profile the user saved replaces it wholesale.
 */

export const DEFAULT_SAMPLE_RATE = 16000
/** sherpa's later chunks: 16 frames x 4 subsampling x 10 ms = 0.64 s. */
export const DEFAULT_STREAMING_CHUNK = 10240
export const DEFAULT_OFFLINE_HOP_SEC = OFFLINE_HOP_SEC
export const DEFAULT_OFFLINE_MAX_WINDOW_SEC = OFFLINE_MAX_WINDOW_SEC
export const DEFAULT_VISION_SIZE = 640

const AUDIO_NAME = /wav|audio|speech|wave|signal|pcm|samples|input_values/i
const LENGTH_NAME = /len|length|num_samples|dim/i
const PREFIX_NAME = /prefix|prompt|text/i
const IMAGE_NAME = /image|images|input|pixel|frame/i

function tensors(list: ModelMetadata['inputs']): TensorInfo[] {
  return list.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape.map(Number) }))
}

function exampleProfile(model: string): string {
  return JSON.stringify({ ...EXAMPLE_ASR_PROFILE, model }, null, 2)
}

function isFloat(dt: string): boolean {
  return dt === 'FP32' || dt === 'FP16' || dt === 'BF16' || dt === 'FP64'
}

function isInteger(dt: string): boolean {
  return /^U?INT(8|16|32|64)$/.test(dt)
}

interface Derived {
  kind: ModelDetails['kind']
  profile?: ModelProfile
  problem?: string
}

/** `inputs` are the required ones: an optional input is left out unless a profile feeds it. */
function audioProfile(
  model: string,
  inputs: TensorInfo[],
  outputs: TensorInfo[],
  streaming: boolean,
): Derived | undefined {
  const audio = inputs.find(
    (i) => isFloat(i.datatype) && AUDIO_NAME.test(i.name) && i.shape.includes(-1),
  )
  const text = outputs.find((o) => o.datatype === 'BYTES')
  if (!audio || !text) return undefined
  const profileInputs: ProfileInput[] = []
  for (const input of inputs) {
    const datatype = input.datatype as TritonDatatype
    if (input === audio) {
      profileInputs.push({ name: input.name, datatype, shape: input.shape, source: 'audio' })
    } else if (isInteger(input.datatype) && LENGTH_NAME.test(input.name)) {
      profileInputs.push({ name: input.name, datatype, shape: input.shape, source: 'audio-length' })
    } else if (input.datatype === 'BYTES' && PREFIX_NAME.test(input.name)) {
      profileInputs.push({
        name: input.name,
        datatype,
        shape: input.shape,
        source: 'text-prefix',
        value: WHISPER_PREFIX,
      })
    } else {
      return {
        kind: streaming ? 'streaming-asr' : 'offline-asr',
        problem:
          `input '${input.name}' (${input.datatype} [${input.shape.join(', ')}]) has no known source. ` +
          `Save a model profile that says what feeds it, for example:\n${exampleProfile(model)}`,
      }
    }
  }
  return {
    kind: streaming ? 'streaming-asr' : 'offline-asr',
    profile: {
      model,
      kind: streaming ? 'streaming-asr' : 'offline-asr',
      inputs: profileInputs,
      outputs: [text.name],
      audio: streaming
        ? {
            sampleRate: DEFAULT_SAMPLE_RATE,
            chunkSamples: DEFAULT_STREAMING_CHUNK,
            endpointSilenceSec: 0.8,
          }
        : {
            sampleRate: DEFAULT_SAMPLE_RATE,
            chunkSamples: DEFAULT_SAMPLE_RATE / 2,
            hopSec: DEFAULT_OFFLINE_HOP_SEC,
            maxWindowSec: DEFAULT_OFFLINE_MAX_WINDOW_SEC,
            endpointSilenceSec: 0.8,
          },
      decoder: { transcriptOutput: text.name },
      sequence: { stateful: streaming },
    },
  }
}

function visionProfile(
  model: string,
  inputs: TensorInfo[],
  outputs: TensorInfo[],
  labels?: string[],
): Derived | undefined {
  const images = inputs.filter(
    (i) => i.shape.length >= 3 && (isFloat(i.datatype) || i.datatype === 'UINT8'),
  )
  if (images.length !== 1 || inputs.length !== 1) return undefined
  const form = detectOutputForm(outputs)
  const image = images[0]
  const dims = image.shape.length === 4 ? image.shape.slice(1) : image.shape
  const nchw = dims[0] === 3 || (dims[2] !== 3 && IMAGE_NAME.test(image.name))
  const [h, w] = nchw ? [dims[1], dims[2]] : [dims[0], dims[1]]
  const height = h > 0 ? h : DEFAULT_VISION_SIZE
  const width = w > 0 ? w : DEFAULT_VISION_SIZE
  const shape = image.shape.map((d, i) => (d === -1 && i === 0 && image.shape.length === 4 ? 1 : d))
  if (nchw) {
    shape[shape.length - 2] = height
    shape[shape.length - 1] = width
  } else {
    shape[shape.length - 3] = height
    shape[shape.length - 2] = width
  }
  if (!form) {
    return {
      kind: 'detection',
      problem:
        `the outputs (${outputs.map((o) => `${o.name} [${o.shape.join(', ')}]`).join(', ')}) match no known detection form. ` +
        `Save a model profile with "decoder": { "form": "yolov8-raw" | "end-to-end" | "efficient-nms" }.`,
    }
  }
  return {
    kind: 'detection',
    profile: {
      model,
      kind: 'detection',
      inputs: [
        {
          name: image.name,
          datatype: image.datatype as TritonDatatype,
          shape,
          source: 'video-frame',
        },
      ],
      outputs: outputs.map((o) => o.name),
      vision: {
        width,
        height,
        layout: nchw ? 'NCHW' : 'NHWC',
        datatype:
          image.datatype === 'UINT8' ? 'UINT8' : image.datatype === 'FP16' ? 'FP16' : 'FP32',
        scale: image.datatype === 'UINT8' ? 1 : 1 / 255,
        channelOrder: 'RGB',
      },
      decoder: { form, confThreshold: 0.25, iouThreshold: 0.7 },
      labels,
    },
  }
}

/** Inputs the config marks `optional: true` (Whisper BLS's WAV_LENS, MAX_NEW_TOKENS). */
function optionalInputs(config?: ModelConfig): string[] {
  return (config?.input ?? []).filter((i) => i.optional).map((i) => i.name)
}

/** Config dims are authoritative for dtype when metadata and config disagree (FP16 builds of sherpa). */
function mergedInputs(meta: ModelMetadata, config?: ModelConfig): TensorInfo[] {
  const list = tensors(meta.inputs)
  if (!config) return list
  return list.map((t) => {
    const c = config.input.find((i) => i.name === t.name)
    const dt = c ? configTypeToDatatype(String(c.data_type)) : undefined
    return dt && isTritonDatatype(dt) ? { ...t, datatype: dt } : t
  })
}

/** The CORRID control's datatype decides whether sequence ids travel as strings. */
function corridIsString(configs: readonly ModelConfig[]): boolean {
  return configs.some((c) =>
    c.sequence_batching?.control_input.some((ci) =>
      ci.control.some((k) => k.kind === 'CONTROL_SEQUENCE_CORRID' && k.data_type === 'TYPE_STRING'),
    ),
  )
}

/**
 * `stepConfigs`: for an ensemble, the configs of its steps; a sequence batcher in any step makes
 * the whole ensemble stateful.
 */
export function describeModel(
  meta: ModelMetadata,
  config: ModelConfig | undefined,
  saved?: ModelProfile,
  stepConfigs: readonly ModelConfig[] = [],
): ModelDetails {
  const inputs = mergedInputs(meta, config)
  const outputs = tensors(meta.outputs)
  const optional = optionalInputs(config)
  const required = inputs.filter((i) => !optional.includes(i.name))
  const withSteps = [...(config ? [config] : []), ...stepConfigs]
  const sequenceBatching = withSteps.some((c) => c.scheduling_choice === 'sequence_batching')
  const decoupled = Boolean(config?.model_transaction_policy?.decoupled)
  const metadataParam = config?.parameters?.metadata?.string_value
  const labels = metadataParam ? parseUltralyticsMetadataNames(metadataParam) : undefined
  const derived: Derived = audioProfile(meta.name, required, outputs, sequenceBatching) ??
    visionProfile(meta.name, required, outputs, labels) ?? {
      kind: 'generic',
      problem:
        `the app cannot tell how to feed '${meta.name}' from its inputs ` +
        `(${inputs.map((i) => `${i.name} ${i.datatype} [${i.shape.join(', ')}]`).join(', ')}). ` +
        `Save a model profile that maps each input to a source, for example:\n${exampleProfile(meta.name)}`,
    }
  if (derived.profile && decoupled) derived.profile.decoupled = true
  if (derived.profile?.sequence?.stateful && corridIsString(withSteps)) {
    derived.profile.sequence.idType = 'string'
  }
  const family = derived.profile
    ? applyFamily(
        {
          name: meta.name,
          platform: meta.platform,
          inputs,
          outputs,
          optional,
          config,
          steps: stepConfigs,
        },
        derived.profile,
      )
    : undefined
  const profile = saved ?? family?.profile
  return {
    name: meta.name,
    versions: meta.versions,
    platform: meta.platform,
    backend: config?.backend ?? '',
    maxBatchSize: config?.max_batch_size ?? 0,
    inputs,
    outputs,
    dynamicBatching: config?.scheduling_choice === 'dynamic_batching',
    sequenceBatching,
    decoupled,
    kind: saved?.kind ?? derived.kind,
    detectionForm: profile?.decoder?.form,
    profile,
    profileSaved: Boolean(saved),
    profileProblem: saved ? undefined : derived.problem,
    labels: saved?.labels ?? labels,
    preset: family?.preset,
  }
}
