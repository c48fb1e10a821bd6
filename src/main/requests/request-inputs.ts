import { MAX_TENSOR_RANK, shapeProblem } from '../../shared/limits'
import { MAX_REQUEST_FILE_BYTES } from '../../shared/single-request'
import {
  DATATYPE_BYTE_SIZE,
  elementCount,
  isTritonDatatype,
  type TritonDatatype,
} from '../../shared/tensor-types'
import { decodeTensor, type Tensor, type TensorData } from '../triton/tensor-codec'
import { TritonError } from '../triton/triton-error'
import { isNpy, parseNpy } from './npy'

/**
 * Turns what a person typed or picked for each input of one request into tensors, against the
 * model's metadata: names checked (a wrong one lists the right ones), datatype from metadata,
 * shape from metadata with -1 resolved from the value, a scalar filling the whole shape.
 * Pure: the CLI and the app read files themselves and hand over the bytes.
 */

export type InputSource =
  /** A JSON array (nested or flat) or scalar. For a BYTES input, anything but a JSON array is sent as it is. */
  | { kind: 'json'; text: string }
  /** BYTES: the text as one element, filling the shape. */
  | { kind: 'text'; text: string }
  /** A file's contents: a .npy array, else the tensor's raw little-endian bytes (BYTES: one element). */
  | { kind: 'bytes'; bytes: Uint8Array; source: string }

export interface InputDraft {
  name: string
  value: InputSource
  /** Overrides the metadata's shape; -1 is resolved from the value. */
  shape?: number[]
  datatype?: TritonDatatype
}

/** An input as the model declares it. */
export interface DeclaredInput {
  name: string
  datatype: string
  shape: number[]
  optional?: boolean
}

const SHAPE_HINT =
  'give its shape explicitly: triton-live infer --shape NAME=1,3, or the Shape field in the app'

const describeInput = (i: DeclaredInput): string =>
  `${i.name} (${i.datatype} [${i.shape.join(', ')}])`

function usage(message: string, hint: string): TritonError {
  return new TritonError('invalid-argument', message, hint)
}

/** Tensors for `drafts`, in the model's input order; throws a one-line TritonError on any misfit. */
export function buildInputTensors(
  model: string,
  declared: readonly DeclaredInput[],
  drafts: readonly InputDraft[],
): Tensor[] {
  const byName = new Map(declared.map((d) => [d.name, d]))
  const seen = new Set<string>()
  for (const draft of drafts) {
    if (!byName.has(draft.name)) {
      const list = declared.length ? declared.map(describeInput).join(', ') : 'none in its metadata'
      throw usage(
        `'${model}' has no input '${draft.name}'; its inputs are ${list}`,
        'name one of those inputs',
      )
    }
    if (seen.has(draft.name)) {
      throw usage(`input '${draft.name}' is given twice`, 'give each input once')
    }
    seen.add(draft.name)
  }
  const missing = declared.filter((d) => !d.optional && !seen.has(d.name))
  if (missing.length > 0) {
    throw usage(
      `'${model}' needs a value for ${missing.map(describeInput).join(', ')} too`,
      `give every required input: ${declared
        .filter((d) => !d.optional)
        .map((d) => d.name)
        .join(', ')}`,
    )
  }
  const order = new Map(declared.map((d, i) => [d.name, i]))
  return [...drafts]
    .sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0))
    .map((draft) => inputTensor(draft, byName.get(draft.name) as DeclaredInput))
}

function inputDatatype(draft: InputDraft, declared: DeclaredInput): TritonDatatype {
  if (draft.datatype) return draft.datatype
  if (isTritonDatatype(declared.datatype)) return declared.datatype
  throw usage(
    `input '${draft.name}' has datatype '${declared.datatype}' in the metadata, which is not a KServe datatype`,
    'give the datatype explicitly (triton-live infer --datatype NAME=FP32)',
  )
}

/** A value before it has a shape: its elements, and the dims of a nested array (none for a scalar). */
interface Elements {
  items: readonly unknown[]
  dims?: number[]
}

function inputTensor(draft: InputDraft, declared: DeclaredInput): Tensor {
  const datatype = inputDatatype(draft, declared)
  const target = draft.shape ?? declared.shape
  if (draft.value.kind === 'bytes') return fileTensor(draft, datatype, target, draft.value)
  const elements = valueElements(draft, datatype)
  const shape = resolveShape(draft.name, datatype, target, elements)
  return { name: draft.name, datatype, shape, data: toData(draft.name, datatype, shape, elements) }
}

function valueElements(draft: InputDraft, datatype: TritonDatatype): Elements {
  const value = draft.value as Extract<InputSource, { kind: 'json' | 'text' }>
  if (value.kind === 'text') {
    if (datatype !== 'BYTES') {
      throw usage(
        `input '${draft.name}' is ${datatype}, so its value must be numbers, not text`,
        'give a JSON array or a number',
      )
    }
    return { items: [value.text] }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(value.text)
  } catch (e) {
    if (datatype === 'BYTES') return { items: [value.text] }
    throw usage(
      `the value of input '${draft.name}' is not JSON: ${(e as Error).message}`,
      'give a JSON array such as [1, 2, 3] or a number',
    )
  }
  if (!Array.isArray(parsed)) {
    // BYTES reads only an array as JSON: anything else (a JSON request for a Python backend,
    // null, a quoted string) is one element, the text exactly as typed.
    return { items: [datatype === 'BYTES' ? value.text : parsed] }
  }
  const dims: number[] = []
  const items: unknown[] = []
  flatten(draft.name, parsed, 0, dims, items)
  return { items, dims }
}

