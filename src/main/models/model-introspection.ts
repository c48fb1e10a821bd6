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

/** What each input most likely takes, by the same name and type rules as the derivation below. */
function isAudioInput(input: TensorInfo): boolean {
  return isFloat(input.datatype) && AUDIO_NAME.test(input.name) && input.shape.includes(-1)
}

/** Lengths and prompts only mean something beside audio; anywhere else they are constants. */
function guessSource(input: TensorInfo, withAudio: boolean): ProfileInput['source'] {
  if (isAudioInput(input)) return 'audio'
  if (withAudio && isInteger(input.datatype) && LENGTH_NAME.test(input.name)) return 'audio-length'
  if (withAudio && input.datatype === 'BYTES' && PREFIX_NAME.test(input.name)) return 'text-prefix'
  if (
    !withAudio &&
    input.shape.length >= 3 &&
    (isFloat(input.datatype) || input.datatype === 'UINT8')
  )
    return 'video-frame'
  return 'constant'
}

function constantValue(datatype: TritonDatatype): string | number | boolean {
  return datatype === 'BYTES' ? '' : datatype === 'BOOL' ? false : 0
}

/**
 * A profile to start from, built from the model's own inputs and outputs: each input mapped to
 * the source its name and type suggest (a constant when nothing fits), the kind following from
 * the sources, with the settings that kind needs. The user edits it rather than a stranger's
 * WAV/WAV_LENS example. Undefined when an input's datatype is not a KServe one.
 */
export function profileTemplate(
  model: string,
  inputs: readonly TensorInfo[],
  outputs: readonly TensorInfo[],
  facts: { streaming: boolean; decoupled: boolean },
): ModelProfile | undefined {
  if (inputs.length === 0 || !inputs.every((i) => isTritonDatatype(i.datatype))) return undefined
  const withAudio = inputs.some(isAudioInput)
  const fed = new Set<ProfileInput['source']>()
  const profileInputs: ProfileInput[] = inputs.map((i) => {
    const datatype = i.datatype as TritonDatatype
    let source = guessSource(i, withAudio)
    if (source === 'audio' || source === 'video-frame') {
      // One input takes the media; a second one like it stays a constant to fill in.
      if (fed.has(source)) source = 'constant'
      fed.add(source)
    }
    const input: ProfileInput = { name: i.name, datatype, shape: [...i.shape], source }
    if (source === 'constant') input.value = constantValue(datatype)
    if (source === 'text-prefix') input.value = WHISPER_PREFIX
    return input
  })
  const sources = new Set(profileInputs.map((i) => i.source))
  const base = {
    model,
    inputs: profileInputs,
    outputs: outputs.map((o) => o.name),
    ...(facts.decoupled ? { decoupled: true } : {}),
  }
  if (sources.has('audio')) {
    const text = outputs.find((o) => o.datatype === 'BYTES')
    return {
      ...base,
      kind: facts.streaming ? 'streaming-asr' : 'offline-asr',
      audio: { sampleRate: DEFAULT_SAMPLE_RATE, chunkSamples: DEFAULT_STREAMING_CHUNK },
      ...(text ? { decoder: { transcriptOutput: text.name } } : {}),
      sequence: { stateful: facts.streaming },
    }
  }
  if (sources.has('video-frame')) {
    return {
      ...base,
      kind: 'detection',
      vision: {
        width: DEFAULT_VISION_SIZE,
        height: DEFAULT_VISION_SIZE,
        layout: 'NCHW',
        datatype: 'FP32',
        scale: 1 / 255,
      },
      decoder: { form: 'yolov8-raw' },
    }
  }
  return { ...base, kind: 'generic' }
}

function exampleText(template: ModelProfile | undefined, model: string): string {
  return JSON.stringify(template ?? { ...EXAMPLE_ASR_PROFILE, model }, null, 2)
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
  /** With a problem: the profile to start from, built from the model's own tensors. */
  template?: ModelProfile
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
      const template = profileTemplate(model, inputs, outputs, { streaming, decoupled: false })
      return {
        kind: streaming ? 'streaming-asr' : 'offline-asr',
        template,
        problem:
          `input '${input.name}' (${input.datatype} [${input.shape.join(', ')}]) has no known source. ` +
          `Save a model profile that says what feeds it, starting from:\n${exampleText(template, model)}`,
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

/** A model the app has no live view for: say so, point at single requests, offer a template. */
function genericModel(
  model: string,
  inputs: TensorInfo[],
  outputs: TensorInfo[],
  facts: { streaming: boolean; decoupled: boolean },
): Derived {
  const template = profileTemplate(model, inputs, outputs, facts)
  return {
    kind: 'generic',
    template,
    problem:
      `the app cannot tell how to feed '${model}' from its inputs ` +
      `(${inputs.map((i) => `${i.name} ${i.datatype} [${i.shape.join(', ')}]`).join(', ')}), so it has no live view; ` +
      `send it single requests (the Request view, or triton-live infer). To stream to it, save a profile ` +
      `whose input takes "source": "audio" or "video-frame", starting from:\n${exampleText(template, model)}`,
  }
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
  const derived: Derived =
    audioProfile(meta.name, required, outputs, sequenceBatching) ??
    visionProfile(meta.name, required, outputs, labels) ??
    genericModel(meta.name, inputs, outputs, { streaming: sequenceBatching, decoupled })
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
    profileTemplate: saved ? undefined : derived.template,
    optionalInputs: optional,
    labels: saved?.labels ?? labels,
    preset: family?.preset,
  }
}
