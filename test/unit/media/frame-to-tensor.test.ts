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

describe('imageTensorShape', () => {
  it('gives the batch-of-one shape for each layout', () => {
    expect(imageTensorShape(640, 480, 'NCHW')).toEqual([1, 3, 480, 640])
    expect(imageTensorShape(640, 480, 'NHWC')).toEqual([1, 480, 640, 3])
  })
})
