/**
 * What `triton-live bench` sends. Every request's input tensors are built once, before the
 * clock starts, so a run measures the server and the wire rather than ffmpeg decoding a file.
 */
import { basename } from 'node:path'
import type { ModelDetails } from '../../shared/ipc-contract'
import type { ModelProfile, ProfileInput } from '../../shared/model-profile'
import { elementCount, isTritonDatatype, type TritonDatatype } from '../../shared/tensor-types'
import { decodeAudioChunks, decodeAudioFile } from '../media/audio-decoder'
import { rgbToTensor } from '../media/frame-to-tensor'
import { decodeVideoFrames } from '../media/video-decoder'
import { DEFAULT_OFFLINE_MAX_WINDOW_SEC, DEFAULT_SAMPLE_RATE } from '../models/model-introspection'
import { inspectModel } from '../models/model-facts'
import { audioInputs, frameInputs } from '../sessions/request-builder'
import type { Tensor } from '../triton/tensor-codec'
import type { TritonApi } from '../triton/triton-api'
import { TritonError } from '../triton/triton-error'

export interface BenchWorkload {
  /** For the report: the file and what was taken from it, or what was generated. */
  description: string
  /** One entry per distinct request, cycled through in order. */
  steps: Tensor[][]
  /**
   * The steps are one sequence for a stateful model: sent in order on one stream, the first
   * with sequence_start and the last with sequence_end, then again under a new sequence id.
   */
  sequence: boolean
  /** The model may answer one request with several responses; needs the stream. */
  decoupled: boolean
  version?: string
  outputs?: string[]
}

export interface BenchModelPlan {
  details: ModelDetails
  /** Absent for a model the app cannot classify; the bench then sends generated data. */
  profile?: ModelProfile
}

export interface BuildWorkloadOptions {
  /** Audio or video file to take inputs from; without it, inputs are generated. */
  file?: string
  signal?: AbortSignal
  /** Upper bound on the memory held by decoded video frames. Default 256 MiB. */
  maxFrameBytes?: number
}

const DEFAULT_MAX_FRAME_BYTES = 256 * 2 ** 20
const SYNTHETIC_TONE_HZ = 440
const SYNTHETIC_TEXT = 'triton-live bench'

/**
 * Reads a model's metadata and config like a session does, but keeps going without a profile:
 * a load test can still send zeros shaped like the model's inputs, as perf_analyzer does.
 */
export async function planBenchModel(
  client: TritonApi,
  model: string,
  override?: ModelProfile,
): Promise<BenchModelPlan> {
  const details = await inspectModel(client, model, override)
  return { details, profile: details.profile }
}

/** Whether the model keeps state across requests, decided as the file sessions decide it. */
function isSequential(plan: BenchModelPlan): boolean {
  const p = plan.profile
  if (p && (p.kind === 'streaming-asr' || p.kind === 'offline-asr')) {
    return p.kind === 'streaming-asr' || Boolean(p.sequence?.stateful)
  }
  return plan.details.sequenceBatching || Boolean(p?.sequence?.stateful)
}

/** Builds the requests a bench sends, from `file` or, without one, from generated data. */
export async function buildBenchWorkload(
  plan: BenchModelPlan,
  options: BuildWorkloadOptions = {},
): Promise<BenchWorkload> {
  const { profile, details } = plan
  const sequence = isSequential(plan)
  const base = {
    sequence,
    decoupled: Boolean(profile?.decoupled ?? details.decoupled),
    version: profile?.version,
    outputs: profile?.outputs,
  }
  const built =
    profile?.kind === 'streaming-asr' || profile?.kind === 'offline-asr'
      ? await audioSteps(profile, sequence, options)
      : profile?.kind === 'detection'
        ? await frameSteps(profile, options)
        : genericSteps(details, profile, options)
  options.signal?.throwIfAborted()
  return { ...base, ...built }
}

