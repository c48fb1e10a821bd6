import { describe, expect, it } from 'vitest'
import {
  containRect,
  filterBoxes,
  indexAtOrBefore,
  insertByTime,
  frameShownAt,
  resultsBehindSec,
  sourceBoxToDisplay,
} from '../../../src/renderer/src/components/overlay-helpers'
import type { DetectionBox } from '../../../src/shared/results'

describe('object-fit: contain mapping', () => {
  it('pillarboxes a 4:3 source in a 16:9 element', () => {
    // 640x480 in 1280x720: scale 1.5, picture 960x720, 160 px bars left and right
    expect(containRect(1280, 720, 640, 480)).toEqual({
      x: 160,
      y: 0,
      width: 960,
      height: 720,
      scale: 1.5,
    })
  })

  it('letterboxes a wide source in a tall element', () => {
    expect(containRect(400, 600, 1920, 1080)).toEqual({
      x: 0,
      y: (600 - 225) / 2,
      width: 400,
      height: 225,
      scale: 400 / 1920,
    })
  })

  it('maps a source box to display pixels', () => {
    const rect = containRect(1280, 720, 640, 480)
    const box = { x: 100, y: 40, width: 200, height: 100 }
    expect(sourceBoxToDisplay(box, 640, 480, rect)).toEqual({
      x: 310,
      y: 60,
      width: 300,
      height: 150,
    })
    // The corners of the source land on the corners of the picture.
    expect(sourceBoxToDisplay({ x: 0, y: 0, width: 640, height: 480 }, 640, 480, rect)).toEqual({
      x: 160,
      y: 0,
      width: 960,
      height: 720,
    })
  })

  it('normalises boxes given in another source size than the element shows', () => {
    const rect = containRect(1280, 720, 1280, 720)
    // Boxes in 640x360 pixels shown on a 1280x720 picture: everything doubles.
    expect(sourceBoxToDisplay({ x: 10, y: 20, width: 30, height: 40 }, 640, 360, rect)).toEqual({
      x: 20,
      y: 40,
      width: 60,
      height: 80,
    })
  })

  it('returns an empty rect before the media has a size', () => {
    expect(containRect(0, 0, 640, 480).scale).toBe(0)
    expect(containRect(100, 100, 0, 0).width).toBe(0)
  })
})

describe('time-indexed lookup', () => {
  const frames = [0, 0.5, 1, 1.5, 2].map((timeSec, frame) => ({ timeSec, frame }))

  it('shows each result from its own time until the next one', () => {
    expect(indexAtOrBefore(frames, -0.1)).toBe(-1)
    expect(frameShownAt(frames, -0.1)).toBeUndefined()
    expect(frameShownAt(frames, 0)?.frame).toBe(0)
    expect(frameShownAt(frames, 0.49)?.frame).toBe(0)
    expect(frameShownAt(frames, 0.5)?.frame).toBe(1)
    expect(frameShownAt(frames, 1.74)?.frame).toBe(3)
    expect(frameShownAt([], 1)).toBeUndefined()
  })

  it('shows the newest result for one frame spacing only, then none: the player is ahead', () => {
    // Results 0.5 s apart, the newest at 2 s: it is current until 2.5 s.
    expect(frameShownAt(frames, 2.49)?.frame).toBe(4)
    expect(frameShownAt(frames, 2.5)).toBeUndefined()
    expect(frameShownAt(frames, 99)).toBeUndefined()
    expect(resultsBehindSec(frames, 3.25)).toBe(1.25)
    expect(resultsBehindSec(frames, 1.5)).toBe(0)
  })

  it('counts a lone first result as current for a sixtieth of a second', () => {
    const first = [{ timeSec: 0, frame: 0 }]
    expect(frameShownAt(first, 0.01)?.frame).toBe(0)
    expect(frameShownAt(first, 0.02)).toBeUndefined()
  })

  it('holds the earlier boxes across a gap in the results, up to the allowed time', () => {
    const gappy = [0, 0.1, 3].map((timeSec, frame) => ({ timeSec, frame }))
    expect(frameShownAt(gappy, 1.5, 2)?.frame).toBe(1)
    expect(frameShownAt(gappy, 2.2, 2)).toBeUndefined()
  })

  it('keeps order when results arrive late, and replaces a repeated frame', () => {
    const list: { timeSec: number; frame: number; tag?: string }[] = []
    for (const [t, f] of [
      [0, 0],
      [1, 2],
      [0.5, 1],
      [2, 4],
      [1.5, 3],
    ])
      insertByTime(list, { timeSec: t, frame: f })
    expect(list.map((x) => x.frame)).toEqual([0, 1, 2, 3, 4])
    insertByTime(list, { timeSec: 1, frame: 2, tag: 'again' })
    expect(list).toHaveLength(5)
    expect(list[2].tag).toBe('again')
  })
})

describe('filters', () => {
  const box = (classId: number, score: number): DetectionBox => ({
    x: 0,
    y: 0,
    width: 1,
    height: 1,
    classId,
    score,
    label: `c${classId}`,
  })
  it('drops boxes under the threshold and of hidden classes', () => {
    const boxes = [box(0, 0.9), box(1, 0.2), box(2, 0.6)]
    expect(filterBoxes(boxes, 0.5, new Set()).map((b) => b.classId)).toEqual([0, 2])
    expect(filterBoxes(boxes, 0, new Set([0])).map((b) => b.classId)).toEqual([1, 2])
  })
})
