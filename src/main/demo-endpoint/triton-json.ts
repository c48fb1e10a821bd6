import type { GRPCInferenceServiceDefinition } from '../triton/generated/inference/GRPCInferenceService'
import { asGrpcMessage } from '../transport/http/kserve-json'

/** The 64-bit fields of the messages the demo renders; Triton writes them as JSON numbers. */
const INT64_FIELDS = new Set([
  'dims',
  'shape',
  'max_sequence_idle_microseconds',
  'max_queue_delay_microseconds',
  'priority_levels',
  'default_priority_level',
  'default_timeout_microseconds',
  'count',
  'ns',
  'inference_count',
  'execution_count',
  'last_inference',
  'offset',
  'byte_size',
  'batch_size',
])

/** protobufjs' oneof discriminators; protobuf JSON has no such fields. */
const ONEOF_KEYS = new Set(['scheduling_choice', 'parameter_choice', 'policy_choice'])

function fix(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => fix(v, key))
  if (typeof value === 'string' && INT64_FIELDS.has(key) && /^-?\d+$/.test(value))
    return Number(value)
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k, v]) => v !== null && v !== undefined && !ONEOF_KEYS.has(k))
        .map(([k, v]) => [k, fix(v, k)]),
    )
  }
  return value
}

/**
 * A message rendered as Triton's HTTP endpoint renders it: the protobuf's JSON with snake_case
 * names, every primitive field printed, enums by name and 64-bit integers as numbers
 * (core/src/model_config_utils.cc ModelConfigToJson).
 */
export function tritonJson<M extends keyof GRPCInferenceServiceDefinition>(
  method: M,
  message: unknown,
): unknown {
  return fix(asGrpcMessage(method, message, String(method)))
}
