import { FRAME_FILL_WASM_BASE64 } from './frame-fill-wasm'
import type { ImageTensorPlan } from './frame-to-tensor'

/** frame-fill.wat, built: 16 pixels at a time with 128-bit SIMD, into NCHW or NHWC. */
export const FRAME_FILL_WASM = Uint8Array.from(Buffer.from(FRAME_FILL_WASM_BASE64, 'base64'))

let compiled: WebAssembly.Module | null | undefined

/** The module, compiled once; null where the runtime cannot (no WebAssembly SIMD). */
export function frameFillModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(FRAME_FILL_WASM)
    } catch {
      compiled = null
    }
  }
  return compiled
}

/** A plan whose frames the SIMD code fills exactly as the table would. */
export type WasmFillablePlan = ImageTensorPlan & { affine: Float32Array }

/** Whether the SIMD code can fill this plan's frames: exact constants, whole groups of 16. */
export function wasmFillable(plan: ImageTensorPlan): plan is WasmFillablePlan {
  return plan.affine !== undefined && plan.pixels % 16 === 0 && frameFillModule() !== null
}

/**
 * Memory for one frame and its tensor: the RGB bytes at 0, the tensor after them on a 16-byte
 * boundary. Shared, as the JavaScript conversion's slots are, so every slot is the same kind of
 * memory to the transport, which sends the tensor from it as is.
 */
export function newFrameMemory(plan: ImageTensorPlan): {
  memory: WebAssembly.Memory
  rgb: Uint8Array
  tensor: Float32Array
} {
  const at = Math.ceil(plan.size / 16) * 16
  const pages = Math.ceil((at + plan.size * 4) / 65_536)
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true })
  return {
    memory,
    rgb: new Uint8Array(memory.buffer, 0, plan.size),
    tensor: new Float32Array(memory.buffer, at, plan.size),
  }
}

type FillFn = (...args: number[]) => void
interface Fills {
  planar: FillFn
  interleaved: FillFn
}

// Each slot's memory has its own instance, made at its first frame and gone with the slot.
const instances = new WeakMap<WebAssembly.Memory, Fills>()

/** Fills the tensor at `tensorAt` in `memory` from the RGB bytes at 0, as the plan says. */
export function runFrameFill(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  tensorAt: number,
  plan: WasmFillablePlan,
): void {
  let fills = instances.get(memory)
  if (!fills) {
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports
    fills = { planar: exports.fill as FillFn, interleaved: exports.fill_nhwc as FillFn }
    instances.set(memory, fills)
  }
  const { pixels, affine } = plan
  if (!plan.planar) {
    fills.interleaved(0, tensorAt, pixels / 16, ...affine)
    return
  }
  const plane = pixels * 4
  // The tensor channel each source channel goes to (a BGR model's first plane is blue).
  const r = plan.bgr ? 2 : 0
  const b = plan.bgr ? 0 : 2
  fills.planar(
    0,
    tensorAt + r * plane,
    tensorAt + plane,
    tensorAt + b * plane,
    pixels / 16,
    affine[r * 3],
    affine[r * 3 + 1],
    affine[r * 3 + 2],
    affine[3],
    affine[4],
    affine[5],
    affine[b * 3],
    affine[b * 3 + 1],
    affine[b * 3 + 2],
  )
}
