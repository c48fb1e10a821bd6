import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SessionStatusEvent } from '../../../src/shared/session-events'
import { frameConverter } from '../../../src/main/media/frame-converter'
import { TritonClient } from '../../../src/main/triton/triton-client'
import { DemoProcess } from '../../fixtures/demo-process'
import { startGatedEndpoint, type GatedEndpoint } from '../../fixtures/gated-model'
import {
  expectAnswersBelongToTheirFrames,
  numberedFrame,
  recordFrames,
  startFrameSession,
} from '../../fixtures/numbered-frames'
import { sleep } from '../../fixtures/spoken-audio'

/**
 * A video file's frames: converted the next one while the frames before it are on the wire
 * (with SIMD on this thread, or in JavaScript on the frame converter's), and sent again after
 * a lost link. A frame's number is in its pixels, so a box proves which frame an answer was for.
 */
const MODEL = 'color-box-detector-e2e'
const FRAMES = 60

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'triton-live-file-frames-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

// The detector's own scale (1/255) is exact in single precision, so SIMD fills its frames; at
// 0.0039 it is not, and they go to the worker (the boxes' colours still match).
const CONVERSIONS = [
  { pace: 'realtime', on: 'SIMD here', scale: undefined },
  { pace: 'fast', on: 'JavaScript on the worker', scale: 0.0039 },
] as const

describe('a video file session against a server killed with SIGKILL and restarted', () => {
  for (const { pace, on, scale } of CONVERSIONS) {
    it(`answers every frame once, for its own pixels and in order (${pace}: ${pace === 'fast' ? 4 : 2} in flight, ${on})`, async () => {
      const server = new DemoProcess(join(root, `${pace}-sequences.jsonl`))
      await server.start()
      const client = new TritonClient({ url: server.url, timeoutMs: 2000 })
      const workerFrames = frameConverter().workerFrames
      try {
        const { session, rec } = await startFrameSession(client, MODEL, root, 'file', {
          pace,
          edit: (profile) =>
            profile.vision && scale
              ? { ...profile, vision: { ...profile.vision, scale } }
              : profile,
        })
        // The file's reader: each frame once the queue takes it.
        const feed = (async () => {
          for (let i = 0; i < FRAMES; i++) await session.push(numberedFrame(i))
        })()
        for (let w = 0; rec.detections().length < 10 && w < 2000; w++) await sleep(5)
        await server.kill9()
        for (let w = 0; session.state !== 'reconnecting' && w < 2000; w++) await sleep(5)
        expect(session.state).toBe('reconnecting')
        await server.start()
        await feed
        const summary = await session.stop()

        expect(summary.reconnects).toBe(1)
        // Frames that were out when the server went were converted and sent again.
        expect(summary.retries).toBeGreaterThan(0)
        expect(frameConverter().where).toBe('worker')
        const onWorker = frameConverter().workerFrames - workerFrames
        if (scale === undefined) expect(onWorker).toBe(0)
        else expect(onWorker).toBeGreaterThanOrEqual(FRAMES + summary.retries)
        const detections = rec.detections()
        expect(detections.map((d) => d.frame)).toEqual([...Array(FRAMES).keys()])
        expectAnswersBelongToTheirFrames(detections)
        expect(summary.successes).toBe(FRAMES)
        expect(summary.unprocessed).toBeUndefined()
        const acks = rec.acks()
        expect(acks.map((a) => a.seq).sort((a, b) => a - b)).toEqual([...Array(FRAMES).keys()])
        expect(acks.every((a) => a.outcome === 'success')).toBe(true)
      } finally {
        client.close()
        await server.kill9()
      }
    }, 60_000)
  }
})

describe('a video file session given what it cannot convert', () => {
  let endpoint: GatedEndpoint
  beforeAll(async () => {
    // The model holds the first frame: the next ones wait for a place in flight, converted early.
    endpoint = await startGatedEndpoint(MODEL)
  })
  afterAll(() => endpoint.close())

  const failure = (events: ReturnType<typeof recordFrames>['events']) =>
    events.find((e): e is SessionStatusEvent => e.kind === 'status' && e.state === 'failed')

  it('fails the session in one line for a frame of the wrong size that waited its turn', async () => {
    const { session, rec } = await startFrameSession(endpoint.client, MODEL, root, 'file')
    await session.push(numberedFrame(0))
    await session.push(numberedFrame(1))
    await endpoint.gate.reached(1)
    // Two frames are out, so this one's conversion fails while it waits for a place.
    await session.push({ ...numberedFrame(2), rgb: new Uint8Array(12) })
    endpoint.gate.release()
    for (let w = 0; !failure(rec.events) && w < 1000; w++) await sleep(10)
    expect(failure(rec.events)?.error?.message).toContain(
      'expected 1228800 RGB bytes for 640x640, got 12',
    )
    await session.stop()
    // What the session had is kept: frame 0 was answered before the failure, and every frame
    // is acknowledged once, answered or given up.
    expect(rec.detections()[0]).toMatchObject({ frame: 0 })
    expectAnswersBelongToTheirFrames(rec.detections())
    expect(
      rec
        .acks()
        .map((a) => a.seq)
        .sort((a, b) => a - b),
    ).toEqual([0, 1, 2])
  })

  it('fails the session at its first frame, not at its start, for a profile the conversion refuses', async () => {
    const { session, rec } = await startFrameSession(endpoint.client, MODEL, root, 'file', {
      edit: (profile) => {
        if (!profile.vision) throw new Error('the demo detector has a vision profile')
        return { ...profile, vision: { ...profile.vision, datatype: 'UINT8', scale: 0.5 } }
      },
    })
    await session.push(numberedFrame(0))
    for (let w = 0; !failure(rec.events) && w < 1000; w++) await sleep(10)
    expect(failure(rec.events)?.error?.message).toContain(
      'a UINT8 tensor takes raw bytes: scale must be 1, mean 0 and std 1',
    )
    const summary = await session.stop()
    expect(summary.outcomes.success).toBe(0)
  })
})
