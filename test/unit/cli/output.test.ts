import { LatencyRecorder } from '../../../src/main/metrics/latency-histogram'
import { emptyOutcomes, type SessionSummary } from '../../../src/shared/session-summary'
import { describe, expect, it } from 'vitest'
import {
  detectionLine,
  emptyAnswersNote,
  flowLine,
  mediaTime,
  summaryTable,
} from '../../../src/cli/output'
import type { DetectionBox, DetectionFrameEvent } from '../../../src/shared/results'

const box = (label: string, x: number): DetectionBox => ({
  x,
  y: 20,
  width: 30,
  height: 40,
  score: 0.9,
  classId: 0,
  label,
})

function frame(boxes: DetectionBox[]): DetectionFrameEvent {
  return {
    kind: 'detections',
    frame: 31,
    timeSec: 31 / 30,
    sourceWidth: 640,
    sourceHeight: 360,
    boxes,
    latencyMs: 45.25,
  }
}

describe('CLI lines', () => {
  it('shows media time to the millisecond, so 30 fps frames differ', () => {
    expect(mediaTime(31 / 30)).toBe('00:01.033')
    expect(mediaTime(32 / 30)).toBe('00:01.067')
    expect(mediaTime(75.5)).toBe('01:15.500')
    expect(mediaTime(0)).toBe('00:00.000')
  })

  it('keeps a frame with 23 boxes to one short line of counts per label', () => {
    const boxes = [
      ...Array.from({ length: 10 }, (_, i) => box('red', i)),
      ...Array.from({ length: 6 }, (_, i) => box('green', i)),
      ...Array.from({ length: 4 }, (_, i) => box('blue', i)),
      box('cyan', 1),
      box('pink', 1),
      box('yellow', 1),
    ]
    expect(detectionLine(frame(boxes))).toBe(
      'frame   31 00:01.033  23 boxes: 10 red, 6 green, 4 blue, 1 cyan, +2 more  (45.3 ms)',
    )
  })

  it('prints every box on its own line with --verbose', () => {
    expect(detectionLine(frame([box('red', 5), box('blue', 7)]), true).split('\n')).toEqual([
      'frame   31 00:01.033  2 boxes: 1 blue, 1 red  (45.3 ms)',
      '    red 0.90 [5,20 30x40]',
      '    blue 0.90 [7,20 30x40]',
    ])
    expect(detectionLine(frame([]), true)).toBe('frame   31 00:01.033  0 boxes  (45.3 ms)')
  })

  // Four requests over 1 s, all timed out: the latency figures of a run with no success.
  const failedRun: SessionSummary = {
    ...new LatencyRecorder().summary(1),
    requests: 4,
    failures: 4,
    outcomes: { ...emptyOutcomes(), timeout: 4 },
    unmatched: 0,
    retries: 0,
    linkLosses: 0,
    reconnects: 0,
    droppedFrames: 0,
    emptyAnswers: 0,
  }

  it('shows a dash, not 0.00 ms, for latencies when nothing succeeded', () => {
    const text = summaryTable('m @ u', failedRun)
    expect(text).toMatch(/Latency p50 +–$/m)
    expect(text).toMatch(/^ {4}Timed out +4$/m)
    expect(text).not.toContain('0.00 ms')
    expect(text).not.toMatch(/Link lost|Reconnects/)
  })

  it('counts every lost link beside the reconnects that came of them, even none', () => {
    // A server that never answers: each deadline loses the link, and each reconnect is lost
    // again before it resumes. Seven "reconnecting" lines, then a summary that says why.
    const text = summaryTable('m @ u', { ...failedRun, linkLosses: 7, reconnects: 0 })
    expect(text).toMatch(/^ {2}Link lost +7$/m)
    expect(text).toMatch(/^ {2}Reconnects +0$/m)
    const back = summaryTable('m @ u', { ...failedRun, linkLosses: 2, reconnects: 2 })
    expect(back).toMatch(/^ {2}Link lost +2\n {2}Reconnects +2$/m)
  })

  it('says what waits while the link is down, in chunks, seconds of audio and requests', () => {
    const flow = {
      kind: 'flow' as const,
      queued: 3,
      queuedSec: 1.92,
      spilledSec: 0,
      inFlight: 2,
      droppedFrames: 0,
      unmatched: 0,
      retries: 2,
    }
    expect(flowLine(flow)).toBe(
      'queued 3 items (1.9 s of audio), 2 in flight, 2 sent again after a drop',
    )
    expect(flowLine({ ...flow, queued: 1, queuedSec: 130.04, spilledSec: 10.5, retries: 0 })).toBe(
      'queued 1 item (130.0 s of audio, 10.5 s on disk), 2 in flight',
    )
    expect(
      flowLine({ ...flow, queued: 0, queuedSec: 0, droppedFrames: 7, unmatched: 1, retries: 0 }),
    ).toBe('queued 0 items, 2 in flight, 7 frames skipped, 1 unmatched answers')
  })
})

describe('emptyAnswersNote', () => {
  it('says a detector answered with no boxes, and what it finds, only when every answer was empty', () => {
    expect(
      emptyAnswersNote(
        'boxes',
        'boxes',
        { successes: 40, emptyAnswers: 40 },
        'finds\x1b[2J red boxes',
      ),
    ).toEqual({
      message: 'boxes answered 40 times with no boxes.',
      understands: 'What it understands: finds red boxes',
    })
    expect(emptyAnswersNote('asr', 'text', { successes: 1, emptyAnswers: 1 })).toEqual({
      message: 'asr answered once with no text.',
      understands:
        'Its config does not say what it understands; check that the file suits this model.',
    })
    expect(emptyAnswersNote('asr', 'text', { successes: 12, emptyAnswers: 11 })).toBeUndefined()
    expect(emptyAnswersNote('asr', 'text', { successes: 0, emptyAnswers: 0 })).toBeUndefined()
    expect(emptyAnswersNote('m', undefined, { successes: 3, emptyAnswers: 3 })).toBeUndefined()
  })
})
