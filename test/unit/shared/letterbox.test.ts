import { describe, expect, it } from 'vitest'
import { boxToSource, computeLetterbox, LETTERBOX_PAD_VALUE } from '../../../src/shared/letterbox'

describe('computeLetterbox', () => {
  it('halves a 1280x720 frame into 640x360 and pads 140 px above and below', () => {
    expect(computeLetterbox(1280, 720, 640, 640)).toEqual({
      srcWidth: 1280,
      srcHeight: 720,
      dstWidth: 640,
      dstHeight: 640,
      scale: 0.5,
      scaledWidth: 640,
      scaledHeight: 360,
      padX: 0,
      padY: 140,
    })
  })

  it('keeps a 640x360 frame at scale 1 and pads 140 px above and below', () => {
    const lb = computeLetterbox(640, 360, 640, 640)
    expect([lb.scale, lb.scaledWidth, lb.scaledHeight, lb.padX, lb.padY]).toEqual([
      1, 640, 360, 0, 140,
    ])
  })

  it('scales a tall 100x300 frame up to 213x640 and pads 213 px on the left', () => {
    const lb = computeLetterbox(100, 300, 640, 640)
    expect(lb.scale).toBeCloseTo(640 / 300, 12)
    expect([lb.scaledWidth, lb.scaledHeight, lb.padX, lb.padY]).toEqual([213, 640, 213, 0])
  })

  it('needs no padding when the aspect ratios match', () => {
    const lb = computeLetterbox(1920, 1920, 640, 640)
    expect([lb.scaledWidth, lb.scaledHeight, lb.padX, lb.padY]).toEqual([640, 640, 0, 0])
  })

  it('rejects zero or negative sizes', () => {
    expect(() => computeLetterbox(0, 720, 640, 640)).toThrow(RangeError)
    expect(() => computeLetterbox(1280, 720, 640, -1)).toThrow(/positive sizes/)
  })

  it('pads with Ultralytics grey 114', () => {
    expect(LETTERBOX_PAD_VALUE).toBe(114)
  })
})

describe('boxToSource', () => {
  it('maps a model-pixel box in a 1280x720 letterbox back to exact source pixels', () => {
    const lb = computeLetterbox(1280, 720, 640, 640)
    expect(boxToSource(lb, 100, 190, 300, 290)).toEqual({ x1: 200, y1: 100, x2: 600, y2: 300 })
  })

  it('undoes horizontal padding for a tall source', () => {
    const lb = computeLetterbox(100, 300, 640, 640)
    // 213 px of content span 100 source px, starting at padX 213.
    const b = boxToSource(lb, 213, 0, 426, 640)
    expect(b).toEqual({ x1: 0, y1: 0, x2: 100, y2: 300 })
  })

  it('clips parts of a box that reach into the padding', () => {
    const lb = computeLetterbox(1280, 720, 640, 640)
    expect(boxToSource(lb, -10, 100, 700, 520)).toEqual({ x1: 0, y1: 0, x2: 1280, y2: 720 })
  })

  it('round-trips a source box through the letterbox', () => {
    const lb = computeLetterbox(1280, 720, 640, 640)
    const src = { x1: 321, y1: 47, x2: 999, y2: 713 }
    const toModel = (x: number, y: number): [number, number] => [
      x * lb.scale + lb.padX,
      y * lb.scale + lb.padY,
    ]
    const [mx1, my1] = toModel(src.x1, src.y1)
    const [mx2, my2] = toModel(src.x2, src.y2)
    expect(boxToSource(lb, mx1, my1, mx2, my2)).toEqual(src)
  })
})
