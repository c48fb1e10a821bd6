import { describe, expect, it } from 'vitest'
import { frameMatcher } from '../../../src/main/exports/annotated-video'
import { drawDetections, labelScale, labelTagHeight } from '../../../src/main/exports/box-drawing'
import { classColour } from '../../../src/shared/class-palette'
import type { DetectionBox, DetectionFrameEvent } from '../../../src/shared/results'

const W = 160
const H = 120

const rgbOf = (id: number): number[] => [...classColour(id).rgb]

const pixel = (rgb: Uint8Array, x: number, y: number): number[] => {
  const p = (y * W + x) * 3
  return [rgb[p], rgb[p + 1], rgb[p + 2]]
}

const box = (x: number, y: number, width: number, height: number, classId = 0): DetectionBox => ({
  x,
  y,
  width,
  height,
  classId,
  label: 'red',
  score: 0.87,
})

const event = (frame: number, timeSec: number): DetectionFrameEvent => ({
  kind: 'detections',
  frame,
  timeSec,
  sourceWidth: W,
  sourceHeight: H,
  boxes: [box(10, 10, 20, 20)],
  latencyMs: 5,
})

describe('drawing detections onto a frame', () => {
  it('draws the outline just outside the box in the class colour and leaves the inside alone', () => {
    const rgb = new Uint8Array(W * H * 3).fill(48)
    drawDetections(rgb, W, H, [box(50, 50, 40, 30, 3)])
    const color = rgbOf(3)
    expect(pixel(rgb, 49, 65)).toEqual(color)
    expect(pixel(rgb, 48, 65)).toEqual(color)
    expect(pixel(rgb, 90, 65)).toEqual(color)
    expect(pixel(rgb, 70, 80)).toEqual(color)
    expect(pixel(rgb, 70, 65)).toEqual([48, 48, 48])
    expect(pixel(rgb, 51, 65)).toEqual([48, 48, 48])
    expect(pixel(rgb, 45, 65)).toEqual([48, 48, 48])
  })

  it('puts a label tag in the class colour above the box with legible ink', () => {
    const rgb = new Uint8Array(W * H * 3).fill(48)
    drawDetections(rgb, W, H, [box(50, 50, 40, 30, 0)])
    const tagRow = Array.from({ length: 40 }, (_, i) => pixel(rgb, 50 + i, 40))
    const color = rgbOf(0)
    expect(tagRow.some((p) => p[0] === color[0] && p[1] === color[1] && p[2] === color[2])).toBe(
      true,
    )
    // Some pixels of the tag are glyph ink, not tag colour.
    expect(tagRow.some((p) => p[0] !== color[0] || p[1] !== color[1] || p[2] !== color[2])).toBe(
      true,
    )
  })

  it('keeps a box at the frame edge inside the frame without touching other memory', () => {
    const rgb = new Uint8Array(W * H * 3).fill(48)
    drawDetections(rgb, W, H, [box(-20, -20, 60, 200, 1), box(150, 100, 40, 40, 2)])
    expect(pixel(rgb, 0, 60)).toEqual(rgbOf(1))
    expect(rgb.length).toBe(W * H * 3)
  })

  it('scales boxes from source pixels to the frame it draws on', () => {
    const rgb = new Uint8Array(W * H * 3).fill(48)
    drawDetections(rgb, W, H, [box(25, 25, 20, 15, 4)], 2, 2)
    expect(pixel(rgb, 49, 65)).toEqual(rgbOf(4))
  })

  it('gives every class a stable colour that stands out from a dark background', () => {
    for (let id = 0; id < 40; id++) {
      expect(rgbOf(id)).toEqual(rgbOf(id))
      const [r, g, b] = rgbOf(id)
      expect(Math.max(Math.abs(r - 48), Math.abs(g - 48), Math.abs(b - 48))).toBeGreaterThan(60)
    }
  })
})

describe('label size', () => {
  it('scales the 5x7 capitals with the picture: 14 px below 720p, 21 px at 720p, 28 px at 1080p', () => {
    expect([240, 360, 719, 720, 1080, 2160].map(labelScale)).toEqual([2, 2, 2, 3, 4, 9])
    expect(labelTagHeight(720)).toBe(27)
  })
})

describe('matching detections to video frames', () => {
  it('uses the frame index when the detection time agrees with it', () => {
    const match = frameMatcher([event(0, 0), event(1, 0.1), event(2, 0.2)], 10)
    expect(match(1)?.frame).toBe(1)
    expect(match(2)?.frame).toBe(2)
    expect(match(40)).toBeUndefined()
  })

  it('falls back to the nearest time when the session skipped frames', () => {
    // A 10 fps video streamed with --max-fps 5: session frame i is video frame 2i.
    const match = frameMatcher([event(0, 0), event(1, 0.2), event(2, 0.4)], 10)
    expect(match(2)?.timeSec).toBe(0.2)
    expect(match(4)?.timeSec).toBe(0.4)
    expect(match(3)).toBeDefined()
    expect(match(9)).toBeUndefined()
  })

  it('draws nothing when there are no detections', () => {
    expect(frameMatcher([], 25)(0)).toBeUndefined()
  })
})
