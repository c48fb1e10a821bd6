import { isTritonDatatype, type TritonDatatype } from '../../../shared/tensor-types'
import type {
  InferRequestSpec,
  InferResult,
  ParsedParameter,
  PlacedOutput,
} from '../../triton/infer-messages'
import {
  decodeTensor,
  encodeTensor,
  TensorShapeError,
  type DecodedTensor,
  type Tensor,
} from '../../triton/tensor-codec'
import { parseJsonBody, toJsonText } from './kserve-json'

/**
 * How tensors travel in a KServe v2 HTTP body: raw bytes after the JSON header (Triton's binary
 * tensor data extension, `Inference-Header-Content-Length`), or JSON arrays when a server lacks
 * the extension. FP16 and BF16 have no JSON form (Triton refuses them, http_server.cc).
 */
export type HttpTensorFormat = 'binary' | 'json'

export const INFER_HEADER_LENGTH = 'inference-header-content-length'

export interface HttpInferBody {
  body: Buffer
  headers: Record<string, string>
}

export class HttpTensorFormatError extends TensorShapeError {}

interface JsonTensor {
  name: string
  datatype?: string
  shape?: Array<number | string>
  parameters?: Record<string, unknown>
  data?: unknown
}

function shmParameters(ref: { region: string; byteSize: number; offset?: number }) {
  return {
    shared_memory_region: ref.region,
    shared_memory_byte_size: ref.byteSize,
    ...(ref.offset ? { shared_memory_offset: ref.offset } : {}),
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** A tensor's elements as JSON values, after the codec has checked its size against its shape. */
function jsonData(tensor: Tensor): unknown[] | ArrayLike<number | bigint> {
  if (tensor.datatype === 'FP16' || tensor.datatype === 'BF16') {
    throw new HttpTensorFormatError(
      `tensor '${tensor.name}' is ${tensor.datatype}, which KServe JSON cannot carry; the server needs the binary tensor data extension`,
    )
  }
  const decoded = decodeTensor(tensor.name, tensor.datatype, tensor.shape, encodeTensor(tensor))
  if (decoded.datatype === 'BYTES') {
    return (decoded.data as Uint8Array[]).map((b) => {
      try {
        return utf8.decode(b)
      } catch {
        throw new HttpTensorFormatError(
          `tensor '${tensor.name}' holds bytes that are not UTF-8 text, which KServe JSON cannot carry; the server needs the binary tensor data extension`,
        )
      }
    })
  }
  if (decoded.datatype === 'BOOL') return Array.from(decoded.data as Uint8Array, (v) => v !== 0)
  return decoded.data as unknown as unknown[]
}

/** The request body and headers for POST v2/models/<m>/infer. */
export function encodeHttpInferRequest(
  spec: InferRequestSpec,
  format: HttpTensorFormat,
): HttpInferBody {
  const blobs: Buffer[] = []
  const inputs: JsonTensor[] = spec.inputs.map((t) => {
    const head = { name: t.name, datatype: t.datatype, shape: t.shape }
    if (format === 'json') return { ...head, data: jsonData(t) }
    const bytes = encodeTensor(t)
    blobs.push(bytes)
    return { ...head, parameters: { binary_data_size: bytes.byteLength } }
  })
  for (const s of spec.sharedMemoryInputs ?? []) {
    inputs.push({
      name: s.name,
      datatype: s.datatype,
      shape: s.shape,
      parameters: shmParameters(s),
    })
  }
  const placed = spec.sharedMemoryOutputs ?? []
  const inShm = new Set(placed.map((o) => o.name))
  const outputs: JsonTensor[] = [
    ...(spec.outputs ?? [])
      .filter((name) => !inShm.has(name))
      .map((name) => ({ name, parameters: { binary_data: format === 'binary' } })),
    ...placed.map((o) => ({ name: o.name, parameters: shmParameters(o) })),
  ]
  const parameters: Record<string, unknown> = { ...(spec.parameters ?? {}) }
  // With no outputs named, every output comes back, as JSON unless asked otherwise.
  if (outputs.length === 0 && format === 'binary') parameters.binary_data_output = true
  const header = Buffer.from(
    toJsonText({
      ...(spec.id ? { id: spec.id } : {}),
      ...(Object.keys(parameters).length ? { parameters } : {}),
      inputs,
      ...(outputs.length ? { outputs } : {}),
    }),
  )
  if (blobs.length === 0) {
    return { body: header, headers: { 'content-type': 'application/json' } }
  }
  return {
    body: Buffer.concat([header, ...blobs]),
    headers: {
      'content-type': 'application/octet-stream',
      [INFER_HEADER_LENGTH]: String(header.byteLength),
    },
  }
}

function flatten(data: unknown): unknown[] {
  return Array.isArray(data) ? data.flat(Infinity as 1) : [data]
}

function jsonOutput(name: string, datatype: TritonDatatype, shape: number[], data: unknown) {
  const values = flatten(data)
  if (datatype === 'FP16' || datatype === 'BF16') {
    throw new HttpTensorFormatError(`output '${name}' is ${datatype} but arrived as JSON`)
  }
  const elements =
    datatype === 'BYTES'
      ? values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
      : values
  const tensor = { name, datatype, shape, data: elements } as Tensor
  return decodeTensor(name, datatype, shape, encodeTensor(tensor))
}

function responseParameters(p: unknown): Record<string, ParsedParameter> {
  const out: Record<string, ParsedParameter> = {}
  if (!p || typeof p !== 'object') return out
  for (const [k, v] of Object.entries(p as Record<string, unknown>)) {
    if (['boolean', 'number', 'string'].includes(typeof v)) out[k] = v as ParsedParameter
  }
  return out
}

/**
 * Reads an infer response: the JSON header (all of the body, or its first
 * Inference-Header-Content-Length bytes), then each output's bytes in order, JSON data, or
 * nothing for an output written into shared memory.
 */
export function decodeHttpInferResponse(
  body: Buffer,
  headerLength: number | undefined,
  inSharedMemory: ReadonlySet<string> = new Set(),
): InferResult {
  const jsonEnd = headerLength ?? body.byteLength
  if (!(jsonEnd >= 0 && jsonEnd <= body.byteLength)) {
    throw new HttpTensorFormatError(
      `the response says its JSON header is ${headerLength} bytes but the body has ${body.byteLength}`,
    )
  }
  const header = parseJsonBody(body.subarray(0, jsonEnd), 'infer response') as {
    id?: string
    model_name?: string
    model_version?: string
    parameters?: unknown
    outputs?: JsonTensor[]
  }
  let offset = jsonEnd
  const outputs = new Map<string, DecodedTensor>()
  const placed: PlacedOutput[] = []
  for (const o of header.outputs ?? []) {
    const datatype = String(o.datatype)
    if (!isTritonDatatype(datatype)) {
      throw new HttpTensorFormatError(`output '${o.name}' has unknown datatype '${datatype}'`)
    }
    const shape = (o.shape ?? []).map(Number)
    const size = o.parameters?.binary_data_size
    if (size !== undefined) {
      const n = Number(size)
      if (!(Number.isInteger(n) && n >= 0 && offset + n <= body.byteLength)) {
        throw new HttpTensorFormatError(
          `output '${o.name}' claims ${String(size)} bytes but only ${body.byteLength - offset} remain in the body`,
        )
      }
      outputs.set(o.name, decodeTensor(o.name, datatype, shape, body.subarray(offset, offset + n)))
      offset += n
    } else if (o.data !== undefined) {
      outputs.set(o.name, jsonOutput(o.name, datatype, shape, o.data))
    } else if (inSharedMemory.has(o.name)) {
      placed.push({ name: o.name, datatype, shape })
    } else {
      throw new HttpTensorFormatError(`output '${o.name}' arrived without data`)
    }
  }
  return {
    id: header.id ?? '',
    model: header.model_name ?? '',
    version: String(header.model_version ?? ''),
    parameters: responseParameters(header.parameters),
    outputs,
    ...(placed.length ? { placed } : {}),
  }
}
