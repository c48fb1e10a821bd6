import { describe, expect, it } from 'vitest'
import { iou, nonMaxSuppression, type ScoredBox } from '../../../src/main/sessions/nms'

const box = (
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  score: number,
  classId = 0,
): ScoredBox => ({
  x1,
  y1,
  x2,
  y2,
  score,
  classId,
})

describe('iou', () => {
  it('is 1 for identical boxes and 0 for disjoint or merely touching ones', () => {
    expect(iou(box(0, 0, 10, 10, 1), box(0, 0, 10, 10, 1))).toBe(1)
    expect(iou(box(0, 0, 10, 10, 1), box(20, 20, 30, 30, 1))).toBe(0)
    expect(iou(box(0, 0, 10, 10, 1), box(10, 0, 20, 10, 1))).toBe(0)
  })

  it('divides the intersection by the union', () => {
    // 5x10 overlap = 50; union = 100 + 100 - 50 = 150.
    expect(iou(box(0, 0, 10, 10, 1), box(5, 0, 15, 10, 1))).toBe(50 / 150)
    // A box inside another: 25 / 100.
    expect(iou(box(0, 0, 10, 10, 1), box(2, 2, 7, 7, 1))).toBe(0.25)
  })

  it('is 0 for degenerate boxes instead of NaN', () => {
    expect(iou(box(5, 5, 5, 5, 1), box(5, 5, 5, 5, 1))).toBe(0)
  })
})

describe('nonMaxSuppression', () => {
  it('keeps the higher-scored of two overlapping boxes of one class and returns survivors by score', () => {
    const a = box(0, 0, 10, 10, 0.6)
    const b = box(1, 0, 11, 10, 0.9) // IoU with a = 90 / 110
    const c = box(50, 50, 60, 60, 0.7)
    expect(nonMaxSuppression([a, b, c], 0.5)).toEqual([b, c])
  })

  it('suppresses only when IoU is strictly above the threshold', () => {
    const a = box(0, 0, 10, 10, 0.9)
    const b = box(5, 0, 15, 10, 0.8) // IoU exactly 1/3
    expect(nonMaxSuppression([a, b], 1 / 3)).toEqual([a, b])
    expect(nonMaxSuppression([a, b], 0.33)).toEqual([a])
  })

  it('lets overlapping boxes of different classes both survive unless class-agnostic', () => {
    const person = box(0, 0, 10, 10, 0.9, 0)
    const dog = box(0, 0, 10, 10, 0.8, 16)
    expect(nonMaxSuppression([dog, person], 0.5)).toEqual([person, dog])
    expect(nonMaxSuppression([dog, person], 0.5, { classAgnostic: true })).toEqual([person])
  })

  it('keeps the earlier box when scores are equal', () => {
    const first = box(0, 0, 10, 10, 0.5)
    const second = box(0, 0, 10, 10, 0.5)
    const out = nonMaxSuppression([first, second], 0.5)
    expect(out).toHaveLength(1)
    expect(out[0]).toBe(first)
    const third = box(100, 100, 110, 110, 0.5)
    expect(nonMaxSuppression([third, first], 0.5)).toEqual([third, first])
    expect(nonMaxSuppression([third, first], 0.5)[0]).toBe(third)
  })

  it('does not let a suppressed box suppress others (greedy chain)', () => {
    // a suppresses b; b would suppress c, but b is gone, and a and c do not overlap enough.
    const a = box(0, 0, 10, 10, 0.9)
    const b = box(4, 0, 14, 10, 0.8)
    const c = box(8, 0, 18, 10, 0.7)
    expect(nonMaxSuppression([c, b, a], 0.3)).toEqual([a, c])
  })

  it('stops at maxDetections with the highest-scored survivors', () => {
    const boxes = [0.1, 0.5, 0.3, 0.9, 0.7].map((s, i) => box(i * 20, 0, i * 20 + 10, 10, s))
    const out = nonMaxSuppression(boxes, 0.5, { maxDetections: 3 })
    expect(out.map((b) => b.score)).toEqual([0.9, 0.7, 0.5])
    expect(nonMaxSuppression(boxes, 0.5, { maxDetections: 0 })).toEqual([])
  })

  it('drops NaN scores and handles an empty input', () => {
    expect(nonMaxSuppression([], 0.5)).toEqual([])
    const ok = box(0, 0, 1, 1, 0.4)
    expect(nonMaxSuppression([box(0, 0, 1, 1, NaN), ok], 0.5)).toEqual([ok])
  })

  it('does not mutate its input', () => {
    const input = [box(0, 0, 10, 10, 0.1), box(0, 0, 10, 10, 0.9)]
    const copy = input.map((b) => ({ ...b }))
    nonMaxSuppression(input, 0.5)
    expect(input).toEqual(copy)
  })

  it('reduces a dense grid of 3000 jittered candidates to one box per object', () => {
    const boxes: ScoredBox[] = []
    // 30 objects on a grid, 100 jittered candidates each, deterministic pseudo-random jitter.
    let seed = 1
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647
    for (let o = 0; o < 30; o++) {
      const ox = (o % 6) * 100
      const oy = Math.floor(o / 6) * 100
      for (let k = 0; k < 100; k++) {
        const dx = rand() * 4
        const dy = rand() * 4
        boxes.push(box(ox + dx, oy + dy, ox + 50 + dx, oy + 50 + dy, rand(), o % 3))
      }
    }
    const out = nonMaxSuppression(boxes, 0.5)
    expect(out).toHaveLength(30)
    for (let i = 1; i < out.length; i++)
      expect(out[i - 1].score).toBeGreaterThanOrEqual(out[i].score)
  })
})