/** Flattens a nested array row-major, checking that it is rectangular. */
function flatten(
  name: string,
  value: unknown[],
  depth: number,
  dims: number[],
  out: unknown[],
): void {
  if (depth >= MAX_TENSOR_RANK) {
    throw usage(
      `the value of input '${name}' is nested deeper than ${MAX_TENSOR_RANK} levels, the most a tensor has`,
      'give an array of at most that many levels',
    )
  }
  if (dims.length === depth) dims.push(value.length)
  else if (dims[depth] !== value.length) {
    throw usage(
      `the value of input '${name}' is not rectangular: a row at depth ${depth + 1} has ${value.length} elements, another ${dims[depth]}`,
      'give rows of equal length',
    )
  }
  const nested = value.length > 0 && Array.isArray(value[0])
  for (const v of value) {
    if (Array.isArray(v) !== nested) {
      throw usage(
        `the value of input '${name}' mixes arrays and scalars at depth ${depth + 1}`,
        'give rows of equal length',
      )
    }
    if (nested) flatten(name, v as unknown[], depth + 1, dims, out)
    else out.push(v)
  }
}

/**
 * The shape to send: a scalar fills `target` (each -1 as 1); an array keeps its own dims when
 * they fit `target` (with a leading batch dim of 1 added when it is one short), otherwise its
 * elements are laid out flat over `target`, whose last -1 takes what the others leave.
 */
export function resolveShape(
  name: string,
  datatype: string,
  target: readonly number[],
  value: { dims?: readonly number[]; items: { length: number } },
): number[] {
  const fits = (dims: readonly number[], want: readonly number[]): boolean =>
    dims.length === want.length && want.every((d, i) => d === -1 || d === dims[i])
  let shape: number[] | undefined
  if (!value.dims) {
    shape = target.map((d) => (d === -1 ? 1 : d))
  } else if (fits(value.dims, target)) {
    shape = [...value.dims]
  } else if (target.length === value.dims.length + 1 && fits([1, ...value.dims], target)) {
    shape = [1, ...value.dims]
  } else {
    shape = flatShape(target, value.items.length)
  }
  if (!shape) {
    const n = value.items.length
    const dims = value.dims ? ` (dims [${value.dims.join(', ')}])` : ''
    throw usage(
      `input '${name}' takes ${datatype} [${target.join(', ')}]; the value's ${n} element${n === 1 ? '' : 's'}${dims} fit no such shape`,
      SHAPE_HINT,
    )
  }
  const problem = shapeProblem(shape, false)
  if (problem)
    throw usage(`input '${name}' with shape [${shape.join(', ')}]: ${problem}`, SHAPE_HINT)
  return shape
}

function flatShape(target: readonly number[], count: number): number[] | undefined {
  const variable = target.map((d, i) => (d === -1 ? i : -1)).filter((i) => i >= 0)
  const fixed = target.reduce((n, d) => (d === -1 ? n : n * d), 1)
  if (variable.length === 0) return fixed === count ? [...target] : undefined
  if (fixed === 0 || count % fixed !== 0) return undefined
  const last = variable[variable.length - 1]
  return target.map((d, i) => (i === last ? count / fixed : d === -1 ? 1 : d))
}

const INT_RANGE: Partial<Record<TritonDatatype, [number, number]>> = {
  INT8: [-128, 127],
  UINT8: [0, 255],
  INT16: [-32768, 32767],
  UINT16: [0, 65535],
  INT32: [-(2 ** 31), 2 ** 31 - 1],
  UINT32: [0, 2 ** 32 - 1],
}

const TYPED: Partial<Record<TritonDatatype, new (n: number) => TensorData>> = {
  INT8: Int8Array,
  UINT8: Uint8Array,
  INT16: Int16Array,
  UINT16: Uint16Array,
  INT32: Int32Array,
  UINT32: Uint32Array,
  FP16: Float32Array,
  BF16: Float32Array,
  FP32: Float32Array,
  FP64: Float64Array,
}

