import { describe, expect, it } from 'vitest'
import { imageTensorShape, rgbToTensor } from '../../../src/main/media/frame-to-tensor'

// A 2x2 image, row by row: (10,20,30) (40,50,60) / (70,80,90) (255,0,128).
const rgb = Uint8Array.from([10, 20, 30, 40, 50, 60, 70, 80, 90, 255, 0, 128])

describe('rgbToTensor', () => {
  it('splits channels into planes for NCHW', () => {
    expect(rgbToTensor(rgb, 2, 2, { layout: 'NCHW', dtype: 'UINT8' })).toEqual(
      Uint8Array.from([10, 40, 70, 255, 20, 50, 80, 0, 30, 60, 90, 128]),
    )
  })

  it('keeps pixels interleaved for NHWC', () => {
    expect(rgbToTensor(rgb, 2, 2, { layout: 'NHWC', dtype: 'UINT8' })).toEqual(rgb)
  })

  it('accepts identity normalisation on UINT8, as model profiles spell it', () => {
    expect(rgbToTensor(rgb, 2, 2, { layout: 'NHWC', dtype: 'UINT8', scale: 1 })).toEqual(rgb)
  })

  it('swaps red and blue for BGR models in both layouts', () => {
    expect(rgbToTensor(rgb, 2, 2, { layout: 'NHWC', dtype: 'UINT8', channelOrder: 'BGR' })).toEqual(
      Uint8Array.from([30, 20, 10, 60, 50, 40, 90, 80, 70, 128, 0, 255]),
    )
    expect(rgbToTensor(rgb, 2, 2, { layout: 'NCHW', dtype: 'UINT8', channelOrder: 'BGR' })).toEqual(
      Uint8Array.from([30, 60, 90, 128, 20, 50, 80, 0, 10, 40, 70, 255]),
    )
  })

  it('scales bytes by 1/255 by default for float tensors', () => {
    const expected = Float32Array.from(
      [10, 20, 30, 40, 50, 60, 70, 80, 90, 255, 0, 128].map((v) => v / 255),
    )
    expect(rgbToTensor(rgb, 2, 2, { layout: 'NHWC', dtype: 'FP32' })).toEqual(expected)
    // FP16 stays float32 here; the tensor codec narrows it to half precision.
    expect(rgbToTensor(rgb, 2, 2, { layout: 'NHWC', dtype: 'FP16' })).toEqual(expected)
  })

  it('applies scale, then mean, then std per channel', () => {
    const out = rgbToTensor(rgb, 2, 2, {
      layout: 'NCHW',
      dtype: 'FP32',
      scale: 1,
      mean: [10, 20, 30],
      std: [2, 4, 5],
    })
    expect(out).toEqual(Float32Array.from([0, 15, 30, 122.5, 0, 7.5, 15, -5, 0, 6, 12, 19.6]))
  })

  it('takes mean and std in the tensor channel order when BGR is asked for', () => {
    const out = rgbToTensor(rgb, 2, 2, {
      layout: 'NHWC',
      dtype: 'FP32',
      scale: 1,
      mean: [30, 20, 10],
      channelOrder: 'BGR',
    })
    expect(out).toEqual(Float32Array.from([0, 0, 0, 30, 30, 30, 60, 60, 60, 98, -20, 245]))
  })

  it('matches the ImageNet normalisation formula', () => {
    const mean: [number, number, number] = [0.485, 0.456, 0.406]
    const std: [number, number, number] = [0.229, 0.224, 0.225]
    const out = rgbToTensor(rgb, 2, 2, { layout: 'NCHW', dtype: 'FP32', mean, std })
    expect(out[3]).toBeCloseTo((1 - 0.485) / 0.229, 6)
    expect(out[7]).toBeCloseTo((0 - 0.456) / 0.224, 6)
    expect(out[11]).toBeCloseTo((128 / 255 - 0.406) / 0.225, 6)
  })

  it('writes into a reused output buffer', () => {
    const out = new Float32Array(12)
    const first = rgbToTensor(rgb, 2, 2, { layout: 'NCHW', dtype: 'FP32', scale: 1 }, out)
    expect(first).toBe(out)
    expect(out[3]).toBe(255)
    const other = Uint8Array.from(rgb).fill(1)
    rgbToTensor(other, 2, 2, { layout: 'NCHW', dtype: 'FP32', scale: 1 }, out)
    expect(out.every((v) => v === 1)).toBe(true)
  })

  it('rejects mismatched sizes and normalisation on UINT8', () => {
    expect(() => rgbToTensor(rgb, 3, 2, { layout: 'NCHW', dtype: 'FP32' })).toThrow(RangeError)
    expect(() =>
      rgbToTensor(rgb, 2, 2, { layout: 'NCHW', dtype: 'FP32' }, new Float32Array(11)),
    ).toThrow(RangeError)
    expect(() =>
      rgbToTensor(rgb, 2, 2, { layout: 'NCHW', dtype: 'UINT8', mean: [1, 1, 1] }),
    ).toThrow(RangeError)
    expect(() =>
      rgbToTensor(rgb, 2, 2, { layout: 'NCHW', dtype: 'UINT8', scale: 1 / 255 }),
    ).toThrow(RangeError)
    expect(() => rgbToTensor(rgb, 2, 2, { layout: 'NCHW', dtype: 'FP32', std: [1, 0, 1] })).toThrow(
      RangeError,
    )
  })
})

