import type { TritonDatatype } from '../../shared/tensor-types'
import type { ModelConfig } from '../triton/generated/inference/ModelConfig'
import type { DecodedTensor, Tensor } from '../triton/tensor-codec'
import { BOX_PALETTE, findColorBoxes, type FoundBox } from './color-box-finder'
import { decodeToneText, ToneTextDecoder } from './tone-text-codec'

/**
 * The demo endpoint's models. Small, deterministic and named for what they do, with the
 * input/output conventions of real deployments (k2-fsa sherpa and WeNet for streaming ASR,
 * Whisper on TensorRT-LLM for offline ASR, Ultralytics/EfficientNMS for detection), so a
 * client that works here works against a real Triton.
 */

export interface DemoTensorSpec {
  name: string
  datatype: TritonDatatype
  /** Config dims, without the batch dimension. */
  dims: number[]
  optional?: boolean
}

export interface SequenceContext {
  start: boolean
  end: boolean
  state: Record<string, unknown>
}

export interface DemoModel {
  name: string
  platform: string
  backend: string
  maxBatchSize: number
  inputs: DemoTensorSpec[]
  outputs: DemoTensorSpec[]
  sequence?: { idleMicroseconds: number }
  dynamicBatching?: boolean
  decoupled?: boolean
  parameters?: Record<string, string>
  /**
   * The config to serve as is, for models that mimic a real repository's config.pbtxt (ensemble
   * steps, parameters, state); without it the config is built from the fields above.
   */
  config?: ModelConfig
  /**
   * One request in, outputs out. Decoupled models return several responses. A model may answer
   * later (a promise), holding its one instance until then, as a backend busy computing does.
   */
  execute(
    inputs: Map<string, DecodedTensor>,
    sequence?: SequenceContext,
  ): Tensor[] | Tensor[][] | Promise<Tensor[] | Tensor[][]>
}

const SAMPLE_RATE = 16000

/**
 * What each demo model understands, in the config parameter `description`, so the model browser
 * (and anything else that lists models) can say it before a session comes back empty.
 */
const TONE_AUDIO =
  'understands tone-coded audio only (one sine tone per character, as in ' +
  'resources/samples/tone-text.wav), not speech: speech, music or silence give no text'
const COLOUR_BOXES =
  'finds solid rectangles of six saturated colours (red, green, blue, yellow, magenta, cyan), ' +
  'as in resources/samples/boxes.mp4; a camera picture of anything else gives no boxes'

function strings(t: DecodedTensor | undefined): string[] {
  if (!t || t.datatype !== 'BYTES') return []
  return (t.data as Uint8Array[]).map((b) => Buffer.from(b).toString('utf8'))
}

/** WAV limited to WAV_LENS valid samples, as sherpa and Whisper clients zero-pad their chunks. */
function validAudio(inputs: Map<string, DecodedTensor>): Float32Array {
  const wav = inputs.get('WAV')
  if (!wav) return new Float32Array(0)
  const samples = wav.data as Float32Array
  const lens = inputs.get('WAV_LENS')
  if (!lens) return samples
  const n = Number((lens.data as Int32Array | BigInt64Array)[0])
  return samples.subarray(0, Math.max(0, Math.min(n, samples.length)))
}

function transcript(batched: boolean, text: string): Tensor {
  return { name: 'TRANSCRIPTS', datatype: 'BYTES', shape: batched ? [1, 1] : [1], data: [text] }
}

export const toneStreamingTranscriber: DemoModel = {
  name: 'tone-transcriber-streaming',
  platform: 'demo',
  backend: 'triton-live-demo',
  maxBatchSize: 1,
  inputs: [
    { name: 'WAV', datatype: 'FP32', dims: [-1] },
    { name: 'WAV_LENS', datatype: 'INT32', dims: [1] },
  ],
  outputs: [{ name: 'TRANSCRIPTS', datatype: 'BYTES', dims: [1] }],
  sequence: { idleMicroseconds: 5_000_000 },
  parameters: { description: `Demo streaming transcriber (sherpa-style): ${TONE_AUDIO}.` },
  execute(inputs, sequence) {
    const state = sequence?.state ?? {}
    let decoder = state.decoder as ToneTextDecoder | undefined
    if (!decoder || sequence?.start) {
      decoder = new ToneTextDecoder(SAMPLE_RATE)
      state.decoder = decoder
    }
    decoder.push(validAudio(inputs))
    const text = sequence?.end ? decoder.flush() : decoder.text
    return [transcript(true, text.trim())]
  },
}

