import { Worker } from 'node:worker_threads'
import { checkFrameSize, fill, fillImageTensor, type ImageTensorPlan } from './frame-to-tensor'

/**
 * A frame's RGB bytes and the tensor made from them, in memory the converter's thread shares:
 * the frame is copied in once (1.2 MB at 640x640) and the tensor (4.9 MB) never. The pipeline
 * reuses slots frame after frame; the tensor is what the transport sends.
 */
export interface FrameSlot {
  readonly rgb: Uint8Array
  readonly tensor: Float32Array | Uint8Array
}

export function newFrameSlot(plan: ImageTensorPlan): FrameSlot {
  const rgb = new Uint8Array(new SharedArrayBuffer(plan.size))
  const out = new SharedArrayBuffer(plan.size * (plan.bytes ? 1 : 4))
  return { rgb, tensor: plan.bytes ? new Uint8Array(out) : new Float32Array(out) }
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
 * Converts frames into model tensors on a worker thread, so the 1-2 ms a 640x640 frame takes
 * leaves the main process's event loop to the transport, the answers and the window. One
 * worker serves every session in the process; it is started on first use and does not keep
 * the process alive. If it cannot start or stops, frames are converted on the calling thread
 * instead: slower, but no frame is lost.
 */
export class FrameConverter {
  /** `workerSource` replaces the worker's code; tests use it to give it a worker that dies. */
  constructor(private readonly workerSource = WORKER_SOURCE) {}

  private worker: Worker | undefined
  /** Why frames are converted here instead of on the worker, once they are. */
  private stopped: string | undefined
  private nextId = 0
  private readonly waiting = new Map<number, Waiting>()

  /** Copies `rgb` into the slot and fills `slot.tensor` from it, as the plan says. */
  async convert(rgb: Uint8Array, slot: FrameSlot, plan: ImageTensorPlan): Promise<void> {
    checkFrameSize(rgb, plan)
    if (slot.rgb.length !== plan.size || slot.tensor.length !== plan.size) {
      throw new RangeError(
        `a frame slot of ${slot.rgb.length} bytes does not fit ${plan.width}x${plan.height}`,
      )
    }
    const worker = plan.copy ? undefined : this.started()
    if (!worker) {
      fillImageTensor(rgb, plan, slot.tensor)
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
        fillImageTensor(w.slot.rgb, w.plan, w.slot.tensor)
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
