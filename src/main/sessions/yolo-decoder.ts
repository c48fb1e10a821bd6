/**
 * Turns the detection outputs of YOLO-family models on Triton into boxes. Three output forms
 * exist in the wild (TRITON-PROTOCOL.md section 8): the raw YOLOv8/YOLO11 head that still
 * needs NMS, the end-to-end [B, M, 6] form, and the four tensors of TensorRT's EfficientNMS.
 * Decoders return corner-form boxes in model-input pixels; `toSourceBoxes` undoes the
 * letterbox. Every decoder reads the first image of the batch unless told otherwise, because
 * sessions send one frame per request.
 */
import type { DetectionBox } from '../../shared/results'
import { boxToSource, type Letterbox } from '../../shared/letterbox'
import { DecodeError } from '../triton/decode-error'
import { DetectionValidator, type DetectionBounds } from './detection-validation'
import { nonMaxSuppression, type ScoredBox } from './nms'

export type DetectionOutputForm = 'yolov8-raw' | 'end-to-end' | 'efficient-nms'

export const DETECTION_OUTPUT_FORMS: readonly DetectionOutputForm[] = [
  'yolov8-raw',
  'end-to-end',
  'efficient-nms',
]

/** An output as the tensor codec hands it over: FP16 widened to Float32Array, INT64 as BigInt64Array. */
export interface DecodedOutputTensor {
  name: string
  datatype: string
  shape: number[]
  data: Float32Array | Int32Array | BigInt64Array
}

/** An output as ModelMetadata or ModelConfig describes it; dims may be -1. */
export interface OutputDescription {
  name: string
  datatype: string
  shape: number[]
}

export interface DecodeOptions {
  /** Keep boxes whose score is above this (Ultralytics compares with `>`). */
  confThreshold: number
  /** NMS overlap above which the lower-scored box of a class goes (raw form only). */
  iouThreshold?: number
  /** At most this many boxes, highest scores first. */
  maxDetections?: number
  /** Raw form only: let classes suppress each other. */
  classAgnostic?: boolean
  /**
   * Raw form only: how many class rows follow the four box rows. Defaults to all remaining
   * rows; set it when extra rows follow (e.g. 32 mask coefficients in a segmentation head).
   */
  numClasses?: number
  /** Which image of a batched output to read. Default 0. */
  batchIndex?: number
  /** The model's input size and label count, against which every box is validated. */
  bounds?: DetectionBounds
}

/** Ultralytics' predict defaults. */
export const DEFAULT_IOU_THRESHOLD = 0.7
export const DEFAULT_MAX_DETECTIONS = 300

// End-to-end heads carry 6 columns plus task extras (seg +32, pose +51); anything wider, or
// taller than a plausible max_det, is more likely an anchor-first raw head such as YOLOv5's.
const MAX_END_TO_END_COLUMNS = 6 + 64
const MAX_END_TO_END_ROWS = 1000

const FIX_HINT =
  'Check the model outputs, or set the decoder kind in the model profile ' +
  `(${DETECTION_OUTPUT_FORMS.join(', ')}).`