export const toneOfflineTranscriber: DemoModel = {
  name: 'tone-transcriber-offline',
  platform: 'demo',
  backend: 'triton-live-demo',
  maxBatchSize: 1,
  inputs: [
    { name: 'TEXT_PREFIX', datatype: 'BYTES', dims: [1] },
    { name: 'WAV', datatype: 'FP32', dims: [-1] },
    { name: 'WAV_LENS', datatype: 'INT32', dims: [1], optional: true },
  ],
  outputs: [{ name: 'TRANSCRIPTS', datatype: 'BYTES', dims: [1] }],
  dynamicBatching: true,
  parameters: { description: `Demo offline transcriber (Whisper-style): ${TONE_AUDIO}.` },
  execute(inputs) {
    const prefix = strings(inputs.get('TEXT_PREFIX'))[0] ?? ''
    if (prefix && !prefix.includes('<|startoftranscript|>')) {
      throw new Error(
        `TEXT_PREFIX must start a transcript ('<|startoftranscript|>...'), got '${prefix}'`,
      )
    }
    return [transcript(true, decodeToneText(validAudio(inputs), SAMPLE_RATE).trim())]
  },
}

export const wordSplitterDecoupled: DemoModel = {
  name: 'word-splitter-decoupled',
  platform: 'demo',
  backend: 'triton-live-demo',
  maxBatchSize: 0,
  inputs: [{ name: 'TEXT', datatype: 'BYTES', dims: [1] }],
  outputs: [{ name: 'WORD', datatype: 'BYTES', dims: [1] }],
  decoupled: true,
  parameters: {
    description: 'Demo decoupled text model: takes a sentence in TEXT and answers once per word.',
  },
  execute(inputs) {
    const text = strings(inputs.get('TEXT'))[0] ?? ''
    return text
      .split(/\s+/)
      .filter(Boolean)
      .map((word) => [{ name: 'WORD', datatype: 'BYTES' as const, shape: [1], data: [word] }])
  },
}

const INPUT_SIZE = 640
const NUM_CLASSES = 80
const ANCHORS = 80 * 80 + 40 * 40 + 20 * 20
const STRIDES: ReadonlyArray<readonly [stride: number, offset: number]> = [
  [8, 0],
  [16, 80 * 80],
  [32, 80 * 80 + 40 * 40],
]

/** Ultralytics keeps class names in the config parameter `metadata`, as a Python-style dict. */
const ultralyticsMetadata = `{'description': 'triton-live demo colour-box detector', 'task': 'detect', 'imgsz': [640, 640], 'names': {${Array.from(
  { length: NUM_CLASSES },
  (_, i) => `${i}: '${BOX_PALETTE[i]?.name ?? `unused-${i}`}'`,
).join(', ')}}}`

function detectBoxes(inputs: Map<string, DecodedTensor>): FoundBox[] {
  const images = inputs.get('images')
  if (!images) return []
  return findColorBoxes(images.data as Float32Array, INPUT_SIZE, INPUT_SIZE)
}

function detectorBase(
  name: string,
  form: string,
  outputs: DemoTensorSpec[],
): Omit<DemoModel, 'execute'> {
  return {
    name,
    platform: 'demo',
    backend: 'triton-live-demo',
    maxBatchSize: 1,
    inputs: [{ name: 'images', datatype: 'FP32', dims: [3, INPUT_SIZE, INPUT_SIZE] }],
    outputs,
    dynamicBatching: true,
    parameters: {
      metadata: ultralyticsMetadata,
      description: `Demo detector with ${form} output: ${COLOUR_BOXES}.`,
    },
  }
}

/**
 * Raw YOLOv8 head: [1, 84, 8400], rows cx, cy, w, h then 80 class scores. Like a real head it
 * fires on several anchors per object (one per stride, slightly different boxes and scores),
 * so the client's NMS has real work to do.
 */
