import type { GRPCInferenceServiceDefinition } from '../../triton/generated/inference/GRPCInferenceService'
import { loadTritonProto } from '../../triton/proto-loader'
import { TritonError } from '../../triton/triton-error'

type Definition = GRPCInferenceServiceDefinition
type ResponseOf<M extends keyof Definition> = Definition[M] extends {
  responseDeserialize: (b: Buffer) => infer R
}
  ? R
  : never

/**
 * Maps a JSON body from Triton's HTTP endpoint onto the object the gRPC client decodes for the
 * same call, by passing it through the protobuf message itself: Triton renders these bodies as
 * the protobuf's JSON with snake_case names (model config: always_print_primitive_fields and
 * int64 as numbers, core/src/model_config_utils.cc), so the field names line up one to one and
 * every caller gets identical shapes (int64 as strings, enums as names, defaults filled in).
 */
export function asGrpcMessage<M extends keyof Definition>(
  method: M,
  json: unknown,
  what: string,
): ResponseOf<M> {
  const definition = loadTritonProto().inference.GRPCInferenceService.service[
    method
  ] as unknown as {
    responseSerialize: (value: unknown) => Buffer
    responseDeserialize: (bytes: Buffer) => ResponseOf<M>
  }
  try {
    return definition.responseDeserialize(definition.responseSerialize(json))
  } catch (e) {
    throw new TritonError(
      'internal',
      `the server's ${what} is not in KServe v2 form: ${(e as Error).message}`,
      'check that the URL points at a Triton (or KServe v2) HTTP endpoint',
    )
  }
}

/** JSON.parse that names what failed to parse, in one line. */
export function parseJsonBody(body: Buffer | string, what: string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8')
  try {
    return JSON.parse(text)
  } catch {
    const head = text.replace(/\s+/g, ' ').trim().slice(0, 80)
    throw new TritonError(
      'internal',
      `the server's ${what} is not JSON${head ? ` (it starts '${head}')` : ''}`,
      'check that the URL points at a Triton (or KServe v2) HTTP endpoint',
    )
  }
}

/**
 * JSON text for request bodies, where int64 values may be BigInt and tensor data typed arrays:
 * BigInt is written as its exact digits (JSON.stringify refuses it), non-finite floats are
 * refused because JSON has no spelling for them.
 */
export function toJsonText(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  switch (typeof value) {
    case 'bigint':
      return value.toString()
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TritonError(
          'invalid-argument',
          `JSON cannot carry the value ${value}`,
          'use the binary tensor format, or clean NaN and infinity from the input',
        )
      }
      return String(value)
    case 'string':
    case 'boolean':
      return JSON.stringify(value)
    case 'object':
      if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
        const items = value as unknown as ArrayLike<number | bigint>
        for (let i = 0; i < items.length; i++) {
          const v = items[i]
          if (typeof v === 'number' && !Number.isFinite(v)) toJsonText(v)
        }
        // join writes each element as String() does: exact digits, shortest float form.
        return `[${Array.prototype.join.call(items, ',')}]`
      }
      if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`
      return `{${Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`)
        .join(',')}}`
    default:
      throw new TypeError(`cannot write a ${typeof value} as JSON`)
  }
}
