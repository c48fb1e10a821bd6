import { configTypeToDatatype, elementCount, isTritonDatatype } from '../../shared/tensor-types'
import type { ModelConfig } from '../triton/generated/inference/ModelConfig'
import type { ModelInferRequest__Output } from '../triton/generated/inference/ModelInferRequest'
import type { ModelInferResponse } from '../triton/generated/inference/ModelInferResponse'
import type { InferParameter__Output } from '../triton/generated/inference/InferParameter'
import { decodeTensor, type DecodedTensor, type Tensor } from '../triton/tensor-codec'
import { modelConfigOf } from './demo-control'
import { DemoInferError } from './demo-inference-error'
import { fullShape, matchesShape, type DemoModel } from './demo-models'
import { buildResponse, checkRequestedOutputs } from './demo-outputs'
import { add, newCounters, type ModelCounters } from './model-statistics-store'
import type { SharedMemoryRegistry } from './shared-memory-registry'

export { DemoInferError } from './demo-inference-error'

interface SequenceSlot {
  state: Record<string, unknown>
  lastSeen: number
  /** Valid audio samples the sequence received (WAV_LENS), for the sequence log. */
  samples: number
}

/** One line per completed sequence: what a fault test counts at the server. */
export interface SequenceLogEntry {
  model: string
  sequenceId: string
  samples: number
  text: string
}

const RESERVED_OK = new Set(['triton_enable_empty_final_response'])

function param(
  p: InferParameter__Output | undefined,
): boolean | string | bigint | number | undefined {
  if (!p?.parameter_choice) return undefined
  const v = p[p.parameter_choice]
  if (p.parameter_choice === 'int64_param' || p.parameter_choice === 'uint64_param')
    return BigInt(String(v))
  return v as boolean | string | number
}

export interface ExecutedRequest {
  /** One entry per response; non-decoupled models always have exactly one. */
  responses: ModelInferResponse[]
  emptyFinal: boolean
}

/**
 * Runs requests against the demo models with Triton's semantics: input validation and its
 * error wording, sequence batching with per-sequence state, one instance per model (so a busy
 * model queues), and cumulative statistics.
 */
export class DemoInference {
  readonly counters = new Map<string, ModelCounters>()
  private readonly models = new Map<string, DemoModel>()
  private readonly loaded = new Set<string>()
  private readonly sequences = new Map<string, SequenceSlot>()
  private readonly busy = new Map<string, Promise<void>>()

  private readonly delayMs: number
  private readonly onSequenceEnd: ((entry: SequenceLogEntry) => void) | undefined

  constructor(
    models: readonly DemoModel[],
    private readonly shm?: SharedMemoryRegistry,
    options: {
      delayMs?: number
      /** Called when a sequence ends successfully. */
      onSequenceEnd?: (entry: SequenceLogEntry) => void
    } = {},
  ) {
    this.delayMs = Math.max(0, options.delayMs ?? 0)
    this.onSequenceEnd = options.onSequenceEnd
    for (const m of models) {
      this.models.set(m.name, m)
      this.loaded.add(m.name)
      this.counters.set(m.name, newCounters())
    }
  }

  list(): Array<{ model: DemoModel; ready: boolean }> {
    return [...this.models.values()].map((model) => ({ model, ready: this.loaded.has(model.name) }))
  }

  get(name: string, version = ''): DemoModel {
    const model = this.models.get(name)
    if (!model || !this.loaded.has(name) || (version && version !== '1')) {
      throw new DemoInferError(
        'NOT_FOUND',
        version && model
          ? `Request for unknown model: '${name}' version ${version} is not found`
          : `Request for unknown model: '${name}' is not found`,
      )
    }
    return model
  }

  exists(name: string): boolean {
    return this.models.has(name)
  }

  setLoaded(name: string, loaded: boolean): void {
    if (!this.models.has(name)) {
      throw new DemoInferError(
        'INVALID_ARGUMENT',
        `failed to load '${name}', failed to poll from model repository`,
      )
    }
    if (loaded) this.loaded.add(name)
    else this.loaded.delete(name)
  }

