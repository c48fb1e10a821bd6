import { isTritonDatatype } from '../../shared/tensor-types'
import type { InferParameter__Output } from '../triton/generated/inference/InferParameter'
import type { ModelInferRequest__Output } from '../triton/generated/inference/ModelInferRequest'
import type { ModelInferResponse } from '../triton/generated/inference/ModelInferResponse'
import { decodeTensor, encodeTensor, type Tensor } from '../triton/tensor-codec'
import { DemoInferError } from './demo-inference-error'

type JsonObject = Record<string, unknown>

interface JsonTensor {
  name?: unknown
  datatype?: unknown
  shape?: unknown
  parameters?: JsonObject
  data?: unknown
}

const bad = (message: string): DemoInferError => new DemoInferError('INVALID_ARGUMENT', message)

/** A JSON parameter as the gRPC message carries it, so the inference code reads one form. */
function toParameter(value: unknown): InferParameter__Output | undefined {
  if (typeof value === 'boolean')
    return { bool_param: value, parameter_choice: 'bool_param' } as never
  if (typeof value === 'string')
    return { string_param: value, parameter_choice: 'string_param' } as never
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? ({ int64_param: String(value), parameter_choice: 'int64_param' } as never)
      : ({ double_param: value, parameter_choice: 'double_param' } as never)
  }
  return undefined
}

function toParameters(json: JsonObject | undefined, httpOnly: readonly string[]) {
  const out: Record<string, InferParameter__Output> = {}
  for (const [k, v] of Object.entries(json ?? {})) {
    if (httpOnly.includes(k)) continue
    const p = toParameter(v)
    if (p) out[k] = p
  }
  return out
}

function jsonInputBytes(input: JsonTensor, datatype: Tensor['datatype'], shape: number[]): Buffer {
  if (datatype === 'FP16' || datatype === 'BF16') {
    throw bad(
      `receiving ${datatype} data via JSON is not supported. Please use the binary data format for input ${String(input.name)}`,
    )
  }
  const flat = Array.isArray(input.data)
    ? (input.data as unknown[]).flat(Infinity as 1)
    : [input.data]
  try {
    return encodeTensor({ name: String(input.name), datatype, shape, data: flat as never })
  } catch (e) {
    throw bad(`unable to parse 'data' of input '${String(input.name)}': ${(e as Error).message}`)
  }
}

export interface ParsedHttpInfer {
  request: ModelInferRequest__Output
  /** Per output name: binary (true) or JSON (false); shared-memory outputs are absent. */
  binary: (name: string) => boolean
}

/**
 * Reads a KServe v2 HTTP infer body into the gRPC request message DemoInference runs: the JSON
 * header, then the binary blobs of inputs with `binary_data_size` in order; JSON `data` arrays
 * are encoded to the same raw bytes (Triton's http_server.cc rules and wording).
 */
