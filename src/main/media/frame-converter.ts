import { Worker } from 'node:worker_threads'
import { checkFrameSize, fill, fillImageTensor, type ImageTensorPlan } from './frame-to-tensor'
import { frameFillModule, newFrameMemory, runFrameFill, wasmFillable } from './wasm-frame-fill'

/**
 * A frame's RGB bytes and the tensor made from them, in memory the converter's thread shares:
 * the frame is copied in once (1.2 MB at 640x640) and the tensor (4.9 MB) never. The pipeline
 * reuses slots frame after frame; the tensor is what the transport sends.
 */
export interface FrameSlot {
  readonly rgb: Uint8Array
  readonly tensor: Float32Array | Uint8Array
  /** Both in one WebAssembly memory, RGB at 0, when the SIMD code can fill this plan's frames. */
  readonly memory?: WebAssembly.Memory
}

export function newFrameSlot(plan: ImageTensorPlan): FrameSlot {
  if (wasmFillable(plan)) return newFrameMemory(plan)
  const rgb = new Uint8Array(new SharedArrayBuffer(plan.size))
  const out = new SharedArrayBuffer(plan.size * (plan.bytes ? 1 : 4))
  return { rgb, tensor: plan.bytes ? new Uint8Array(out) : new Float32Array(out) }
}

/** Whether the SIMD code fills this slot's tensor for this plan. */
function simdFills(slot: FrameSlot, plan: ImageTensorPlan): boolean {
  return slot.memory !== undefined && wasmFillable(plan)
}

/**
 * Fills the slot's tensor from `rgb` on this thread: with the SIMD code when the slot and plan
 * allow (0.6 ms a 640x640 frame), else in JavaScript (1.0-2.3 ms); the values are the same.
 */
export function fillSlot(rgb: Uint8Array, slot: FrameSlot, plan: ImageTensorPlan): void {
  const module = frameFillModule()
  if (!slot.memory || !module || !wasmFillable(plan)) {
    fillImageTensor(rgb, plan, slot.tensor)
    return
  }
  checkFrameSize(rgb, plan)
  if (rgb !== slot.rgb) slot.rgb.set(rgb)
  runFrameFill(module, slot.memory, slot.tensor.byteOffset, plan)
}

interface Job {
  id: number
  rgb: SharedArrayBuffer
  out: SharedArrayBuffer
  plan: ImageTensorPlan
}

// The worker runs `fill`'s own source (it takes everything as arguments), so the conversion
// has one owner and the worker needs no file of its own in the bundle. Nothing but that
// source and this text goes into it.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const fill = (${fill.toString()})
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1
parentPort.on('message', ({ id, rgb, out, plan }) => {
  try {
    const dst = plan.bytes ? new Uint8Array(out) : new Float32Array(out)
    fill(new Uint8Array(rgb), dst, plan.pixels, plan.planar, plan.bgr, plan.table, littleEndian)
    parentPort.postMessage({ id })
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) })
  }
})
`

interface Waiting {
  slot: FrameSlot
  plan: ImageTensorPlan
  resolve: () => void
  reject: (e: Error) => void
}

/**
 * Converts frames into model tensors off the main thread when that pays: the JavaScript
 * conversion (1-2 ms a 640x640 frame) goes to a worker thread, leaving the main process's
 * event loop to the transport, the answers and the window; the SIMD one (0.6 ms) is done
 * here, which costs less than handing it over (ab.ts, 7 rounds on two cores: 1.11x and
 * 1.19x the frames a second of handing it to the worker). One worker serves every session in
 * the process; it is started on first use and does not keep the process alive. If it cannot
 * start or stops, frames are converted on the calling thread instead: slower, but no frame
 * is lost.
 */
export class FrameConverter {
  /** `workerSource` replaces the worker's code; tests use it to give it a worker that dies. */
  constructor(private readonly workerSource = WORKER_SOURCE) {}

  private worker: Worker | undefined
  /** Why frames are converted here instead of on the worker, once they are. */
  private stopped: string | undefined
  private nextId = 0
  private readonly waiting = new Map<number, Waiting>()
  private filled = 0

  /** Frames the worker has filled. */
  get workerFrames(): number {
    return this.filled
  }

  /** Copies `rgb` into the slot and fills `slot.tensor` from it, as the plan says. */
  async convert(rgb: Uint8Array, slot: FrameSlot, plan: ImageTensorPlan): Promise<void> {
    checkFrameSize(rgb, plan)
    if (slot.rgb.length !== plan.size || slot.tensor.length !== plan.size) {
      throw new RangeError(
        `a frame slot of ${slot.rgb.length} bytes does not fit ${plan.width}x${plan.height}`,
      )
    }
    const worker = plan.copy || simdFills(slot, plan) ? undefined : this.started()
    if (!worker) {
      fillSlot(rgb, slot, plan)
      return
    }
    slot.rgb.set(rgb)
    const id = this.nextId++
    const job: Job = {
      id,
      rgb: slot.rgb.buffer as SharedArrayBuffer,
      out: slot.tensor.buffer as SharedArrayBuffer,
      plan,
    }
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { slot, plan, resolve, reject })
      // Only while frames are waiting does the worker hold the process open.
      if (this.waiting.size === 1) worker.ref()
      worker.postMessage(job)
    })
  }

  /** Where frames are converted: on the worker, or here, and why, once it stopped or never ran. */
  get where(): 'worker' | { here: string } {
    return this.stopped === undefined ? 'worker' : { here: this.stopped }
  }

  /** Stops the worker; frames after this are converted on the calling thread. */
  async close(): Promise<void> {
    const worker = this.worker
    this.worker = undefined
    this.stopped ??= 'closed'
    this.finishInline()
    await worker?.terminate()
  }

  private started(): Worker | undefined {
    if (this.worker || this.stopped !== undefined) return this.worker
    try {
      const worker = new Worker(this.workerSource, { eval: true })
      worker.unref()
      worker.on('message', (m: { id: number; error?: string }) => this.done(m))
      worker.on('error', (e) => this.lost(`its worker failed: ${e.message}`))
      worker.on('exit', (code) => this.lost(`its worker exited with code ${code}`))
      this.worker = worker
    } catch (e) {
      this.stopped = `no worker could start: ${e instanceof Error ? e.message : String(e)}`
    }
    return this.worker
  }

  private done(m: { id: number; error?: string }): void {
    const w = this.waiting.get(m.id)
    if (!w) return
    if (m.error !== undefined) {
      // A worker that cannot convert (its code broken by a bundler, say) is not the frame's
      // fault: stop it and convert here, where a real problem with the frame still shows.
      this.lost(`its worker could not convert a frame: ${m.error}`)
      return
    }
    this.waiting.delete(m.id)
    if (this.waiting.size === 0) this.worker?.unref()
    this.filled++
    w.resolve()
  }

  /** The worker is gone: what it had not finished is converted here, from the same slots. */
  private lost(reason: string): void {
    if (this.stopped !== undefined) return
    this.stopped = reason
    void this.worker?.terminate()
    this.worker = undefined
    this.finishInline()
  }

  private finishInline(): void {
    const waiting = [...this.waiting.values()]
    this.waiting.clear()
    for (const w of waiting) {
      try {
        fillSlot(w.slot.rgb, w.slot, w.plan)
        w.resolve()
      } catch (e) {
        w.reject(e instanceof Error ? e : new Error(String(e)))
      }
    }
  }
}

let shared: FrameConverter | undefined

/** The process's converter, shared by its sessions. */
export function frameConverter(): FrameConverter {
  shared ??= new FrameConverter()
  return shared
}