function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`
}

function shapeError(
  form: DetectionOutputForm,
  tensor: string,
  expected: string,
  shape: readonly number[],
  detail = '',
): DecodeError {
  return new DecodeError(
    `YOLO decoder (${form}): output '${tensor}' has shape ${fmtShape(shape)}, expected ${expected}` +
      `${detail ? ` (${detail})` : ''}. ${FIX_HINT}`,
    { tensor },
  )
}

function checkLength(form: DetectionOutputForm, t: DecodedOutputTensor, expected: string): void {
  const n = t.shape.reduce((p, d) => p * d, 1)
  if (t.shape.some((d) => !Number.isInteger(d) || d < 0) || n !== t.data.length) {
    throw shapeError(form, t.name, expected, t.shape, `it holds ${t.data.length} values`)
  }
}

function batchOf(
  form: DetectionOutputForm,
  t: DecodedOutputTensor,
  expected: string,
  innerRank: number,
  batchIndex: number,
): number {
  const batches = t.shape.length === innerRank + 1 ? t.shape[0] : 1
  if (batchIndex < 0 || batchIndex >= batches || !Number.isInteger(batchIndex)) {
    throw shapeError(form, t.name, expected, t.shape, `batch index ${batchIndex} is out of range`)
  }
  return batches
}

function byScoreThenCap(boxes: ScoredBox[], maxDetections: number): ScoredBox[] {
  // Stable sort: rows with equal scores keep the model's order.
  boxes.sort((a, b) => b.score - a.score)
  return boxes.length > maxDetections ? boxes.slice(0, Math.max(0, maxDetections)) : boxes
}

// --- Form detection ---------------------------------------------------------------------

type NmsRole = 'count' | 'boxes' | 'scores' | 'classes'
const NMS_ROLES: readonly NmsRole[] = ['count', 'boxes', 'scores', 'classes']

const NMS_ROLE_NAMES: Record<NmsRole, readonly string[]> = {
  count: ['num_dets', 'num_detections'],
  boxes: ['det_boxes', 'detection_boxes', 'bboxes', 'boxes'],
  scores: ['det_scores', 'detection_scores', 'scores'],
  classes: ['det_classes', 'detection_classes', 'labels', 'classes'],
}

const NMS_ROLE_PATTERNS: Record<NmsRole, RegExp> = {
  count: /num|count/,
  boxes: /box/,
  scores: /score|conf/,
  classes: /class|label/,
}

function baseName(name: string): string {
  // TensorFlow-style names carry an output index suffix ("num_detections:0").
  return name.toLowerCase().split(':')[0]
}

function isFloatType(datatype: string): boolean {
  return /^(TYPE_)?(FP|BF)\d+$/.test(datatype.toUpperCase())
}

function isIntType(datatype: string): boolean {
  return /^(TYPE_)?U?INT\d+$/.test(datatype.toUpperCase())
}

function isCountShape(shape: readonly number[]): boolean {
  return (shape.length === 1 && shape[0] === 1) || (shape.length === 2 && shape[1] === 1)
}

function isBoxesShape(shape: readonly number[]): boolean {
  const last = shape[shape.length - 1]
  return (shape.length === 2 || shape.length === 3) && (last === 4 || last === -1)
}

/**
 * Assigns the EfficientNMS roles by exact name, then by a name fragment, then by shape and
 * datatype; a role stays unassigned when the evidence is ambiguous.
 */
function resolveNmsRoles<T extends OutputDescription>(
  outputs: readonly T[],
): Partial<Record<NmsRole, T>> {
  const roles: Partial<Record<NmsRole, T>> = {}
  const used = new Set<T>()
  const assign = (role: NmsRole, candidates: T[]): void => {
    if (roles[role] === undefined && candidates.length === 1) {
      roles[role] = candidates[0]
      used.add(candidates[0])
    }
  }
  const free = (): T[] => outputs.filter((o) => !used.has(o))
  for (const role of NMS_ROLES) {
    assign(
      role,
      free().filter((o) => NMS_ROLE_NAMES[role].includes(baseName(o.name))),
    )
  }
  for (const role of NMS_ROLES) {
    assign(
      role,
      free().filter((o) => NMS_ROLE_PATTERNS[role].test(baseName(o.name))),
    )
  }
  assign(
    'count',
    free().filter((o) => isCountShape(o.shape)),
  )
  assign(
    'boxes',
    free().filter((o) => isBoxesShape(o.shape)),
  )
  assign(
    'scores',
    free().filter((o) => isFloatType(o.datatype)),
  )
  assign(
    'classes',
    free().filter((o) => isIntType(o.datatype)),
  )
  return roles
}

function classifySingleOutput(shape: readonly number[]): 'yolov8-raw' | 'end-to-end' | undefined {
  // Rank 2 is the ModelConfig view of a batched model (dims without the batch).
  if (shape.length !== 2 && shape.length !== 3) return undefined
  const rows = shape[shape.length - 2]
  const cols = shape[shape.length - 1]
  if (cols === 6) return 'end-to-end'
  // 7 columns is the oriented-box head (xywh, score, class, angle), not corner boxes.
  if (
    cols > 7 &&
    cols <= MAX_END_TO_END_COLUMNS &&
    (rows === -1 || (rows > cols && rows <= MAX_END_TO_END_ROWS))
  ) {
    return 'end-to-end'
  }
  if (rows >= 5 && (cols === -1 || cols > rows)) return 'yolov8-raw'
  return undefined
}

/**
 * Guesses the output form from ModelMetadata/ModelConfig outputs. Returns undefined when the
 * outputs do not clearly match one form; the model profile must then name the decoder kind.
 */
export function detectOutputForm(
  outputs: ReadonlyArray<OutputDescription>,
): DetectionOutputForm | undefined {
  if (outputs.length === 4) {
    const roles = resolveNmsRoles(outputs)
    const boxes = roles.boxes
    if (NMS_ROLES.every((r) => roles[r] !== undefined) && boxes && isBoxesShape(boxes.shape)) {
      return 'efficient-nms'
    }
    return undefined
  }
  if (outputs.length === 1) return classifySingleOutput(outputs[0].shape)
  if (outputs.length === 2) {
    // Segmentation: detections plus a 4-D prototype-mask tensor. Only the end-to-end layout
    // is decodable blind; a raw head mixes class rows with mask coefficients.
    const protos = outputs.filter((o) => o.shape.length === 4)
    const dets = outputs.filter((o) => o.shape.length !== 4)
    if (protos.length === 1 && dets.length === 1) {
      return classifySingleOutput(dets[0].shape) === 'end-to-end' ? 'end-to-end' : undefined
    }
  }
  return undefined
}

// --- Decoders ---------------------------------------------------------------------------

const RAW_EXPECTED = '[1, 4+C, N] (channel-first, 4+C < N)'

/**
 * Raw YOLOv8/YOLO11 head: rows 0-3 are cx, cy, w, h and the remaining rows class scores,
 * one column per anchor. Reads memory in storage order (row by row) keeping a running best
 * class per anchor, so an [1, 84, 8400] output costs one sequential pass plus NMS.
 */
export function decodeYoloV8Raw(t: DecodedOutputTensor, opts: DecodeOptions): ScoredBox[] {
  const form = 'yolov8-raw'
  if (t.shape.length !== 2 && t.shape.length !== 3)
    throw shapeError(form, t.name, RAW_EXPECTED, t.shape)
  checkLength(form, t, RAW_EXPECTED)
  const rows = t.shape[t.shape.length - 2]
  const anchors = t.shape[t.shape.length - 1]
  if (rows < 5 || rows >= anchors) {
    const detail =
      rows > anchors ? 'rows and columns look swapped: an anchor-first or end-to-end output' : ''
    throw shapeError(form, t.name, RAW_EXPECTED, t.shape, detail)
  }
  const batchIndex = opts.batchIndex ?? 0
  batchOf(form, t, RAW_EXPECTED, 2, batchIndex)
  const data = t.data
  if (!(data instanceof Float32Array)) {
    throw new DecodeError(
      `YOLO decoder (${form}): output '${t.name}' holds ${t.datatype} values, expected FP32 or FP16. ${FIX_HINT}`,
      { tensor: t.name },
    )
  }
  const numClasses = opts.numClasses ?? rows - 4
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > rows - 4) {
    throw shapeError(form, t.name, RAW_EXPECTED, t.shape, `${numClasses} classes do not fit`)
  }

  const base = batchIndex * rows * anchors
  const best = data.slice(base + 4 * anchors, base + 5 * anchors)
  const bestClass = new Int32Array(anchors)
  for (let c = 1; c < numClasses; c++) {
    const row = base + (4 + c) * anchors
    for (let a = 0; a < anchors; a++) {
      const s = data[row + a]
      // Strict `>` keeps the first class on ties, as argmax does.
      if (s > best[a]) {
        best[a] = s
        bestClass[a] = c
      }
    }
  }

  const conf = opts.confThreshold
  const check = new DetectionValidator(form, opts.bounds)
  const candidates: ScoredBox[] = []
  for (let a = 0; a < anchors; a++) {
    const score = best[a]
    if (Number.isNaN(score)) check.score(t.name, `anchor ${a}`, score)
    if (!(score > conf)) continue
    const cx = data[base + a]
    const cy = data[base + anchors + a]
    const hw = data[base + 2 * anchors + a] / 2
    const hh = data[base + 3 * anchors + a] / 2
    const box = { x1: cx - hw, y1: cy - hh, x2: cx + hw, y2: cy + hh, score, classId: bestClass[a] }
    check.score(t.name, `anchor ${a}`, score)
    check.box(t.name, `anchor ${a}`, box)
    check.classId(t.name, `anchor ${a}`, box.classId)
    candidates.push(box)
  }
  return nonMaxSuppression(candidates, opts.iouThreshold ?? DEFAULT_IOU_THRESHOLD, {
    classAgnostic: opts.classAgnostic,
    maxDetections: opts.maxDetections ?? DEFAULT_MAX_DETECTIONS,
  })
}

const E2E_EXPECTED = '[1, M, 6+] rows of x1, y1, x2, y2, score, class'

/** End-to-end head (YOLOv10, YOLO26, Ultralytics nms=True): already suppressed, zero-padded. */
export function decodeEndToEnd(t: DecodedOutputTensor, opts: DecodeOptions): ScoredBox[] {
  const form = 'end-to-end'
  if (t.shape.length !== 2 && t.shape.length !== 3)
    throw shapeError(form, t.name, E2E_EXPECTED, t.shape)
  checkLength(form, t, E2E_EXPECTED)
  const rows = t.shape[t.shape.length - 2]
  const cols = t.shape[t.shape.length - 1]
  if (cols < 6) throw shapeError(form, t.name, E2E_EXPECTED, t.shape)
  if (cols > MAX_END_TO_END_COLUMNS && cols > rows) {
    throw shapeError(form, t.name, E2E_EXPECTED, t.shape, 'this looks like a raw [1, 4+C, N] head')
  }
  const batchIndex = opts.batchIndex ?? 0
  batchOf(form, t, E2E_EXPECTED, 2, batchIndex)
  const data = t.data
  // Padding rows have score 0, so a non-negative threshold with `>` drops them too.
  const conf = Math.max(0, opts.confThreshold)
  const check = new DetectionValidator(form, opts.bounds)
  const out: ScoredBox[] = []
  for (let r = 0; r < rows; r++) {
    const o = (batchIndex * rows + r) * cols
    const score = Number(data[o + 4])
    if (Number.isNaN(score)) check.score(t.name, `row ${r}`, score)
    if (!(score > conf)) continue
    check.score(t.name, `row ${r}`, score)
    const box = {
      x1: Number(data[o]),
      y1: Number(data[o + 1]),
      x2: Number(data[o + 2]),
      y2: Number(data[o + 3]),
    }
    check.box(t.name, `row ${r}`, box)
    out.push({ ...box, score, classId: check.classId(t.name, `row ${r}`, Number(data[o + 5])) })
  }
  return byScoreThenCap(out, opts.maxDetections ?? DEFAULT_MAX_DETECTIONS)
}

const NMS_EXPECTED: Record<NmsRole, string> = {
  count: '[B, 1] or [1]',
  boxes: '[B, K, 4] or [K, 4]',
  scores: '[B, K] or [K]',
  classes: '[B, K] or [K]',
}

function missingRoleError(role: NmsRole, tensors: Iterable<DecodedOutputTensor>): DecodeError {
  const got = [...tensors].map((t) => `${t.name} ${fmtShape(t.shape)}`).join(', ') || 'none'
  return new DecodeError(
    `YOLO decoder (efficient-nms): the server's output has no ${role} tensor ` +
      `(looked for ${NMS_ROLE_NAMES[role].join(', ')} with shape ${NMS_EXPECTED[role]}); ` +
      `outputs received: ${got}. ${FIX_HINT}`,
  )
}

