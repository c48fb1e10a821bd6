import { afterEach, describe, expect, it } from 'vitest'
import { FrameConverter, newFrameSlot } from '../../../src/main/media/frame-converter'
import {
  fillImageTensor,
  planImageTensor,
  type ImageTensorOptions,
} from '../../../src/main/media/frame-to-tensor'

// Odd sizes leave pixels after the last whole group of four, which the word loop skips.
const W = 13
const H = 7

function frame(seed: number): Uint8Array {
  return Uint8Array.from({ length: W * H * 3 }, (_, i) => (i * 31 + seed * 17) & 255)
}

const FORMS: ImageTensorOptions[] = [
  { layout: 'NCHW', dtype: 'FP32' },
  {
    layout: 'NCHW',
    dtype: 'FP32',
    channelOrder: 'BGR',
    mean: [0.5, 0.4, 0.3],
    std: [0.2, 0.3, 0.4],
  },
  { layout: 'NHWC', dtype: 'FP16', scale: 1 },
  { layout: 'NCHW', dtype: 'UINT8' },
  { layout: 'NHWC', dtype: 'UINT8' },
]

let converter: FrameConverter | undefined
afterEach(async () => {
  await converter?.close()
  converter = undefined
})

describe('FrameConverter', () => {
  it('fills the same tensor on its worker as the conversion on this thread, in every form', async () => {
    converter = new FrameConverter()
    for (const [k, opts] of FORMS.entries()) {
      const plan = planImageTensor(W, H, opts)
      const slot = newFrameSlot(plan)
      await converter.convert(frame(k), slot, plan)
      expect(slot.tensor).toEqual(fillImageTensor(frame(k), plan))
    }
    expect(converter.where).toBe('worker')
    // All but the packed UINT8 form, whose bytes are copied as they are.
    expect(converter.workerFrames).toBe(FORMS.length - 1)
  })

  it('fills a SIMD slot here, not on its worker, with the bits the JavaScript conversion gives', async () => {
    converter = new FrameConverter()
    // 32x16: whole groups of 16 pixels, so these forms' slots are WebAssembly memories.
    const rgb = (k: number) =>
      Uint8Array.from({ length: 32 * 16 * 3 }, (_, i) => (i * 31 + k) & 255)
    const nhwc: ImageTensorOptions = { layout: 'NHWC', dtype: 'FP32' }
    for (const [k, opts] of [FORMS[0], FORMS[1], nhwc].entries()) {
      const plan = planImageTensor(32, 16, opts)
      const slot = newFrameSlot(plan)
      expect(slot.memory).toBeDefined()
      await converter.convert(rgb(k), slot, plan)
      const expected = fillImageTensor(rgb(k), plan)
      expect(
        new Uint32Array(slot.tensor.buffer, slot.tensor.byteOffset, slot.tensor.length),
      ).toEqual(new Uint32Array(expected.buffer))
    }
    expect(converter.workerFrames).toBe(0)
  })

  it('keeps frames converted at once in their own slots', async () => {
    converter = new FrameConverter()
    const plan = planImageTensor(W, H, FORMS[1])
    const slots = [0, 1, 2, 3].map(() => newFrameSlot(plan))
    await Promise.all(slots.map((slot, k) => converter?.convert(frame(k), slot, plan)))
    slots.forEach((slot, k) => expect(slot.tensor).toEqual(fillImageTensor(frame(k), plan)))
  })

  it('converts here what a worker that died was holding, and every frame after it', async () => {
    // A worker that exits as soon as it is given a frame.
    converter = new FrameConverter(
      "require('node:worker_threads').parentPort.on('message', () => process.exit(3))",
    )
    const plan = planImageTensor(W, H, FORMS[0])
    const slots = [0, 1, 2].map(() => newFrameSlot(plan))
    await Promise.all(slots.map((slot, k) => converter?.convert(frame(k), slot, plan)))
    expect(converter.where).toEqual({ here: 'its worker exited with code 3' })
    const later = newFrameSlot(plan)
    await converter.convert(frame(9), later, plan)
    for (const [k, slot] of [...slots.entries(), [9, later] as const]) {
      expect(slot.tensor).toEqual(fillImageTensor(frame(k), plan))
    }
  })

  it('stops a worker that cannot convert and converts here instead, exactly', async () => {
    // A worker whose code is broken answers every frame with an error.
    converter = new FrameConverter(
      "const { parentPort } = require('node:worker_threads'); parentPort.on('message', ({ id }) => parentPort.postMessage({ id, error: 'fill is not defined' }))",
    )
    const plan = planImageTensor(W, H, FORMS[1])
    const slots = [0, 1].map(() => newFrameSlot(plan))
    await Promise.all(slots.map((slot, k) => converter?.convert(frame(k), slot, plan)))
    slots.forEach((slot, k) => expect(slot.tensor).toEqual(fillImageTensor(frame(k), plan)))
    expect(converter.where).toEqual({
      here: 'its worker could not convert a frame: fill is not defined',
    })
  })

  it('refuses a frame or a slot made for another size, before anything is sent', async () => {
    converter = new FrameConverter()
    const plan = planImageTensor(W, H, FORMS[0])
    await expect(
      converter.convert(frame(0), newFrameSlot(planImageTensor(4, 4, FORMS[0])), plan),
    ).rejects.toThrow('a frame slot of 48 bytes does not fit 13x7')
    await expect(converter.convert(frame(0).subarray(3), newFrameSlot(plan), plan)).rejects.toThrow(
      'expected 273 RGB bytes for 13x7, got 270',
    )
  })
})