  private decodeInputs(
    model: DemoModel,
    req: ModelInferRequest__Output,
  ): Map<string, DecodedTensor> {
    const required = model.inputs.filter((i) => !i.optional)
    const missing = required.filter((r) => !req.inputs.some((i) => i.name === r.name))
    if (missing.length > 0 || req.inputs.length > model.inputs.length) {
      throw new DemoInferError(
        'INVALID_ARGUMENT',
        `expected ${required.length} inputs but got ${req.inputs.length} inputs for model '${model.name}'. ` +
          `Got input(s) [${req.inputs.map((i) => `'${i.name}'`).join(', ')}], but missing required input(s) ` +
          `[${required
            .filter((r) => !req.inputs.some((i) => i.name === r.name))
            .map((r) => `'${r.name}'`)
            .join(', ')}]. ` +
          `Please provide all required input(s).`,
      )
    }
    if (req.raw_input_contents.length > 0 && req.raw_input_contents.length !== req.inputs.length) {
      throw new DemoInferError(
        'INVALID_ARGUMENT',
        `expected ${req.inputs.length} raw input contents, got ${req.raw_input_contents.length}`,
      )
    }
    const out = new Map<string, DecodedTensor>()
    let batch: number | undefined
    req.inputs.forEach((input, i) => {
      const spec = model.inputs.find((s) => s.name === input.name)
      if (!spec) {
        throw new DemoInferError(
          'INVALID_ARGUMENT',
          `unexpected inference input '${input.name}' for model '${model.name}'`,
        )
      }
      if (input.datatype !== spec.datatype || !isTritonDatatype(input.datatype)) {
        throw new DemoInferError(
          'INVALID_ARGUMENT',
          `inference input '${input.name}' data-type is '${input.datatype}', but model '${model.name}' expects '${spec.datatype}'`,
        )
      }
      const shape = input.shape.map(Number)
      const expected = fullShape(model, spec)
      if (!matchesShape(expected, shape)) {
        throw new DemoInferError(
          'INVALID_ARGUMENT',
          `unexpected shape for input '${input.name}' for model '${model.name}'. ` +
            `Expected [${expected.join(',')}], got [${shape.join(',')}]`,
        )
      }
      if (model.maxBatchSize > 0) {
        if (shape[0] > model.maxBatchSize || shape[0] < 1) {
          throw new DemoInferError(
            'INVALID_ARGUMENT',
            `inference request batch-size must be <= ${model.maxBatchSize} for '${model.name}'`,
          )
        }
        if (batch !== undefined && batch !== shape[0]) {
          throw new DemoInferError(
            'INVALID_ARGUMENT',
            `input '${input.name}' batch size does not match other inputs`,
          )
        }
        batch = shape[0]
      }
      const raw = this.inputBytes(model, input, req.raw_input_contents[i])
      try {
        out.set(input.name, decodeTensor(input.name, spec.datatype, shape, raw))
      } catch (e) {
        const count = elementCount(shape)
        throw new DemoInferError(
          'INVALID_ARGUMENT',
          `input byte size mismatch for input '${input.name}' for model '${model.name}' ` +
            `(${count} elements of ${spec.datatype}): ${(e as Error).message}`,
        )
      }
    })
    return out
  }

  private inputBytes(
    model: DemoModel,
    input: ModelInferRequest__Output['inputs'][number],
    raw: Buffer | undefined,
  ): Uint8Array {
    const region = param(input.parameters?.shared_memory_region)
    if (region !== undefined) {
      if (!this.shm)
        throw new DemoInferError('INVALID_ARGUMENT', 'shared memory is not enabled on this server')
      const size = param(input.parameters?.shared_memory_byte_size)
      const offset = param(input.parameters?.shared_memory_offset) ?? 0n
      if (size === undefined) {
        throw new DemoInferError(
          'INVALID_ARGUMENT',
          `'shared_memory_byte_size' must be specified along with 'shared_memory_region' for input '${input.name}'`,
        )
      }
      try {
        return this.shm.read(String(region), Number(offset), Number(size))
      } catch (e) {
        throw new DemoInferError('INVALID_ARGUMENT', (e as Error).message)
      }
    }
    if (raw === undefined) {
      throw new DemoInferError(
        'INVALID_ARGUMENT',
        `input '${input.name}' for model '${model.name}' has no data; send it in raw_input_contents`,
      )
    }
    return raw
  }