type Built = Pick<BenchWorkload, 'description' | 'steps'>

const seconds = (n: number): string => `${Number(n.toFixed(2))} s`

async function audioSteps(
  profile: ModelProfile,
  sequence: boolean,
  options: BuildWorkloadOptions,
): Promise<Built> {
  const rate = profile.audio?.sampleRate ?? DEFAULT_SAMPLE_RATE
  const source = options.file ? basename(options.file) : `synthetic ${SYNTHETIC_TONE_HZ} Hz tone`
  if (sequence) {
    const chunkSamples = profile.audio?.chunkSamples ?? rate
    const chunks = options.file
      ? await fileChunks(options.file, rate, chunkSamples, options.signal)
      : toneChunks(rate, chunkSamples)
    return {
      description: `${source}: ${chunks.length} chunk${chunks.length === 1 ? '' : 's'} of ${seconds(chunkSamples / rate)} per sequence`,
      steps: chunks.map((c) => audioInputs(profile, c.samples, c.valid)),
    }
  }
  const maxWindow = Math.round(
    (profile.audio?.maxWindowSec ?? DEFAULT_OFFLINE_MAX_WINDOW_SEC) * rate,
  )
  const all = options.file
    ? await decodeAudioFile(options.file, rate, { signal: options.signal })
    : tone(rate)
  if (all.length === 0) {
    throw new TritonError(
      'invalid-argument',
      `${options.file ?? 'the input'} decodes to no audio`,
      'choose a file with sound in it',
    )
  }
  // An offline model decodes at most one window per request; the rest of a long file is unused.
  const window = all.length > maxWindow ? all.slice(0, maxWindow) : all
  const capped = window.length < all.length ? ` (the first of ${seconds(all.length / rate)})` : ''
  return {
    description: `${source}: one ${seconds(window.length / rate)} window${capped}`,
    steps: [audioInputs(profile, window, window.length)],
  }
}

interface Chunk {
  samples: Float32Array
  valid: number
}

async function fileChunks(
  file: string,
  rate: number,
  chunkSamples: number,
  signal: AbortSignal | undefined,
): Promise<Chunk[]> {
  const chunks: Chunk[] = []
  for await (const c of decodeAudioChunks(file, { sampleRate: rate, chunkSamples, signal })) {
    chunks.push({ samples: c.samples, valid: c.validSamples })
  }
  return chunks
}

/** One second of a sine at half scale: loud enough that no model takes it for silence. */
function tone(rate: number): Float32Array {
  const out = new Float32Array(rate)
  for (let i = 0; i < rate; i++)
    out[i] = 0.5 * Math.sin((2 * Math.PI * SYNTHETIC_TONE_HZ * i) / rate)
  return out
}

function toneChunks(rate: number, chunkSamples: number): Chunk[] {
  const all = tone(rate)
  const chunks: Chunk[] = []
  for (let at = 0; at < all.length; at += chunkSamples) {
    const samples = new Float32Array(chunkSamples)
    const part = all.subarray(at, at + chunkSamples)
    samples.set(part)
    chunks.push({ samples, valid: part.length })
  }
  return chunks
}

