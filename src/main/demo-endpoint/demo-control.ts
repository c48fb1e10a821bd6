import { datatypeToConfigType } from '../../shared/tensor-types'
import type { ModelConfig } from '../triton/generated/inference/ModelConfig'
import type { ModelMetadataResponse } from '../triton/generated/inference/ModelMetadataResponse'
import type { ModelStatistics } from '../triton/generated/inference/ModelStatistics'
import type { RepositoryIndexResponse } from '../triton/generated/inference/RepositoryIndexResponse'
import type { ServerMetadataResponse } from '../triton/generated/inference/ServerMetadataResponse'
import type { DemoInference } from './demo-inference'
import { DemoInferError } from './demo-inference-error'
import { fullShape, type DemoModel } from './demo-models'
import { durationMessage } from './model-statistics-store'
import type { RegionInfo, SharedMemoryRegistry } from './shared-memory-registry'

/**
 * What the demo endpoint answers to every control call, as protobuf-shaped messages; the gRPC
 * handlers send them as they are and the HTTP routes render them as Triton's JSON, so the two
 * protocols cannot disagree.
 */
export const DEMO_SERVER_NAME = 'triton-live-demo'
export const DEMO_SERVER_VERSION = '2.61.0-demo'
export const DEMO_EXTENSIONS = [
  'classification',
  'sequence',
  'sequence(string_id)',
  'model_repository',
  'model_repository(unload_dependents)',
  'model_configuration',
  'system_shared_memory',
  'binary_tensor_data',
  'parameters',
  'statistics',
]

/** Triton 26.04+ (server PR #8721) refuses client regions unless started with this flag. */
export const CLIENT_SHM_DISABLED =
  "Client shared memory is disabled. Start the server with '--allow-client-shm=true' to enable."

export function serverMetadataMessage(extensions = DEMO_EXTENSIONS): ServerMetadataResponse {
  return { name: DEMO_SERVER_NAME, version: DEMO_SERVER_VERSION, extensions }
}

type ConfigDataType = NonNullable<NonNullable<ModelConfig['input']>[number]['data_type']>

export function modelConfigOf(model: DemoModel): ModelConfig {
  // A model may bring a real deployment's config verbatim (the model-family test servers do).
  if (model.config) return model.config
  const base: ModelConfig = {
    name: model.name,
    platform: model.platform,
    backend: model.backend,
    max_batch_size: model.maxBatchSize,
    input: model.inputs.map((i) => ({
      name: i.name,
      data_type: datatypeToConfigType(i.datatype) as ConfigDataType,
      dims: i.dims,
      optional: Boolean(i.optional),
      format: i.name === 'images' ? 'FORMAT_NCHW' : 'FORMAT_NONE',
    })),
    output: model.outputs.map((o) => ({
      name: o.name,
      data_type: datatypeToConfigType(o.datatype) as ConfigDataType,
      dims: o.dims,
    })),
    instance_group: [{ name: `${model.name}_0`, kind: 'KIND_CPU', count: 1 }],
    parameters: Object.fromEntries(
      Object.entries(model.parameters ?? {}).map(([k, v]) => [k, { string_value: v }]),
    ),
    model_transaction_policy: { decoupled: Boolean(model.decoupled) },
  }
  if (model.sequence) {
    base.sequence_batching = {
      max_sequence_idle_microseconds: model.sequence.idleMicroseconds,
      oldest: {
        max_candidate_sequences: 64,
        preferred_batch_size: [1],
        max_queue_delay_microseconds: 0,
      },
      control_input: [
        { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', fp32_false_true: [0, 1] }] },
        { name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', fp32_false_true: [0, 1] }] },
        { name: 'END', control: [{ kind: 'CONTROL_SEQUENCE_END', fp32_false_true: [0, 1] }] },
        {
          name: 'CORRID',
          control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT64' }],
        },
      ],
    }
  } else if (model.dynamicBatching) {
    base.dynamic_batching = { max_queue_delay_microseconds: 100 }
  }
  return base
}

export function modelMetadataMessage(model: DemoModel): ModelMetadataResponse {
  return {
    name: model.name,
    versions: ['1'],
    platform: model.platform || model.backend,
    inputs: model.inputs.map((i) => ({
      name: i.name,
      datatype: i.datatype,
      shape: fullShape(model, i),
    })),
    outputs: model.outputs.map((o) => ({
      name: o.name,
      datatype: o.datatype,
      shape: fullShape(model, o),
    })),
  }
}

/** Both names empty: every ready model, as Triton answers. */
export function modelStatisticsMessages(
  inference: DemoInference,
  name: string,
  version: string,
): ModelStatistics[] {
  const names = name
    ? [inference.get(name, version).name]
    : inference
        .list()
        .filter((x) => x.ready)
        .map((x) => x.model.name)
  return names.map((n) => {
    const c = inference.counters.get(n)
    if (!c) throw new DemoInferError('NOT_FOUND', `requested model '${n}' is not found`)
    return {
      name: n,
      version: '1',
      last_inference: c.lastInferenceMs,
      inference_count: c.inferenceCount.toString(),
      execution_count: c.executionCount.toString(),
      inference_stats: {
        success: durationMessage(c.success),
        fail: durationMessage(c.fail),
        queue: durationMessage(c.queue),
        compute_input: durationMessage(c.computeInput),
        compute_infer: durationMessage(c.computeInfer),
        compute_output: durationMessage(c.computeOutput),
        cache_hit: { count: 0, ns: 0 },
        cache_miss: { count: 0, ns: 0 },
      },
    }
  })
}

export function repositoryIndexMessage(
  inference: DemoInference,
  readyOnly: boolean,
): RepositoryIndexResponse {
  return {
    models: inference
      .list()
      .filter((x) => !readyOnly || x.ready)
      .map(({ model, ready }) => ({
        name: model.name,
        version: '1',
        state: ready ? 'READY' : 'UNAVAILABLE',
        reason: ready ? '' : 'unloaded',
      })),
  }
}

/** The shared-memory calls with Triton's gate and error kinds, for both protocols. */
export class DemoSharedMemory {
  constructor(
    readonly registry: SharedMemoryRegistry,
    private readonly allowClientShm: boolean,
  ) {}

  private gate(): void {
    if (!this.allowClientShm) throw new DemoInferError('UNIMPLEMENTED', CLIENT_SHM_DISABLED)
  }

  register(region: RegionInfo): void {
    this.gate()
    try {
      this.registry.register(region)
    } catch (e) {
      const msg = (e as Error).message
      throw new DemoInferError(msg.includes('already') ? 'ALREADY_EXISTS' : 'INVALID_ARGUMENT', msg)
    }
  }

  unregister(name: string): void {
    this.gate()
    this.registry.unregister(name)
  }

  status(name: string): RegionInfo[] {
    try {
      return this.registry.status(name)
    } catch (e) {
      throw new DemoInferError('NOT_FOUND', (e as Error).message)
    }
  }
}
