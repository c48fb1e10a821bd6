import type { DetectionBox, DetectionFrameEvent } from '../../../shared/results'

/** A detection frame as the renderer keeps it: when it arrived, for the camera's "age". */
export interface DetectionRecord extends DetectionFrameEvent {
  receivedAtMs: number
}

/** Where the picture sits inside an element with `object-fit: contain`, in CSS pixels. */
export interface ContainRect {
  x: number
  y: number
  width: number
  height: number
  /** CSS pixels per source pixel. */
  scale: number
}

export function containRect(
  elementWidth: number,
  elementHeight: number,
  sourceWidth: number,
  sourceHeight: number,
): ContainRect {
  if (!(elementWidth > 0 && elementHeight > 0 && sourceWidth > 0 && sourceHeight > 0)) {
    return { x: 0, y: 0, width: 0, height: 0, scale: 0 }
  }
  const scale = Math.min(elementWidth / sourceWidth, elementHeight / sourceHeight)
  const width = sourceWidth * scale
  const height = sourceHeight * scale
  return { x: (elementWidth - width) / 2, y: (elementHeight - height) / 2, width, height, scale }
}

/**
 * Maps a box from the result's source pixels to display pixels. The boxes' source size may differ
 * from the element's intrinsic size (a re-encoded preview), so the box is normalised first.
 */
export function sourceBoxToDisplay(
  box: Pick<DetectionBox, 'x' | 'y' | 'width' | 'height'>,
  boxSourceWidth: number,
  boxSourceHeight: number,
  rect: ContainRect,
): { x: number; y: number; width: number; height: number } {
  const sx = rect.width / boxSourceWidth
  const sy = rect.height / boxSourceHeight
  return {
    x: rect.x + box.x * sx,
    y: rect.y + box.y * sy,
    width: box.width * sx,
    height: box.height * sy,
  }
}

/** Index of the last frame with timeSec <= t in a list sorted by timeSec, or -1. */
export function indexAtOrBefore(frames: readonly { timeSec: number }[], t: number): number {
  let lo = 0
  let hi = frames.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (frames[mid].timeSec <= t) {
      found = mid
      lo = mid + 1
    } else {
      hi = mid - 1
    }
  }
  return found
}

/** How long the first result of a file counts as current before a second one says its spacing. */
export const FIRST_FRAME_SPAN_SEC = 1 / 60

/**
 * The result for the frame on screen at media time t, or undefined when there is none yet.
 * A result is current from its own time until the next result's; the newest one only for one
 * frame spacing (the gap to the result before it), since past that the player is ahead of the
 * results and the boxes would belong to an older picture. A gap between two results (a failed
 * request) keeps the earlier boxes, for at most maxHoldSec.
 */
export function frameShownAt<T extends { timeSec: number }>(
  frames: readonly T[],
  t: number,
  maxHoldSec = Infinity,
): T | undefined {
  const i = indexAtOrBefore(frames, t)
  if (i < 0) return undefined
  const f = frames[i]
  if (i < frames.length - 1) return t - f.timeSec <= maxHoldSec ? f : undefined
  const span = i > 0 ? f.timeSec - frames[i - 1].timeSec : FIRST_FRAME_SPAN_SEC
  return t < f.timeSec + Math.min(span, maxHoldSec) ? f : undefined
}

/** How far the player is ahead of the newest result, in seconds; 0 when the results keep up. */
export function resultsBehindSec(frames: readonly { timeSec: number }[], t: number): number {
  const last = frames[frames.length - 1]
  return last && t > last.timeSec ? t - last.timeSec : 0
}

/**
 * Inserts in timeSec order, in place. Results usually arrive in order, so this is a push; a late
 * one goes where it belongs, and one for the same frame replaces the earlier answer.
 */
export function insertByTime<T extends { timeSec: number; frame: number }>(
  frames: T[],
  item: T,
): void {
  const last = frames[frames.length - 1]
  if (!last || last.timeSec < item.timeSec) {
    frames.push(item)
    return
  }
  const i = indexAtOrBefore(frames, item.timeSec)
  if (i >= 0 && frames[i].timeSec === item.timeSec && frames[i].frame === item.frame) {
    frames[i] = item
  } else {
    frames.splice(i + 1, 0, item)
  }
}

export function filterBoxes(
  boxes: readonly DetectionBox[],
  minScore: number,
  hiddenClasses: ReadonlySet<number>,
): DetectionBox[] {
  return boxes.filter((b) => b.score >= minScore && !hiddenClasses.has(b.classId))
}

export function boxCaption(box: DetectionBox): string {
  return `${box.label || `class ${box.classId}`} ${Math.round(box.score * 100)}%`
}
