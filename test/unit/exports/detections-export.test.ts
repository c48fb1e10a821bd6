import { describe, expect, it } from 'vitest'
import { toDetectionsJson, toDetectionsJsonl } from '../../../src/main/exports/detections-export'
import { toLatencyCsv, LATENCY_CSV_HEADER } from '../../../src/main/exports/latency-export'
import type { DetectionBox, DetectionFrameEvent } from '../../../src/shared/results'

const box = (label: string, classId: number, x: number, y: number, score = 0.9): DetectionBox => ({
  label,
  classId,
  score,
  x,
  y,
  width: 40,
  height: 30,
})

const frame = (index: number, boxes: DetectionBox[], latencyMs = 8): DetectionFrameEvent => ({
  kind: 'detections',
  frame: index,
  timeSec: index / 10,
  sourceWidth: 640,
  sourceHeight: 360,
  boxes,
  latencyMs,
})

interface FrameLine {
  frame: number
  timeSec: number
  count: number
  boxes: DetectionBox[]
}

describe('detections export', () => {
  it('writes one JSON object per line with frame, time, count and boxes, in frame order', () => {
    const text = toDetectionsJsonl([
      frame(2, [box('red', 0, 10, 20)]),
      frame(0, []),
      frame(1, [box('red', 0, 12, 20), box('blue', 2, 300, 100)]),
    ])
    expect(text.endsWith('\n')).toBe(true)
    const lines = text.trimEnd().split('\n')
    const parsed = lines.map((l) => JSON.parse(l) as FrameLine)
    expect(parsed.map((p) => p.frame)).toEqual([0, 1, 2])
    expect(parsed.map((p) => p.timeSec)).toEqual([0, 0.1, 0.2])
    expect(parsed.map((p) => p.count)).toEqual([0, 2, 1])
    for (const p of parsed) expect(p.boxes).toHaveLength(p.count)
    expect(parsed[1].boxes[1]).toEqual({
      label: 'blue',
      classId: 2,
      score: 0.9,
      x: 300,
      y: 100,
      width: 40,
      height: 30,
    })
  })

  it('keeps the last answer for a frame and rounds pixel figures and scores', () => {
    const text = toDetectionsJsonl([
      frame(0, [box('red', 0, 1, 1)]),
      frame(0, [box('green', 1, 10.123456, 20.987654, 0.123456789)]),
    ])
    const lines = text.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    const only = JSON.parse(lines[0]) as FrameLine
    expect(only.boxes).toEqual([
      { label: 'green', classId: 1, score: 0.1235, x: 10.12, y: 20.99, width: 40, height: 30 },
    ])
  })

  it('writes an empty file for a session without frames', () => {
    expect(toDetectionsJsonl([])).toBe('')
  })

  it('writes the same records as a single JSON document', () => {
    const doc = JSON.parse(toDetectionsJson([frame(0, [box('red', 0, 5, 5)])])) as {
      format: string
      frames: FrameLine[]
    }
    expect(doc.format).toBe('triton-live-detections')
    expect(doc.frames).toHaveLength(1)
    expect(doc.frames[0].count).toBe(1)
  })
})

describe('latency export', () => {
  it('writes a header and one parsable row per request with its outcome, empty where a source has no capture time', () => {
    const csv = toLatencyCsv([
      {
        ok: true,
        outcome: 'success',
        latencyMs: 12.3456789,
        atMs: 1_700_000_000_123,
        captureToSendMs: 4.5,
      },
      { ok: false, outcome: 'timeout', latencyMs: 5000, atMs: 1_700_000_000_456.7 },
    ])
    const [header, ...rows] = csv.trimEnd().split('\n')
    expect(header).toBe(LATENCY_CSV_HEADER)
    expect(header.split(',')).toEqual(['atMs', 'ok', 'outcome', 'latencyMs', 'captureToSendMs'])
    const cells = rows.map((r) => r.split(','))
    for (const c of cells) expect(c).toHaveLength(5)
    expect(cells[0]).toEqual(['1700000000123', 'true', 'success', '12.346', '4.5'])
    expect(cells[1]).toEqual(['1700000000457', 'false', 'timeout', '5000', ''])
    for (const c of cells) {
      expect(Number.isFinite(Number(c[0]))).toBe(true)
      expect(Number.isFinite(Number(c[3]))).toBe(true)
    }
  })

  it('writes only the header when there were no requests', () => {
    expect(toLatencyCsv([])).toBe(`${LATENCY_CSV_HEADER}\n`)
  })
})
