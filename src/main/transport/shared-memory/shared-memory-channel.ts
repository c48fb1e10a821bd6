import type { InferRequestSpec, InferResult, SharedMemoryInput } from '../../triton/infer-messages'
import { encodeTensor, TensorShapeError } from '../../triton/tensor-codec'
import { TritonError } from '../../triton/triton-error'
import type { ChannelRequestOptions, InferAnswer, InferChannel } from '../infer-channel'
import type { SharedMemoryTransport } from './shared-memory-transport'
import { align, planOutputs, readPlacedOutput, type OutputPlace } from './shm-tensors'
import type { Slot } from './slot-pool'

const TOO_SMALL = /output '([^']+)' \((\d+) bytes\) should be at least (\d+) bytes/

/** A channel whose requests carry region names instead of tensor bytes; see SharedMemoryTransport. */
export class SharedMemoryChannel implements InferChannel {
  constructor(
    private readonly transport: SharedMemoryTransport,
    private readonly inner: InferChannel,
    private readonly decoupled: boolean,
  ) {}

  get ordered(): boolean {
    return this.inner.ordered
  }

  get inFlight(): number {
    return this.inner.inFlight
  }

  get closed(): boolean {
    return this.inner.closed
  }

  onDidClose(listener: (error: TritonError | null) => void): () => void {
    return this.inner.onDidClose(listener)
  }

  end(): Promise<void> {
    return this.inner.end()
  }

  cancel(): void {
    this.inner.cancel()
  }

  async infer(spec: InferRequestSpec, options: ChannelRequestOptions = {}): Promise<InferAnswer> {
    const t = this.transport
    if (!t.active || spec.inputs.length === 0) return this.inner.infer(spec, options)
    const first = await this.tryShm(spec, options)
    if (first !== 'retry') return first
    return (await this.tryShm(spec, options, true)) as InferAnswer
  }

  private async tryShm(
    spec: InferRequestSpec,
    options: ChannelRequestOptions,
    last = false,
  ): Promise<InferAnswer | 'retry'> {
    const t = this.transport
    let slot: Slot
    let inputs: Buffer[]
    let outputs: OutputPlace[]
    try {
      await t.prepare()
      inputs = spec.inputs.map((x) => encodeTensor(x))
      // Decoupled answers would overwrite each other in one output room: they come as bytes.
      outputs = this.decoupled
        ? []
        : planOutputs(
            await t.modelMetadata(spec),
            spec.outputs,
            spec.inputs[0]?.shape[0] ?? 1,
            t.variableOutputBytes,
            t.grownOutputs,
          )
      const inputBytes = inputs.reduce((n, b) => align(n + b.byteLength), 0)
      const outputBytes = outputs.reduce((n, o) => align(n + o.capacity), 0)
      slot = await t.pool.acquire({ inputBytes, outputBytes })
    } catch (e) {
      t.refuse(e)
      return this.inner.infer(spec, options)
    }
    let clean = true
    try {
      const placed = this.place(spec, slot, inputs, outputs)
      const fill = (r: InferResult): InferResult => this.fill(r, slot, outputs)
      const answer = await this.inner.infer(placed, {
        ...options,
        onResponse: options.onResponse
          ? (r, final) => options.onResponse?.(fill(r), final)
          : undefined,
      })
      answer.responses.forEach(fill)
      return answer
    } catch (e) {
      // The server may still write into a slot whose request it never finished answering.
      clean = !(e instanceof TritonError && (e.kind === 'timeout' || e.kind === 'cancelled'))
      const small = e instanceof Error ? TOO_SMALL.exec(e.message) : null
      if (small && !last) {
        t.grownOutputs.set(small[1], Number(small[3]))
        return 'retry'
      }
      throw e
    } finally {
      t.pool.release(slot, clean)
    }
  }

  private place(
    spec: InferRequestSpec,
    slot: Slot,
    bytes: Buffer[],
    outputs: OutputPlace[],
  ): InferRequestSpec {
    let at = 0
    const sharedMemoryInputs: SharedMemoryInput[] = spec.inputs.map((x, i) => {
      const offset = slot.inputOffset + at
      slot.input.write(bytes[i], offset)
      at = align(at + bytes[i].byteLength)
      const ref = { region: slot.input.name, byteSize: bytes[i].byteLength, offset }
      return { name: x.name, datatype: x.datatype, shape: x.shape, ...ref }
    })
    return {
      ...spec,
      inputs: [],
      sharedMemoryInputs: [...(spec.sharedMemoryInputs ?? []), ...sharedMemoryInputs],
      sharedMemoryOutputs: outputs.map((o) => ({
        name: o.name,
        region: slot.output.name,
        byteSize: o.capacity,
        offset: slot.outputOffset + o.offset,
      })),
    }
  }

  /** Moves outputs the server wrote into the slot into the result, once. */
  private fill(result: InferResult, slot: Slot, outputs: OutputPlace[]): InferResult {
    for (const p of result.placed ?? []) {
      const place = outputs.find((o) => o.name === p.name)
      if (!place) continue
      try {
        result.outputs.set(p.name, readPlacedOutput(slot.output, slot.outputOffset, place, p))
      } catch (e) {
        if (!(e instanceof TensorShapeError)) throw e
        throw new TritonError(
          'model-error',
          `bad response to ${result.id}: ${e.message}`,
          'check the model outputs',
        )
      }
    }
    delete result.placed
    return result
  }
}
