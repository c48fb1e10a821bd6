/** Detections as files: one JSON object per frame (JSON Lines), or one JSON document. */
import type { DetectionBox, DetectionFrameEvent } from '../../shared/results'

export interface DetectionFrameRecord {
  frame: number
  timeSec: number
  count: number
  sourceWidth: number
  sourceHeight: number
  latencyMs: number
  boxes: DetectionBox[]
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits))

/**
 * Frames in order, one record each; a frame answered twice keeps its last answer. Pixel
 * figures keep two decimals and scores four: more is float noise that bloats long files.
 */
export function detectionRecords(events: readonly DetectionFrameEvent[]): DetectionFrameRecord[] {
  const byFrame = new Map<number, DetectionFrameEvent>()
  for (const e of events) byFrame.set(e.frame, e)
  return [...byFrame.values()]
    .sort((a, b) => a.frame - b.frame)
    .map((e) => ({
      frame: e.frame,
      timeSec: round(e.timeSec, 4),
      count: e.boxes.length,
      sourceWidth: e.sourceWidth,
      sourceHeight: e.sourceHeight,
      latencyMs: round(e.latencyMs, 2),
      boxes: e.boxes.map((b) => ({
        label: b.label,
        classId: b.classId,
        score: round(b.score, 4),
        x: round(b.x, 2),
        y: round(b.y, 2),
        width: round(b.width, 2),
        height: round(b.height, 2),
      })),
    }))
}

/** JSON Lines: one object per frame with frame, timeSec, count and boxes. */
export function toDetectionsJsonl(events: readonly DetectionFrameEvent[]): string {
  return detectionRecords(events)
    .map((r) => `${JSON.stringify(r)}\n`)
    .join('')
}

/** The same records as one JSON document. */
export function toDetectionsJson(events: readonly DetectionFrameEvent[]): string {
  const report = { format: 'triton-live-detections', version: 1, frames: detectionRecords(events) }
  return `${JSON.stringify(report, null, 2)}\n`
}
