/**
 * Greedy non-maximum suppression with the semantics of torchvision's `batched_nms` as
 * Ultralytics uses it: boxes are visited by descending score, a box survives when no
 * already-kept box of the same class overlaps it by more than the IoU threshold, and the
 * survivors come back in descending score order across all classes.
 */

/** A corner-form box (x1 < x2, y1 < y2) with its best class. */
export interface ScoredBox {
  x1: number
  y1: number
  x2: number
  y2: number
  score: number
  classId: number
}

export interface NmsOptions {
  /** Let boxes of different classes suppress each other. Default false. */
  classAgnostic?: boolean
  /** Stop after this many survivors. Default: no limit. */
  maxDetections?: number
}

type Corners = Pick<ScoredBox, 'x1' | 'y1' | 'x2' | 'y2'>

function area(b: Corners): number {
  return Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1)
}

/** Intersection over union of two corner-form boxes; 0 when the union is empty. */
export function iou(a: Corners, b: Corners): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1)
  if (w <= 0 || h <= 0) return 0
  const inter = w * h
  const union = area(a) + area(b) - inter
  return union > 0 ? inter / union : 0
}

export function nonMaxSuppression(
  boxes: ScoredBox[],
  iouThreshold: number,
  opts: NmsOptions = {},
): ScoredBox[] {
  const maxDetections = opts.maxDetections ?? Infinity
  if (maxDetections <= 0 || boxes.length === 0) return []

  // Sorting indices (not the boxes) keeps equal scores in input order: Array#sort is stable.
  // NaN scores are dropped because they would make the comparator inconsistent.
  const order: number[] = []
  for (let i = 0; i < boxes.length; i++) if (!Number.isNaN(boxes[i].score)) order.push(i)
  order.sort((i, j) => boxes[j].score - boxes[i].score)

  // Comparing each candidate only with the kept boxes of its class is O(n * kept), much
  // cheaper than an n x n IoU matrix when most candidates cluster around few objects.
  const keptByClass = new Map<number, ScoredBox[]>()
  const kept: ScoredBox[] = []
  for (const i of order) {
    const box = boxes[i]
    const key = opts.classAgnostic ? 0 : box.classId
    let group = keptByClass.get(key)
    if (group === undefined) {
      group = []
      keptByClass.set(key, group)
    }
    let suppressed = false
    for (const k of group) {
      if (iou(k, box) > iouThreshold) {
        suppressed = true
        break
      }
    }
    if (suppressed) continue
    group.push(box)
    kept.push(box)
    // A box's fate depends only on higher-scored boxes, so stopping early is exact.
    if (kept.length >= maxDetections) break
  }
  return kept
}