  private sequenceFor(
    model: DemoModel,
    req: ModelInferRequest__Output,
  ): { key: string; start: boolean; end: boolean } | undefined {
    const idParam = req.parameters?.sequence_id
    if (idParam?.parameter_choice === 'uint64_param') {
      throw new DemoInferError(
        'INVALID_ARGUMENT',
        "invalid value type for 'sequence_id' parameter, expected int64_param or string_param.",
      )
    }
    const id = param(idParam)
    const start = param(req.parameters?.sequence_start) === true
    const end = param(req.parameters?.sequence_end) === true
    const hasId = id !== undefined && id !== 0n && id !== ''
    if (!model.sequence) return undefined
    if (!hasId) {
      throw new DemoInferError(
        'INVALID_ARGUMENT',
        `inference request to model '${model.name}' must specify a non-zero or non-empty correlation ID`,
      )
    }
    this.checkCorrelationIdType(model, id)
    const key = `${model.name}\u0000${String(id)}`
    this.expireIdle(model)
    if (!start && !this.sequences.has(key)) {
      throw new DemoInferError(
        'INVALID_ARGUMENT',
        `inference request for sequence ${String(id)} to model '${model.name}' must specify the START flag on the first request of the sequence`,
      )
    }
    return { key, start, end }
  }

  /**
   * Triton's sequence batcher takes string ids only where CORRID is TYPE_STRING and integer ids
   * only elsewhere; the CORRID control sits on the model or, for an ensemble, on a step.
   */
  private checkCorrelationIdType(model: DemoModel, id: unknown): void {
    const carrier = this.correlationIdCarrier(model)
    if (!carrier) return
    const sent = typeof id === 'string' ? 'BYTES' : 'UINT64'
    if ((sent === 'BYTES') === (carrier.datatype === 'BYTES')) return
    const where = carrier.model === model.name ? '' : `in ensemble '${model.name}', `
    throw new DemoInferError(
      'INVALID_ARGUMENT',
      `${where}[request id: <id_unknown>] sequence batching control 'CORRID' data-type is '${sent}', but model '${carrier.model}' expects '${carrier.datatype}'`,
    )
  }

  private correlationIdCarrier(model: DemoModel): { model: string; datatype: string } | undefined {
    const config = modelConfigOf(model)
    const own = corridDatatype(config)
    if (own) return { model: model.name, datatype: own }
    for (const step of config.ensemble_scheduling?.step ?? []) {
      const stepModel = this.models.get(step.model_name ?? '')
      const datatype = stepModel && corridDatatype(modelConfigOf(stepModel))
      if (datatype) return { model: stepModel.name, datatype }
    }
    return undefined
  }

  private expireIdle(model: DemoModel): void {
    const idleMs = (model.sequence?.idleMicroseconds ?? 1_000_000) / 1000
    const now = Date.now()
    for (const [key, slot] of this.sequences) {
      if (key.startsWith(`${model.name}\u0000`) && now - slot.lastSeen > idleMs)
        this.sequences.delete(key)
    }
  }

  private checkParameters(req: ModelInferRequest__Output): void {
    for (const key of Object.keys(req.parameters ?? {})) {
      if (key.startsWith('triton_') && !RESERVED_OK.has(key)) {
        throw new DemoInferError(
          'INVALID_ARGUMENT',
          `Parameter '${key}' is a reserved parameter and cannot be specified.`,
        )
      }
    }
  }

