import { Worker } from 'node:worker_threads'
import {
  checkFrameSize,
  fill,
  fillImageTensor,
  LITTLE_ENDIAN,
  type ImageTensorPlan,
} from './frame-to-tensor'

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
  pixels: number
  planar: boolean
  bgr: boolean
  table: Float32Array | Uint8Array
  bytes: boolean
  littleEndian: boolean
}

// The worker runs `fill`'s own source (it takes everything as arguments), so the conversion
// has one owner and the worker needs no file of its own in the bundle.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const fill = (${fill.toString()})
parentPort.on('message', (job) => {
  try {
    const dst = job.bytes ? new Uint8Array(job.out) : new Float32Array(job.out)
    fill(new Uint8Array(job.rgb), dst, job.pixels, job.planar, job.bgr, job.table, job.littleEndian)
    parentPort.postMessage({ id: job.id })
  } catch (e) {
    parentPort.postMessage({ id: job.id, error: String(e && e.message || e) })
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
  private broken = false
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
    slot.rgb.set(rgb)
    const worker = plan.copy ? undefined : this.started()
    if (!worker) {
      fillImageTensor(slot.rgb, plan, slot.tensor)
      return
    }
    const id = this.nextId++
    const job: Job = {
      id,
      rgb: slot.rgb.buffer as SharedArrayBuffer,
      out: slot.tensor.buffer as SharedArrayBuffer,
      pixels: plan.pixels,
      planar: plan.planar,
      bgr: plan.bgr,
      table: plan.table,
      bytes: plan.bytes,
      littleEndian: LITTLE_ENDIAN,
    }
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { slot, plan, resolve, reject })
      // Only while frames are waiting does the worker hold the process open.
      if (this.waiting.size === 1) worker.ref()
      worker.postMessage(job)
    })
  }

  /** Where frames are converted now: on the worker, or here since it could not run. */
  get where(): 'worker' | 'here' {
    return this.broken ? 'here' : 'worker'
  }

  /** Stops the worker; frames after this are converted on the calling thread. */
  async close(): Promise<void> {
    const worker = this.worker
    this.worker = undefined
    this.broken = true
    this.finishInline()
    await worker?.terminate()
  }

  private started(): Worker | undefined {
    if (this.worker || this.broken) return this.worker
    try {
      const worker = new Worker(this.workerSource, { eval: true })
      worker.unref()
      worker.on('message', (m: { id: number; error?: string }) => this.done(m))
      worker.on('error', () => this.lost())
      worker.on('exit', () => this.lost())
      this.worker = worker
    } catch {
      this.broken = true
    }
    return this.worker
  }

  private done(m: { id: number; error?: string }): void {
    const w = this.waiting.get(m.id)
    if (!w) return
    this.waiting.delete(m.id)
    if (this.waiting.size === 0) this.worker?.unref()
    if (m.error === undefined) w.resolve()
    else w.reject(new Error(`converting a frame failed: ${m.error}`))
  }

  /** The worker is gone: what it had not finished is converted here, from the same slots. */
  private lost(): void {
    if (this.broken) return
    this.broken = true
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