/** One element, checked against the datatype, with its position for the message. */
function element(name: string, datatype: TritonDatatype, v: unknown, at: number): unknown {
  const bad = (want: string): TritonError =>
    usage(
      `element ${at} of input '${name}' is ${JSON.stringify(v)}, but ${datatype} needs ${want}`,
      `give ${want}`,
    )
  switch (datatype) {
    case 'BYTES':
      if (typeof v === 'string') return v
      if (typeof v === 'number' || typeof v === 'boolean') return String(v)
      throw bad('strings')
    case 'BOOL':
      if (typeof v === 'boolean') return v
      if (v === 0 || v === 1) return v === 1
      throw bad('true or false')
    case 'INT64':
    case 'UINT64': {
      let big: bigint | undefined
      if (typeof v === 'number' && Number.isSafeInteger(v)) big = BigInt(v)
      else if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) big = BigInt(v.trim())
      const lo = datatype === 'INT64' ? -(2n ** 63n) : 0n
      const hi = datatype === 'INT64' ? 2n ** 63n - 1n : 2n ** 64n - 1n
      if (big === undefined || big < lo || big > hi)
        throw bad(`whole numbers from ${lo} to ${hi} (beyond 2^53 as "decimal strings")`)
      return big
    }
    default: {
      const range = INT_RANGE[datatype]
      if (range) {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1])
          throw bad(`whole numbers from ${range[0]} to ${range[1]}`)
        return v
      }
      if (typeof v !== 'number') throw bad('numbers')
      return v
    }
  }
}

/**
 * BYTES elements travel as a 4-byte length and their bytes each: typed text or a file copied
 * over the shape is refused, before it is allocated, when the whole exceeds what a file may be.
 */
function checkBytesSize(name: string, bytes: number): void {
  if (bytes > MAX_REQUEST_FILE_BYTES) {
    throw usage(
      `input '${name}' would be ${bytes} bytes, more than the ${MAX_REQUEST_FILE_BYTES} an input may take`,
      'send a shorter value, or a smaller shape',
    )
  }
}

function toData(
  name: string,
  datatype: TritonDatatype,
  shape: readonly number[],
  elements: Elements,
): TensorData {
  const count = elementCount(shape)
  const items = elements.items.map((v, i) => element(name, datatype, v, i))
  // A scalar fills the shape; an array was already fitted to it element for element.
  const at = elements.dims ? (i: number) => items[i] : () => items[0]
  if (datatype === 'BYTES') {
    const each = items.map((v) => 4 + Buffer.byteLength(v as string))
    checkBytesSize(name, elements.dims ? each.reduce((a, b) => a + b, 0) : (each[0] ?? 0) * count)
    return Array.from({ length: count }, (_, i) => at(i) as string)
  }
  if (datatype === 'BOOL') return Array.from({ length: count }, (_, i) => at(i) as boolean)
  if (datatype === 'INT64' || datatype === 'UINT64') {
    const out = datatype === 'INT64' ? new BigInt64Array(count) : new BigUint64Array(count)
    for (let i = 0; i < count; i++) out[i] = at(i) as bigint
    return out
  }
  const Typed = TYPED[datatype] as new (n: number) => { [i: number]: number } & TensorData
  const out = new Typed(count)
  for (let i = 0; i < count; i++) out[i] = at(i) as number
  return out
}

/** A file: a .npy array brings its dtype and shape; other bytes are the raw contents. */
function fileTensor(
  draft: InputDraft,
  datatype: TritonDatatype,
  target: readonly number[],
  value: Extract<InputSource, { kind: 'bytes' }>,
): Tensor {
  const { name } = draft
  if (isNpy(value.bytes)) {
    const npy = parseNpy(value.bytes, value.source)
    if (npy.datatype !== datatype && !(npy.datatype === 'BOOL' && datatype === 'UINT8')) {
      throw usage(
        `${value.source} holds ${npy.datatype} but input '${name}' takes ${datatype}`,
        `save the array as ${datatype} (for example arr.astype(...)), or give the datatype explicitly`,
      )
    }
    const shape = resolveShape(name, datatype, target, {
      dims: npy.shape,
      items: { length: elementCount(npy.shape) },
    })
    return rawTensor(name, datatype, shape, npy.data, value.source)
  }
  if (datatype === 'BYTES') {
    const shape = resolveShape(name, datatype, target, { items: [value.bytes] })
    const count = elementCount(shape)
    checkBytesSize(name, (4 + value.bytes.byteLength) * count)
    return { name, datatype, shape, data: new Array<Uint8Array>(count).fill(value.bytes) }
  }
  const size = DATATYPE_BYTE_SIZE[datatype]
  if (value.bytes.byteLength % size !== 0) {
    throw usage(
      `${value.source} has ${value.bytes.byteLength} bytes, not a whole number of ${datatype} elements (${size} bytes each)`,
      'give a file of raw little-endian tensor bytes, or a .npy file',
    )
  }
  const count = value.bytes.byteLength / size
  const shape = resolveShape(name, datatype, target, { dims: [count], items: { length: count } })
  return rawTensor(name, datatype, shape, value.bytes, value.source)
}

function rawTensor(
  name: string,
  datatype: TritonDatatype,
  shape: number[],
  bytes: Uint8Array,
  source: string,
): Tensor {
  const size = datatype === 'BYTES' ? 1 : DATATYPE_BYTE_SIZE[datatype]
  const want = elementCount(shape) * size
  if (datatype !== 'BYTES' && bytes.byteLength !== want) {
    throw usage(
      `${source} holds ${bytes.byteLength} bytes of data, but ${datatype} [${shape.join(', ')}] needs ${want}`,
      'give a complete file',
    )
  }
  return decodeTensor(name, datatype, shape, bytes)
}