export const colorBoxYolov8: DemoModel = {
  ...detectorBase('color-box-detector-yolov8', 'a raw YOLOv8', [
    { name: 'output0', datatype: 'FP32', dims: [4 + NUM_CLASSES, ANCHORS] },
  ]),
  execute(inputs) {
    const out = new Float32Array((4 + NUM_CLASSES) * ANCHORS)
    for (const box of detectBoxes(inputs)) {
      const cx = (box.x1 + box.x2) / 2
      const cy = (box.y1 + box.y2) / 2
      const w = box.x2 - box.x1
      const h = box.y2 - box.y1
      STRIDES.forEach(([stride, offset], level) => {
        const grid = INPUT_SIZE / stride
        const gx = Math.min(grid - 1, Math.floor(cx / stride))
        const gy = Math.min(grid - 1, Math.floor(cy / stride))
        const a = offset + gy * grid + gx
        const shrink = level
        out[0 * ANCHORS + a] = cx
        out[1 * ANCHORS + a] = cy
        out[2 * ANCHORS + a] = Math.max(1, w - 2 * shrink)
        out[3 * ANCHORS + a] = Math.max(1, h - 2 * shrink)
        out[(4 + box.classId) * ANCHORS + a] = box.score * (1 - 0.05 * level)
      })
    }
    return [{ name: 'output0', datatype: 'FP32', shape: [1, 4 + NUM_CLASSES, ANCHORS], data: out }]
  },
}

const E2E_MAX = 300

/** NMS-free end-to-end head (YOLOv10/YOLO26 style): [1, 300, 6] rows x1, y1, x2, y2, score, class. */
export const colorBoxEndToEnd: DemoModel = {
  ...detectorBase('color-box-detector-e2e', 'an end-to-end (NMS-free)', [
    { name: 'output0', datatype: 'FP32', dims: [E2E_MAX, 6] },
  ]),
  execute(inputs) {
    const out = new Float32Array(E2E_MAX * 6)
    detectBoxes(inputs)
      .slice(0, E2E_MAX)
      .forEach((b, i) => out.set([b.x1, b.y1, b.x2, b.y2, b.score, b.classId], i * 6))
    return [{ name: 'output0', datatype: 'FP32', shape: [1, E2E_MAX, 6], data: out }]
  },
}

const NMS_TOPK = 100

/** TensorRT EfficientNMS as YOLOv7/v9 end2end exports name it: num_dets, det_boxes, det_scores, det_classes. */
export const colorBoxEfficientNms: DemoModel = {
  ...detectorBase('color-box-detector-efficientnms', 'an EfficientNMS', [
    { name: 'num_dets', datatype: 'INT32', dims: [1] },
    { name: 'det_boxes', datatype: 'FP32', dims: [NMS_TOPK, 4] },
    { name: 'det_scores', datatype: 'FP32', dims: [NMS_TOPK] },
    { name: 'det_classes', datatype: 'INT32', dims: [NMS_TOPK] },
  ]),
  execute(inputs) {
    const found = detectBoxes(inputs).slice(0, NMS_TOPK)
    const boxes = new Float32Array(NMS_TOPK * 4)
    const scores = new Float32Array(NMS_TOPK)
    const classes = new Int32Array(NMS_TOPK)
    found.forEach((b, i) => {
      boxes.set([b.x1, b.y1, b.x2, b.y2], i * 4)
      scores[i] = b.score
      classes[i] = b.classId
    })
    return [
      { name: 'num_dets', datatype: 'INT32', shape: [1, 1], data: new Int32Array([found.length]) },
      { name: 'det_boxes', datatype: 'FP32', shape: [1, NMS_TOPK, 4], data: boxes },
      { name: 'det_scores', datatype: 'FP32', shape: [1, NMS_TOPK], data: scores },
      { name: 'det_classes', datatype: 'INT32', shape: [1, NMS_TOPK], data: classes },
    ]
  },
}

export const DEMO_MODELS: readonly DemoModel[] = [
  toneStreamingTranscriber,
  toneOfflineTranscriber,
  wordSplitterDecoupled,
  colorBoxYolov8,
  colorBoxEndToEnd,
  colorBoxEfficientNms,
]

/** Full shape as clients see it in metadata: a leading -1 batch dimension when the model batches. */
export function fullShape(model: DemoModel, spec: DemoTensorSpec): number[] {
  return model.maxBatchSize > 0 ? [-1, ...spec.dims] : [...spec.dims]
}

export function matchesShape(expected: readonly number[], actual: readonly number[]): boolean {
  return expected.length === actual.length && expected.every((d, i) => d === -1 || d === actual[i])
}