/** TensorRT EfficientNMS outputs: only the first num_dets entries of each image are valid. */
export function decodeEfficientNms(
  tensors: Map<string, DecodedOutputTensor>,
  opts: DecodeOptions,
): ScoredBox[] {
  const form = 'efficient-nms'
  const roles = resolveNmsRoles([...tensors.values()])
  const need = (role: NmsRole): DecodedOutputTensor => {
    const t = roles[role]
    if (t === undefined) throw missingRoleError(role, tensors.values())
    checkLength(form, t, NMS_EXPECTED[role])
    return t
  }
  const count = need('count')
  const boxes = need('boxes')
  const scores = need('scores')
  const classes = need('classes')

  if (
    (boxes.shape.length !== 2 && boxes.shape.length !== 3) ||
    boxes.shape[boxes.shape.length - 1] !== 4
  ) {
    throw shapeError(form, boxes.name, NMS_EXPECTED.boxes, boxes.shape)
  }
  const batchIndex = opts.batchIndex ?? 0
  const batches = batchOf(form, boxes, NMS_EXPECTED.boxes, 2, batchIndex)
  const k = boxes.shape[boxes.shape.length - 2]
  // Scores and classes are sometimes [B, K, 1]; only the element count matters.
  if (scores.data.length !== batches * k)
    throw shapeError(form, scores.name, NMS_EXPECTED.scores, scores.shape, `boxes have K = ${k}`)
  if (classes.data.length !== batches * k)
    throw shapeError(form, classes.name, NMS_EXPECTED.classes, classes.shape, `boxes have K = ${k}`)
  if (count.data.length !== batches)
    throw shapeError(form, count.name, NMS_EXPECTED.count, count.shape, `boxes have B = ${batches}`)

  const check = new DetectionValidator(form, opts.bounds)
  const n = check.count(count.name, Number(count.data[batchIndex]), k, boxes.name)
  const conf = opts.confThreshold
  const out: ScoredBox[] = []
  // Only the first num_dets slots are detections: all of them must be valid, shown or not.
  for (let i = 0; i < n; i++) {
    const j = batchIndex * k + i
    const score = Number(scores.data[j])
    check.score(scores.name, `detection ${i}`, score)
    const box = {
      x1: Number(boxes.data[j * 4]),
      y1: Number(boxes.data[j * 4 + 1]),
      x2: Number(boxes.data[j * 4 + 2]),
      y2: Number(boxes.data[j * 4 + 3]),
    }
    check.box(boxes.name, `detection ${i}`, box)
    const classId = check.classId(classes.name, `detection ${i}`, Number(classes.data[j]))
    if (score > conf) out.push({ ...box, score, classId })
  }
  return byScoreThenCap(out, opts.maxDetections ?? DEFAULT_MAX_DETECTIONS)
}