  /** Runs one request; queues behind other requests to the same model (one instance each). */
  async execute(
    req: ModelInferRequest__Output,
    via: 'unary' | 'stream' | 'http',
  ): Promise<ExecutedRequest> {
    const arrived = process.hrtime.bigint()
    const model = this.get(req.model_name, req.model_version)
    const counters = this.counters.get(model.name) as ModelCounters
    if (via !== 'stream' && model.decoupled) {
      throw new DemoInferError(
        'UNIMPLEMENTED',
        via === 'http'
          ? `HTTP end point doesn't support models with decoupled transaction policy`
          : `ModelInfer RPC doesn't support models with decoupled transaction policy`,
      )
    }
    counters.pending += 1
    const previous = this.busy.get(model.name) ?? Promise.resolve()
    let release: () => void = () => undefined
    const mine = new Promise<void>((r) => (release = r))
    this.busy.set(
      model.name,
      previous.then(() => mine),
    )
    await previous
    counters.pending -= 1
    const began = process.hrtime.bigint()
    try {
      this.checkParameters(req)
      checkRequestedOutputs(model, req)
      const seq = this.sequenceFor(model, req)
      const inputs = this.decodeInputs(model, req)
      const decoded = process.hrtime.bigint()
      let slot: SequenceSlot | undefined
      if (seq) {
        slot = seq.start
          ? { state: {}, lastSeen: Date.now(), samples: 0 }
          : this.sequences.get(seq.key)
        if (slot) this.sequences.set(seq.key, slot)
      }
      if (slot) slot.samples += validLength(inputs)
      // A slow model, on purpose: the time is spent holding the instance, as compute would.
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs))
      let produced: Tensor[] | Tensor[][]
      try {
        produced = await model.execute(
          inputs,
          seq && slot ? { start: seq.start, end: seq.end, state: slot.state } : undefined,
        )
      } catch (e) {
        // A model may word its own failure, as Triton's backends do (python backend, ensembles).
        if (e instanceof DemoInferError) throw e
        throw new DemoInferError(
          'INTERNAL',
          `model '${model.name}' failed: ${(e as Error).message}`,
          'BACKEND',
        )
      } finally {
        if (seq && slot) {
          slot.lastSeen = Date.now()
          if (seq.end) this.sequences.delete(seq.key)
        }
      }
      const inferred = process.hrtime.bigint()
      if (seq?.end && slot && this.onSequenceEnd) {
        this.onSequenceEnd({
          model: model.name,
          sequenceId: seq.key,
          samples: slot.samples,
          text: textOf(produced),
        })
      }
      const groups: Tensor[][] = model.decoupled ? (produced as Tensor[][]) : [produced as Tensor[]]
      const responses = groups.map((tensors) => buildResponse(model, req, tensors, this.shm))
      const done = process.hrtime.bigint()
      add(counters.queue, began - arrived)
      add(counters.computeInput, decoded - began)
      add(counters.computeInfer, inferred - decoded)
      add(counters.computeOutput, done - inferred)
      add(counters.success, done - arrived)
      counters.inferenceCount += BigInt(Math.max(1, Number(req.inputs[0]?.shape[0] ?? 1)))
      counters.executionCount += 1n
      counters.lastInferenceMs = Date.now()
      const emptyFinal = param(req.parameters?.triton_enable_empty_final_response) === true
      return { responses, emptyFinal }
    } catch (e) {
      add(counters.fail, process.hrtime.bigint() - arrived)
      const err =
        e instanceof DemoInferError
          ? e
          : new DemoInferError('INTERNAL', (e as Error).message, 'OTHER')
      counters.failuresByReason[err.reason] += 1
      throw err
    } finally {
      release()
    }
  }
}

/** WAV_LENS when the request has it (the valid part of a padded chunk), else 0. */
function validLength(inputs: ReadonlyMap<string, DecodedTensor>): number {
  const lens = inputs.get('WAV_LENS')?.data
  if (!lens || Array.isArray(lens)) return 0
  const v = (lens as ArrayLike<number | bigint>)[0]
  return v === undefined ? 0 : Number(v)
}

function textOf(produced: Tensor[] | Tensor[][]): string {
  const flat = (produced as Array<Tensor | Tensor[]>).flat()
  const t = flat.find((x) => x.datatype === 'BYTES')
  const d = t?.data
  if (!Array.isArray(d)) return ''
  return d
    .map((x) => (typeof x === 'string' ? x : new TextDecoder().decode(x as Uint8Array)))
    .join(' ')
}

function corridDatatype(config: ModelConfig): string | undefined {
  for (const input of config.sequence_batching?.control_input ?? [])
    for (const control of input.control ?? [])
      if (control.kind === 'CONTROL_SEQUENCE_CORRID')
        return configTypeToDatatype(String(control.data_type ?? 'TYPE_UINT64'))
  return undefined
}
