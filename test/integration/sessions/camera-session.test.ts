import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../../src/shared/session-events'
import { TritonClient } from '../../../src/main/triton/triton-client'
import { DemoProcess } from '../../fixtures/demo-process'
import { startGatedEndpoint, type GatedEndpoint } from '../../fixtures/gated-model'
import {
  expectAnswersBelongToTheirFrames,
  numberedFrame,
  startFrameSession,
} from '../../fixtures/numbered-frames'
import { sleep } from '../../fixtures/spoken-audio'

/**
 * The camera as the app runs it: frames arrive whenever the camera has one, the session keeps
 * only the newest while a request is out, and each frame is acknowledged exactly once (answered
 * or replaced), which is what paces the page. Frames carry their number in their pixels
 * (numbered-frames.ts), so a box proves which frame an answer was for.
 */
const MODEL = 'color-box-detector-e2e'

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'triton-live-camera-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('a camera session against a busy model', () => {
  let endpoint: GatedEndpoint
  beforeAll(async () => {
    // The model holds the first frame until the test lets it go: the camera outruns it by
    // construction, whatever the machine's speed.
    endpoint = await startGatedEndpoint(MODEL)
  })
  afterAll(() => endpoint.close())

  it('keeps the newest frame, counts each replaced one, and acknowledges every frame once', async () => {
    const { session, rec } = await startFrameSession(endpoint.client, MODEL, root, 'camera')
    const pushed = 5
    await session.push(numberedFrame(0))
    await endpoint.gate.reached(1)
    // Frame 0 is out and held, so the session takes no frame from the queue: 1, 2 and 3 each
    // wait there until a newer frame replaces them; 4, the newest, is sent once 0 is answered.
    for (let seq = 1; seq < pushed; seq++) {
      await session.push(numberedFrame(seq))
      await new Promise((r) => setImmediate(r))
    }
    // The page's flow report while the model still holds frame 0 already counts the drops. (The
    // flow timer is shared by every session, so a report may also come in the middle of the
    // pushes: the one looked for is the first after the third drop.)
    const reported = (): SessionEvent | undefined =>
      rec.events.find((e) => e.kind === 'flow' && e.droppedFrames === 3)
    for (let w = 0; !reported(); w++) {
      if (w >= 1000) throw new Error('no flow report of the drops while the model held frame 0')
      await sleep(10)
    }
    expect(reported()).toMatchObject({ kind: 'flow', droppedFrames: 3, inFlight: 1, queued: 1 })
    endpoint.gate.release()
    for (let w = 0; !rec.acks().some((a) => a.seq === pushed - 1) && w < 1000; w++) await sleep(10)
    const summary = await session.stop()

    const acks = rec.acks()
    expect(acks.map((a) => a.seq).sort((a, b) => a - b)).toEqual([...Array(pushed).keys()])
    const dropped = acks.filter((a) => a.outcome === 'dropped').map((a) => a.seq)
    const answered = acks.filter((a) => a.outcome === 'success').map((a) => a.seq)
    expect(dropped).toEqual([1, 2, 3])
    expect(answered).toEqual([0, 4])
    expect(summary.droppedFrames).toBe(3)
    expect(summary.successes).toBe(2)
    expect(summary.failures).toBe(0)
    expect(endpoint.gate.arrived).toBe(2)

    const detections = rec.detections()
    expect(detections.map((d) => d.frame)).toEqual(answered)
    expectAnswersBelongToTheirFrames(detections)
  })
})

describe('a camera session against a server killed with SIGKILL and restarted', () => {
  it('resumes with the newest frame, replays no stale frame and answers each for its own pixels', async () => {
    const server = new DemoProcess(join(root, 'camera-sequences.jsonl'))
    await server.start()
    const client = new TritonClient({ url: server.url, timeoutMs: 2000 })
    try {
      const { session, rec } = await startFrameSession(client, MODEL, root, 'camera')
      let seq = 0
      const acked = (s: number): boolean => rec.acks().some((a) => a.seq === s)
      // Like the page: the next frame once the last was acknowledged, or a newer one anyway.
      const pushUntil = async (done: () => boolean): Promise<void> => {
        for (let w = 0; !done() && w < 2000; w++) {
          await session.push(numberedFrame(seq++))
          await sleep(5)
        }
      }
      await pushUntil(() => rec.detections().length >= 10)
      await server.kill9()
      await pushUntil(() => session.state === 'reconnecting')
      // Frames keep coming while the server is away; only the newest is kept.
      for (let i = 0; i < 40; i++) {
        await session.push(numberedFrame(seq++))
        await sleep(2)
      }
      const lastBeforeRestart = seq - 1
      await server.start()
      await pushUntil(() => rec.detections().some((d) => d.frame > lastBeforeRestart))
      // The newest frame is never replaced, so it is answered; then nothing is outstanding.
      for (let w = 0; !acked(seq - 1) && w < 1000; w++) await sleep(10)
      const summary = await session.stop()

      expect(summary.reconnects).toBe(1)
      const detections = rec.detections()
      expectAnswersBelongToTheirFrames(detections)
      // Of the frames pushed while the server was away, at most the newest was sent after it came back.
      const staleAnswered = detections.filter(
        (d) => d.frame > lastBeforeRestart - 40 && d.frame < lastBeforeRestart,
      )
      expect(staleAnswered).toEqual([])
      expect(detections.some((d) => d.frame > lastBeforeRestart)).toBe(true)
      const acks = rec.acks()
      expect(new Set(acks.map((a) => a.seq)).size).toBe(acks.length)
      expect(summary.unprocessed).toBeUndefined()
    } finally {
      client.close()
      await server.kill9()
    }
  }, 60_000)
})