async function frameSteps(profile: ModelProfile, options: BuildWorkloadOptions): Promise<Built> {
  const vision = profile.vision
  if (!vision) {
    throw new TritonError(
      'invalid-argument',
      `model profile for '${profile.model}' has no vision settings`,
      'add "vision" to the profile',
    )
  }
  const toTensor = (rgb: Uint8Array): Float32Array | Uint8Array =>
    rgbToTensor(rgb, vision.width, vision.height, {
      layout: vision.layout,
      dtype: vision.datatype,
      scale: vision.scale,
      channelOrder: vision.channelOrder,
    })
  if (!options.file) {
    // Zeros, like perf_analyzer's --input-data zero: a black frame.
    const size = vision.width * vision.height * 3
    const tensor = vision.datatype === 'UINT8' ? new Uint8Array(size) : new Float32Array(size)
    return {
      description: `synthetic: a blank ${vision.width}x${vision.height} frame`,
      steps: [frameInputs(profile, tensor)],
    }
  }
  const bytesPerElement = vision.datatype === 'FP32' ? 4 : vision.datatype === 'FP16' ? 2 : 1
  const frameBytes = vision.width * vision.height * 3 * bytesPerElement
  const maxFrames = Math.max(
    1,
    Math.floor((options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES) / frameBytes),
  )
  const steps: Tensor[][] = []
  let more = false
  for await (const frame of decodeVideoFrames(options.file, {
    width: vision.width,
    height: vision.height,
    signal: options.signal,
  })) {
    if (steps.length === maxFrames) {
      more = true
      break
    }
    steps.push(frameInputs(profile, toTensor(frame.rgb)))
  }
  if (steps.length === 0 && !options.signal?.aborted) {
    throw new TritonError(
      'invalid-argument',
      `${options.file} decodes to no video frames`,
      'choose a file with at least one frame of video',
    )
  }
  const first = more
    ? `the first ${steps.length} frames`
    : `${steps.length} frame${steps.length === 1 ? '' : 's'}`
  return { description: `${basename(options.file)}: ${first}, cycled`, steps }
}

function genericSteps(
  details: ModelDetails,
  profile: ModelProfile | undefined,
  options: BuildWorkloadOptions,
): Built {
  if (options.file) {
    throw new TritonError(
      'invalid-argument',
      `'${details.name}' is a ${profile?.kind ?? details.kind} model, so a file cannot be turned into its inputs`,
      'omit --file to send generated inputs, or give a profile that makes it an ASR or detection model',
    )
  }
  const specs: ProfileInput[] =
    profile?.inputs ??
    details.inputs.map((i) => ({
      name: i.name,
      datatype: checkedDatatype(details.name, i.name, i.datatype),
      shape: i.shape,
      source: 'constant',
    }))
  const steps = [specs.map(syntheticTensor)]
  return {
    description: `synthetic: ${specs.map((s) => `${s.name} [${concrete(s.shape).join(',')}]`).join(', ')}`,
    steps,
  }
}

function checkedDatatype(model: string, input: string, datatype: string): TritonDatatype {
  if (isTritonDatatype(datatype)) return datatype
  throw new TritonError(
    'invalid-argument',
    `input '${input}' of '${model}' has datatype '${datatype}', which the bench cannot generate`,
    'give a model profile for it',
  )
}

/** Variable dimensions become 1, as perf_analyzer does without --shape. */
function concrete(shape: readonly number[]): number[] {
  return shape.map((d) => (d < 0 ? 1 : d))
}

/** Zeros for numbers and the profile's text (or a short phrase) for BYTES. */
function syntheticTensor(spec: ProfileInput): Tensor {
  const shape = concrete(spec.shape)
  const count = elementCount(shape)
  const { name, datatype } = spec
  switch (datatype) {
    case 'BYTES':
      return {
        name,
        datatype,
        shape,
        data: new Array<string>(count).fill(String(spec.value ?? SYNTHETIC_TEXT)),
      }
    case 'BOOL':
      return { name, datatype, shape, data: new Array<boolean>(count).fill(spec.value === true) }
    case 'INT64':
      return { name, datatype, shape, data: new BigInt64Array(count).fill(big(spec)) }
    case 'UINT64':
      return { name, datatype, shape, data: new BigUint64Array(count).fill(big(spec)) }
    default:
      return { name, datatype, shape, data: new Array<number>(count).fill(numeric(spec)) }
  }
}

/** A constant input keeps its value; everything else is zero. */
function numeric(spec: ProfileInput): number {
  return spec.source === 'constant' && typeof spec.value === 'number' ? spec.value : 0
}

const big = (spec: ProfileInput): bigint => BigInt(Math.trunc(numeric(spec)))