describe('rgbToTensor on any size and any buffer offset', () => {
  // 3x3: two runs of four pixels and one pixel left over; every byte different.
  const bytes = Uint8Array.from({ length: 27 }, (_, i) => (i * 37 + 11) & 255)
  /** The tensor written out by hand: plane c, pixel n = source byte n*3 + (c, or 2 - c for BGR). */
  const planes = (src: Uint8Array, bgr: boolean): number[] =>
    [0, 1, 2].flatMap((c) =>
      Array.from({ length: 9 }, (_, n) => src[n * 3 + (bgr && c !== 1 ? 2 - c : c)]),
    )

  for (const offset of [0, 1, 4]) {
    // The frame at `offset` bytes into a larger buffer, as a pooled or sliced Buffer can be.
    const backing = new Uint8Array(27 + offset)
    backing.set(bytes, offset)
    const frame = backing.subarray(offset, offset + 27)
    for (const channelOrder of ['RGB', 'BGR'] as const) {
      it(`puts every pixel in its plane, ${channelOrder}, ${offset} bytes into its buffer`, () => {
        const bgr = channelOrder === 'BGR'
        expect(
          Array.from(rgbToTensor(frame, 3, 3, { layout: 'NCHW', dtype: 'UINT8', channelOrder })),
        ).toEqual(planes(bytes, bgr))
        expect(
          Array.from(rgbToTensor(frame, 3, 3, { layout: 'NCHW', dtype: 'FP32', channelOrder })),
        ).toEqual(planes(bytes, bgr).map((v) => Math.fround(v * (1 / 255))))
        // Mean and std belong to the tensor's channels, whatever source byte fills them.
        const mean: [number, number, number] = [0.1, 0.2, 0.3]
        const std: [number, number, number] = [0.5, 0.25, 2]
        const normalised = rgbToTensor(frame, 3, 3, {
          layout: 'NCHW',
          dtype: 'FP32',
          channelOrder,
          mean,
          std,
        })
        expect(Array.from(normalised)).toEqual(
          planes(bytes, bgr).map((v, i) => {
            const c = Math.floor(i / 9)
            return Math.fround((v * (1 / 255) - mean[c]) / std[c])
          }),
        )
      })
    }
  }
})

describe('imageTensorShape', () => {
  it('gives the batch-of-one shape for each layout', () => {
    expect(imageTensorShape(640, 480, 'NCHW')).toEqual([1, 3, 480, 640])
    expect(imageTensorShape(640, 480, 'NHWC')).toEqual([1, 480, 640, 3])
  })
})
