import { SystemSharedMemoryRegion } from '../../triton/system-shared-memory'
import type { TritonApi } from '../../triton/triton-api'
import { TritonError } from '../../triton/triton-error'

export interface SlotNeed {
  inputBytes: number
  outputBytes: number
}

type SlotState = 'free' | 'busy' | 'tainted'

/**
 * One input and one output region, each cut into equal slots, registered once. A request holds
 * one slot of each until its answer is read. A slot whose request timed out or was cancelled is
 * never reused in that generation: the server may still write into it.
 */
class Generation {
  readonly states: SlotState[]
  busy = 0
  retiring = false

  constructor(
    readonly input: SystemSharedMemoryRegion,
    readonly output: SystemSharedMemoryRegion,
    readonly slotSize: SlotNeed,
    slots: number,
  ) {
    this.states = Array.from({ length: slots }, () => 'free')
  }

  fits(need: SlotNeed): boolean {
    return (
      need.inputBytes <= this.slotSize.inputBytes && need.outputBytes <= this.slotSize.outputBytes
    )
  }
}

export interface Slot {
  readonly generation: Generation
  readonly index: number
  readonly input: SystemSharedMemoryRegion
  readonly output: SystemSharedMemoryRegion
  readonly inputOffset: number
  readonly outputOffset: number
}

const MIN_SLOT = 64 * 1024
const PAGE = 4096

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to
}

export class SlotPool {
  private current: Generation | undefined
  private readonly generations = new Set<Generation>()
  private waiters: Array<() => void> = []
  private rolling: Promise<void> | undefined
  private counter = 0
  private closed = false

  constructor(
    private readonly api: TritonApi,
    private readonly stem: string,
    private readonly slots: number,
    private readonly shmDir = '/dev/shm',
  ) {}

  /** The server-side names of every region registered now (for tests and status). */
  get regionNames(): string[] {
    return [...this.generations].flatMap((g) => [g.input.name, g.output.name])
  }

  async acquire(need: SlotNeed): Promise<Slot> {
    for (;;) {
      if (this.closed) throw new TritonError('cancelled', 'the session stopped', '')
      const g = this.current
      if (g && g.fits(need)) {
        const index = g.states.indexOf('free')
        if (index >= 0) return this.take(g, index)
        if (g.busy > 0) {
          await new Promise<void>((r) => this.waiters.push(r))
          continue
        }
      }
      await this.roll(need)
    }
  }

  private take(g: Generation, index: number): Slot {
    g.states[index] = 'busy'
    g.busy += 1
    return {
      generation: g,
      index,
      input: g.input,
      output: g.output,
      inputOffset: index * g.slotSize.inputBytes,
      outputOffset: index * g.slotSize.outputBytes,
    }
  }

  release(slot: Slot, clean: boolean): void {
    const g = slot.generation
    if (g.states[slot.index] !== 'busy') return
    g.states[slot.index] = clean ? 'free' : 'tainted'
    g.busy -= 1
    if (g.retiring && g.busy === 0) void this.dispose(g)
    for (const wake of this.waiters.splice(0)) wake()
  }

  /** A new pair of regions, big enough for `need` and at least twice the last when it grew. */
  private roll(need: SlotNeed): Promise<void> {
    this.rolling ??= this.createGeneration(need).finally(() => (this.rolling = undefined))
    return this.rolling
  }

  private async createGeneration(need: SlotNeed): Promise<void> {
    const old = this.current
    if (old && old.fits(need) && old.states.includes('free')) return
    const grow = (wanted: number, had = 0): number =>
      roundUp(Math.max(MIN_SLOT, wanted, wanted > had && had > 0 ? had * 2 : had), PAGE)
    const size: SlotNeed = {
      inputBytes: grow(need.inputBytes, old?.slotSize.inputBytes),
      outputBytes: grow(need.outputBytes, old?.slotSize.outputBytes),
    }
    const n = ++this.counter
    const input = new SystemSharedMemoryRegion(
      `${this.stem}_in${n}`,
      size.inputBytes * this.slots,
      this.shmDir,
    )
    let output: SystemSharedMemoryRegion | undefined
    try {
      output = new SystemSharedMemoryRegion(
        `${this.stem}_out${n}`,
        size.outputBytes * this.slots,
        this.shmDir,
      )
      await this.register(input)
      try {
        await this.register(output)
      } catch (e) {
        await this.api.unregisterSystemSharedMemory(input.name).catch(() => undefined)
        throw e
      }
    } catch (e) {
      input.destroy()
      output?.destroy()
      throw e
    }
    const g = new Generation(input, output, size, this.slots)
    this.generations.add(g)
    this.current = g
    if (old) {
      old.retiring = true
      if (old.busy === 0) await this.dispose(old)
    }
  }

  private async register(region: SystemSharedMemoryRegion): Promise<void> {
    await this.api.registerSystemSharedMemory({
      name: region.name,
      key: region.key,
      byteSize: region.byteSize,
    })
  }

  private async dispose(g: Generation): Promise<void> {
    if (!this.generations.delete(g)) return
    if (this.current === g) this.current = undefined
    await Promise.all(
      [g.input, g.output].map((r) =>
        this.api.unregisterSystemSharedMemory(r.name).catch(() => undefined),
      ),
    )
    g.input.destroy()
    g.output.destroy()
  }

  /** Unregisters and unlinks every region; requests still waiting for a slot are cancelled. */
  async close(): Promise<void> {
    this.closed = true
    for (const wake of this.waiters.splice(0)) wake()
    await this.rolling?.catch(() => undefined)
    await Promise.all([...this.generations].map((g) => this.dispose(g)))
  }
}
