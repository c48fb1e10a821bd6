import { isTritonDatatype, type TritonDatatype } from '../../shared/tensor-types'
import type { InferParameter, InferParameter__Output } from './generated/inference/InferParameter'
import type { ModelInferRequest } from './generated/inference/ModelInferRequest'
import type { ModelInferResponse__Output } from './generated/inference/ModelInferResponse'
import type { InferTensorContents__Output } from './generated/inference/InferTensorContents'
import { concreteElementCount, MAX_TENSORS_PER_MODEL, shapeProblem } from '../../shared/limits'
import { DecodeError } from './decode-error'
import { decodeTensor, encodeTensor, type DecodedTensor, type Tensor } from './tensor-codec'

export type ParameterValue = boolean | number | string | bigint

/** An input whose bytes already sit in a registered system shared-memory region. */
export interface SharedMemoryInput {
  name: string
  datatype: Tensor['datatype']
  shape: number[]
  region: string
  byteSize: number
  offset?: number
}

/** An output the server writes into a registered region instead of the response. */
export interface SharedMemoryOutput {
  name: string
  region: string
  byteSize: number
  offset?: number
}

/** What the response says of an output that went to shared memory: its bytes are in the region. */
export interface PlacedOutput {
  name: string
  datatype: TritonDatatype
  shape: number[]
}

export interface InferRequestSpec {
  model: string
  version?: string
  id?: string
  inputs: Tensor[]
  /** Inputs passed by shared-memory handle instead of bytes (same host only). */
  sharedMemoryInputs?: SharedMemoryInput[]
  /** Outputs to return; all of them when absent (and no output goes to shared memory). */
  outputs?: string[]
  /** Outputs the server writes into shared-memory regions (same host only). */
  sharedMemoryOutputs?: SharedMemoryOutput[]
  parameters?: Record<string, ParameterValue>
}

export interface SequenceControl {
  /** 0 or '' means no sequence. Integers travel as int64_param, strings as string_param. */
  id: number | bigint | string
  start?: boolean
  end?: boolean
}

export function toInferParameter(value: ParameterValue): InferParameter {
  if (typeof value === 'boolean') return { bool_param: value }
  if (typeof value === 'string') return { string_param: value }
  if (typeof value === 'bigint') return { int64_param: value.toString() }
  if (Number.isInteger(value)) return { int64_param: value }
  return { double_param: value }
}

/** Request parameters for Triton's sequence batcher (sequence_id as int64 or string, per the protocol). */
export function sequenceParameters(seq: SequenceControl): Record<string, ParameterValue> {
  const id = typeof seq.id === 'number' ? BigInt(seq.id) : seq.id
  return {
    sequence_id: id,
    sequence_start: Boolean(seq.start),
    sequence_end: Boolean(seq.end),
  }
}

/**
 * The request without its tensors' bytes (raw_input_contents): what `serializeInferRequest`
 * (infer-request-writer.ts) encodes before writing each tensor's bytes once after it.
 */
export function inferRequestHead(spec: InferRequestSpec): ModelInferRequest {
  const shm = spec.sharedMemoryInputs ?? []
  if (shm.length > 0 && spec.inputs.length > 0) {
    // Triton pairs raw_input_contents with inputs by index, so the two kinds cannot be mixed.
    throw new Error('a request carries inputs either all as bytes or all through shared memory')
  }
  const parameters: Record<string, InferParameter> = {}
  for (const [k, v] of Object.entries(spec.parameters ?? {})) parameters[k] = toInferParameter(v)
  return {
    model_name: spec.model,
    model_version: spec.version ?? '',
    id: spec.id ?? '',
    parameters,
    inputs: [
      ...spec.inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape })),
      ...shm.map((s) => ({
        name: s.name,
        datatype: s.datatype,
        shape: s.shape,
        parameters: sharedMemoryParameters(s),
      })),
    ],
    outputs: requestedOutputs(spec),
  }
}

/** The whole request as a message object, for protobufjs (the demo endpoint, tests). */
export function buildInferRequest(spec: InferRequestSpec): ModelInferRequest {
  const head = inferRequestHead(spec)
  return { ...head, raw_input_contents: spec.inputs.map((t) => encodeTensor(t)) }
}

/** The tensor parameters that name a region, as Triton reads them on inputs and outputs alike. */
export function sharedMemoryParameters(ref: {
  region: string
  byteSize: number
  offset?: number
}): Record<string, InferParameter> {
  return {
    shared_memory_region: { string_param: ref.region },
    shared_memory_byte_size: { int64_param: ref.byteSize },
    ...(ref.offset ? { shared_memory_offset: { int64_param: ref.offset } } : {}),
  }
}

function requestedOutputs(spec: InferRequestSpec): ModelInferRequest['outputs'] {
  const placed = spec.sharedMemoryOutputs ?? []
  const inShm = new Set(placed.map((o) => o.name))
  return [
    ...(spec.outputs ?? []).filter((name) => !inShm.has(name)).map((name) => ({ name })),
    ...placed.map((o) => ({ name: o.name, parameters: sharedMemoryParameters(o) })),
  ]
}

export type ParsedParameter = boolean | string | number | bigint | undefined

export function parameterValue(p: InferParameter__Output | undefined): ParsedParameter {
  if (!p) return undefined
  const choice = p.parameter_choice
  if (!choice) return undefined
  const v = p[choice]
  if (choice === 'int64_param' || choice === 'uint64_param') {
    const big = BigInt(String(v))
    return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(big)
      : big
  }
  return v as boolean | string | number
}

