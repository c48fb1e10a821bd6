import { describe, expect, it } from 'vitest'
import { computeLetterbox as mainLetterbox } from '../../../src/main/media/letterbox'
import { computeLetterbox } from '../../../src/renderer/src/capture/letterbox'
import { rgbaToRgb } from '../../../src/renderer/src/capture/frame-convert'

describe('renderer letterbox', () => {
  it('fits 640x480 into 640x640 with bars top and bottom', () => {
    expect(computeLetterbox(640, 480, 640, 640)).toEqual({
      srcWidth: 640,
      srcHeight: 480,
      dstWidth: 640,
      dstHeight: 640,
      scale: 1,
      scaledWidth: 640,
      scaledHeight: 480,
      padX: 0,
      padY: 80,
    })
  })

  it('shrinks 1920x1080 to 640x360 with 140 px bars', () => {
    const lb = computeLetterbox(1920, 1080, 640, 640)
    expect(lb.scale).toBeCloseTo(1 / 3, 12)
    expect([lb.scaledWidth, lb.scaledHeight, lb.padX, lb.padY]).toEqual([640, 360, 0, 140])
  })

  it('rounds the scaled size and floors the padding', () => {
    // 333 * 0.64 = 213.12 -> 213; (320 - 213) / 2 = 53.5 -> 53
    const lb = computeLetterbox(333, 500, 320, 320)
    expect([lb.scaledWidth, lb.scaledHeight, lb.padX, lb.padY]).toEqual([213, 320, 53, 0])
    // 1280x720 into 416x416: 0.325 -> 416x234, pad (416 - 234) / 2 = 91
    const hd = computeLetterbox(1280, 720, 416, 416)
    expect([hd.scaledWidth, hd.scaledHeight, hd.padX, hd.padY]).toEqual([416, 234, 0, 91])
    // odd leftover: 101 px wide into 64 -> 64x? ; 50 * (64/101) = 31.68 -> 32, pad 16
    const odd = computeLetterbox(101, 50, 64, 64)
    expect([odd.scaledWidth, odd.scaledHeight, odd.padX, odd.padY]).toEqual([64, 32, 0, 16])
  })

  it('upscales small sources', () => {
    const lb = computeLetterbox(160, 120, 640, 640)
    expect([lb.scale, lb.scaledWidth, lb.scaledHeight, lb.padX, lb.padY]).toEqual([
      4, 640, 480, 0, 80,
    ])
  })

  it('rejects empty sizes', () => {
    expect(() => computeLetterbox(0, 480, 640, 640)).toThrow(RangeError)
  })

  it('agrees with the main process, which undoes it on the boxes', () => {
    const sizes = [
      [640, 480],
      [1920, 1080],
      [1080, 1920],
      [333, 500],
      [101, 50],
      [7, 3],
      [4096, 2160],
    ]
    for (const [sw, sh] of sizes) {
      for (const [dw, dh] of [
        [640, 640],
        [416, 416],
        [320, 256],
        [1280, 736],
      ]) {
        expect(computeLetterbox(sw, sh, dw, dh)).toEqual(mainLetterbox(sw, sh, dw, dh))
      }
    }
  })
})

describe('rgbaToRgb', () => {
  it('drops alpha and keeps order', () => {
    const rgba = new Uint8ClampedArray([1, 2, 3, 255, 4, 5, 6, 0, 114, 114, 114, 255])
    expect(Array.from(rgbaToRgb(rgba))).toEqual([1, 2, 3, 4, 5, 6, 114, 114, 114])
  })
})