/** The detection tensor of a single-tensor form; segmentation prototypes (4-D) are skipped. */
function pickDetectionTensor(
  form: 'yolov8-raw' | 'end-to-end',
  tensors: Map<string, DecodedOutputTensor>,
): DecodedOutputTensor {
  const all = [...tensors.values()]
  const candidates = all.filter((t) => t.shape.length === 2 || t.shape.length === 3)
  if (candidates.length === 0) {
    const got = all.map((t) => `${t.name} ${fmtShape(t.shape)}`).join(', ') || 'none'
    const expected = form === 'yolov8-raw' ? RAW_EXPECTED : E2E_EXPECTED
    throw new DecodeError(
      `YOLO decoder (${form}): no output has the expected shape ${expected}; ` +
        `outputs received: ${got}. ${FIX_HINT}`,
    )
  }
  if (candidates.length === 1) return candidates[0]
  // Several candidates: prefer the ones shaped like the form, then the first by name
  // (Ultralytics names detections output0 and sorts outputs by name).
  const fitting = candidates.filter((t) => classifySingleOutput(t.shape) === form)
  const pool = fitting.length > 0 ? fitting : candidates
  return [...pool].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0]
}

export function decodeDetections(
  form: DetectionOutputForm,
  tensors: Map<string, DecodedOutputTensor>,
  opts: DecodeOptions,
): ScoredBox[] {
  switch (form) {
    case 'yolov8-raw':
      return decodeYoloV8Raw(pickDetectionTensor(form, tensors), opts)
    case 'end-to-end':
      return decodeEndToEnd(pickDetectionTensor(form, tensors), opts)
    case 'efficient-nms':
      return decodeEfficientNms(tensors, opts)
    default: {
      const unknown: never = form
      throw new DecodeError(`YOLO decoder: unknown decoder kind '${String(unknown)}'. ${FIX_HINT}`)
    }
  }
}

// --- Back to source pixels --------------------------------------------------------------

function round1(v: number): number {
  // Adding 0 turns -0 into 0 so results compare and serialise cleanly.
  return Math.round(v * 10) / 10 + 0
}

/**
 * Maps model-input boxes to source pixels (top-left + size), rounded to 0.1 px. Boxes that lie
 * entirely in the letterbox padding collapse to nothing after clipping and are dropped.
 */
export function toSourceBoxes(
  boxes: ScoredBox[],
  lb: Letterbox,
  labelOf: (classId: number) => string,
): DetectionBox[] {
  const out: DetectionBox[] = []
  for (const b of boxes) {
    const s = boxToSource(lb, b.x1, b.y1, b.x2, b.y2)
    const x1 = round1(s.x1)
    const y1 = round1(s.y1)
    // Width from the rounded corners, so x + width lands on the rounded right edge.
    const width = round1(round1(s.x2) - x1)
    const height = round1(round1(s.y2) - y1)
    if (width <= 0 || height <= 0) continue
    out.push({
      x: x1,
      y: y1,
      width,
      height,
      score: b.score,
      classId: b.classId,
      label: labelOf(b.classId),
    })
  }
  return out
}