export function parseHttpInfer(
  model: string,
  version: string,
  body: Buffer,
  headerLength: number | undefined,
): ParsedHttpInfer {
  const jsonEnd = headerLength ?? body.byteLength
  if (!(jsonEnd >= 0 && jsonEnd <= body.byteLength)) {
    throw bad(
      `Inference-Header-Content-Length ${headerLength} exceeds the body of ${body.byteLength} bytes`,
    )
  }
  let json: JsonObject
  try {
    json = JSON.parse(body.subarray(0, jsonEnd).toString('utf8')) as JsonObject
  } catch (e) {
    throw bad(`failed to parse the request JSON buffer: ${(e as Error).message}`)
  }
  const params = (json.parameters ?? {}) as JsonObject
  for (const k of Object.keys(params)) {
    if (k.startsWith('triton_'))
      throw bad(
        "parameter keys starting with 'triton_' are reserved for Triton usage and should not be specified.",
      )
  }
  let offset = jsonEnd
  const raw: Buffer[] = []
  const inputs = ((json.inputs ?? []) as JsonTensor[]).map((input) => {
    const name = String(input.name)
    const datatype = String(input.datatype)
    const shape = Array.isArray(input.shape) ? input.shape.map(Number) : []
    if (!isTritonDatatype(datatype)) throw bad(`invalid datatype '${datatype}' of input '${name}'`)
    const p = input.parameters ?? {}
    if (p.binary_data_size !== undefined) {
      const n = Number(p.binary_data_size)
      if (!(Number.isInteger(n) && n >= 0 && offset + n <= body.byteLength)) {
        throw bad(
          `unexpected size of binary data for input '${name}': ${String(p.binary_data_size)}`,
        )
      }
      raw.push(body.subarray(offset, offset + n))
      offset += n
    } else if (p.shared_memory_region !== undefined) {
      raw.push(Buffer.alloc(0))
    } else if (input.data !== undefined) {
      raw.push(jsonInputBytes(input, datatype, shape))
    } else {
      throw bad(
        `input '${name}' must specify one of 'data', 'binary_data_size' in 'parameters', 'shared_memory_region' in 'parameters'`,
      )
    }
    return {
      name,
      datatype,
      shape: shape.map(String),
      parameters: toParameters(p, ['binary_data_size']),
      contents: null,
    }
  })
  if (offset !== body.byteLength) {
    throw bad(`unexpected additional input data for model '${model}'`)
  }
  const defaultBinary = params.binary_data_output === true
  const outputs = ((json.outputs ?? []) as JsonTensor[]).map((o) => ({
    name: String(o.name),
    parameters: toParameters(o.parameters, ['binary_data']),
  }))
  const perOutput = new Map(
    ((json.outputs ?? []) as JsonTensor[]).map((o) => [String(o.name), o.parameters ?? {}]),
  )
  return {
    request: {
      model_name: model,
      model_version: version,
      id: typeof json.id === 'string' ? json.id : '',
      parameters: toParameters(params, ['binary_data_output']),
      inputs,
      outputs,
      raw_input_contents: raw,
    } as ModelInferRequest__Output,
    binary: (name) => {
      const p = perOutput.get(name)
      if (p?.shared_memory_region !== undefined) return false
      return typeof p?.binary_data === 'boolean' ? p.binary_data : defaultBinary
    },
  }
}

function jsonOutputData(name: string, datatype: string, shape: number[], raw: Buffer): unknown[] {
  if (datatype === 'FP16' || datatype === 'BF16') {
    throw bad(
      `sending ${datatype} data via JSON is not supported. Please use the binary data format for output ${name}`,
    )
  }
  if (!isTritonDatatype(datatype)) throw bad(`output '${name}' has unknown datatype`)
  const t = decodeTensor(name, datatype, shape, raw)
  if (t.datatype === 'BYTES')
    return (t.data as Uint8Array[]).map((b) => Buffer.from(b).toString('utf8'))
  if (t.datatype === 'BOOL') return Array.from(t.data as Uint8Array, (v) => v !== 0)
  return Array.from(t.data as ArrayLike<number | bigint>, (v) =>
    typeof v === 'bigint' ? Number(v) : v,
  )
}

/** The response body: JSON header, then the binary outputs in order (Triton's FinalizeResponse). */
export function renderHttpInfer(
  response: ModelInferResponse,
  parsed: ParsedHttpInfer,
  inSharedMemory: (name: string) => boolean,
): { body: Buffer; headerLength?: number } {
  const blobs: Buffer[] = []
  const outputs = (response.outputs ?? []).map((o, k) => {
    const name = String(o.name)
    const shape = (o.shape ?? []).map(Number)
    const head = { name, datatype: o.datatype, shape }
    if (inSharedMemory(name)) return head
    const raw = Buffer.from((response.raw_output_contents ?? [])[k] ?? Buffer.alloc(0))
    if (!parsed.binary(name))
      return { ...head, data: jsonOutputData(name, String(o.datatype), shape, raw) }
    if (raw.byteLength > 0) blobs.push(raw)
    return { ...head, parameters: { binary_data_size: raw.byteLength } }
  })
  const header = Buffer.from(
    JSON.stringify({
      model_name: response.model_name,
      model_version: response.model_version,
      ...(response.id ? { id: response.id } : {}),
      outputs,
    }),
  )
  if (blobs.length === 0) return { body: header }
  return { body: Buffer.concat([header, ...blobs]), headerLength: header.byteLength }
}