export interface InferResult {
  id: string
  model: string
  version: string
  parameters: Record<string, ParsedParameter>
  outputs: Map<string, DecodedTensor>
  /** Outputs whose bytes the server wrote into shared memory; read them from their regions. */
  placed?: PlacedOutput[]
}

function typedContentsToRaw(
  datatype: TritonDatatype,
  c: InferTensorContents__Output,
): Tensor['data'] {
  switch (datatype) {
    case 'BOOL':
      return c.bool_contents
    case 'INT8':
    case 'INT16':
    case 'INT32':
      return c.int_contents
    case 'UINT8':
    case 'UINT16':
    case 'UINT32':
      return c.uint_contents
    case 'INT64':
      return BigInt64Array.from(c.int64_contents.map((s) => BigInt(s)))
    case 'UINT64':
      return BigUint64Array.from(c.uint64_contents.map((s) => BigInt(s)))
    case 'FP32':
    case 'FP16':
    case 'BF16':
      return c.fp32_contents
    case 'FP64':
      return c.fp64_contents
    case 'BYTES':
      return c.bytes_contents
  }
}

/** A response problem is the server's: say so, and keep the tensor for the ledger. */
function serverOutputError(what: string, tensor?: string): DecodeError {
  return new DecodeError(`the server's output is wrong: ${what}`, { tensor })
}

function decodeOutput(
  o: ModelInferResponse__Output['outputs'][number],
  raw: Uint8Array | undefined,
): DecodedTensor {
  const name = o.name
  if (!isTritonDatatype(o.datatype)) {
    throw serverOutputError(`output '${name}' has unknown datatype '${o.datatype}'`, name)
  }
  const shape = o.shape.map((d) => Number(d))
  const problem = shapeProblem(shape, false)
  if (problem)
    throw serverOutputError(`output '${name}' has shape [${shape.join(', ')}]: ${problem}`, name)
  try {
    if (raw !== undefined) return decodeTensor(name, o.datatype, shape, raw)
    if (!o.contents)
      throw new DecodeError(`output '${name}' arrived without data`, { tensor: name })
    const data = typedContentsToRaw(o.datatype, o.contents)
    const count = concreteElementCount(shape)
    if (data.length !== count) {
      throw new DecodeError(
        `output '${name}' (${o.datatype} [${shape.join(', ')}]) holds ${data.length} typed values, its shape needs ${count}`,
        { tensor: name },
      )
    }
    const bytes = encodeTensor({ name, datatype: o.datatype, shape, data })
    return decodeTensor(name, o.datatype, shape, bytes)
  } catch (e) {
    throw serverOutputError(e instanceof Error ? e.message : String(e), name)
  }
}

/**
 * Pairs outputs[k] with raw_output_contents[k] (Triton always fills both, in the order the
 * backend produced them) and keys them by name. Servers that answer with typed `contents`
 * instead of raw bytes are handled too. Everything is checked before it is allocated: a
 * response that does not add up is a DecodeError that blames the server's output.
 */
export function parseInferResponse(
  resp: ModelInferResponse__Output,
  inSharedMemory: ReadonlySet<string> = new Set(),
): InferResult {
  const outputs = new Map<string, DecodedTensor>()
  const placed: PlacedOutput[] = []
  const raws = resp.raw_output_contents
  if (resp.outputs.length > MAX_TENSORS_PER_MODEL) {
    throw serverOutputError(
      `${resp.outputs.length} output tensors, more than the ${MAX_TENSORS_PER_MODEL} a model may have`,
    )
  }
  if (raws.length > 0 && raws.length !== resp.outputs.length) {
    throw serverOutputError(
      `${resp.outputs.length} outputs described but ${raws.length} raw contents sent`,
    )
  }
  resp.outputs.forEach((o, k) => {
    if (outputs.has(o.name) || placed.some((p) => p.name === o.name))
      throw serverOutputError(`output '${o.name}' appears twice`, o.name)
    if (inSharedMemory.has(o.name)) {
      // Triton leaves an empty placeholder in raw_output_contents for an output in a region.
      if (!isTritonDatatype(o.datatype))
        throw serverOutputError(`output '${o.name}' has unknown datatype '${o.datatype}'`, o.name)
      const shape = o.shape.map((d) => Number(d))
      const problem = shapeProblem(shape, false)
      if (problem)
        throw serverOutputError(
          `output '${o.name}' has shape [${shape.join(', ')}]: ${problem}`,
          o.name,
        )
      placed.push({ name: o.name, datatype: o.datatype, shape })
      return
    }
    outputs.set(o.name, decodeOutput(o, raws[k]))
  })
  const parameters: Record<string, ParsedParameter> = {}
  for (const [k, v] of Object.entries(resp.parameters ?? {})) parameters[k] = parameterValue(v)
  return {
    id: resp.id,
    model: resp.model_name,
    version: resp.model_version,
    parameters,
    outputs,
    ...(placed.length ? { placed } : {}),
  }
}

const NONE: ReadonlySet<string> = new Set()

/** Names of the outputs a request asked to be written into shared memory. */
export function sharedMemoryOutputNames(spec: InferRequestSpec): ReadonlySet<string> {
  const outputs = spec.sharedMemoryOutputs
  // Most requests place no output: no set (and no array) of their own per request.
  return outputs?.length ? new Set(outputs.map((o) => o.name)) : NONE
}
