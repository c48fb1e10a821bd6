import { describe, expect, it } from 'vitest'
import { buildFrameFill } from '../../../scripts/build-wasm'
import { fillSlot, newFrameSlot } from '../../../src/main/media/frame-converter'
import {
  fillImageTensor,
  planImageTensor,
  type ImageTensorOptions,
} from '../../../src/main/media/frame-to-tensor'
import { FRAME_FILL_WASM, wasmFillable } from '../../../src/main/media/wasm-frame-fill'

// 32x16 = 512 pixels: every byte value twice in each channel, in a different order per channel.
const W = 32
const H = 16

function everyByte(): Uint8Array {
  return Uint8Array.from({ length: W * H * 3 }, (_, i) => {
    const channel = i % 3
    const pixel = (i - channel) / 3
    return (pixel * (2 * channel + 1) + 85 * channel) & 255
  })
}

/** Bit for bit, so -0 against 0 or one ulp anywhere fails. */
function bits(t: Float32Array | Uint8Array): Uint32Array {
  return new Uint32Array(t.buffer, t.byteOffset, t.length)
}

const SIMD_FORMS: ImageTensorOptions[] = [
  { layout: 'NCHW', dtype: 'FP32' },
  { layout: 'NCHW', dtype: 'FP16' },
  { layout: 'NCHW', dtype: 'FP32', scale: 1 },
  { layout: 'NCHW', dtype: 'FP32', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
  {
    layout: 'NCHW',
    dtype: 'FP32',
    channelOrder: 'BGR',
    mean: [0.5, 0.4, 0.3],
    std: [0.2, 0.3, 0.4],
  },
  { layout: 'NHWC', dtype: 'FP32' },
  { layout: 'NHWC', dtype: 'FP16', scale: 1 },
  { layout: 'NHWC', dtype: 'FP32', mean: [0.5, 0.4, 0.3], std: [0.2, 0.3, 0.4] },
]

describe('the SIMD frame conversion', () => {
  it('is in the repository as frame-fill.wat builds it', async () => {
    expect(Buffer.from(await buildFrameFill()).equals(Buffer.from(FRAME_FILL_WASM))).toBe(true)
  })

  it('finds single-precision constants that give the table exactly for byte/255', () => {
    const plan = planImageTensor(640, 640, { layout: 'NCHW', dtype: 'FP32' })
    expect([...(plan.affine ?? [])]).toEqual([1, 0, 255, 1, 0, 255, 1, 0, 255])
  })

  it('fills every byte value of every channel with the bits the JavaScript conversion gives', () => {
    const rgb = everyByte()
    for (const opts of SIMD_FORMS) {
      const plan = planImageTensor(W, H, opts)
      expect(wasmFillable(plan)).toBe(true)
      const slot = newFrameSlot(plan)
      expect(slot.memory).toBeDefined()
      fillSlot(rgb, slot, plan)
      expect(bits(slot.tensor)).toEqual(bits(fillImageTensor(rgb, plan)))
    }
  })

  it('leaves to JavaScript a normalisation single precision cannot reproduce, interleaved BGR, and sizes not in groups of 16', () => {
    const imagenet: ImageTensorOptions = {
      layout: 'NCHW',
      dtype: 'FP32',
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    }
    const cases: Array<[number, number, ImageTensorOptions]> = [
      [W, H, imagenet],
      [13, 7, { layout: 'NCHW', dtype: 'FP32' }],
      [W, H, { layout: 'NHWC', dtype: 'FP32', channelOrder: 'BGR' }],
      [13, 7, { layout: 'NHWC', dtype: 'FP32' }],
      [W, H, { layout: 'NCHW', dtype: 'UINT8' }],
    ]
    for (const [w, h, opts] of cases) {
      const plan = planImageTensor(w, h, opts)
      const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 7) & 255)
      expect(wasmFillable(plan)).toBe(false)
      const slot = newFrameSlot(plan)
      expect(slot.memory).toBeUndefined()
      fillSlot(rgb, slot, plan)
      expect(slot.tensor).toEqual(fillImageTensor(rgb, plan))
    }
  })

  it('refuses a frame of the wrong size before touching the slot', () => {
    const plan = planImageTensor(W, H, { layout: 'NCHW', dtype: 'FP32' })
    const slot = newFrameSlot(plan)
    expect(() => fillSlot(everyByte().subarray(3), slot, plan)).toThrow(
      `expected ${W * H * 3} RGB bytes for ${W}x${H}, got ${W * H * 3 - 3}`,
    )
    expect(slot.tensor.every((v) => v === 0)).toBe(true)
  })
})
