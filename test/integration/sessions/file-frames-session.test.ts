import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveModel } from '../../../src/main/sessions/model-plan'
import { createFrameSession } from '../../../src/main/sessions/session-factory'
import { createTransport } from '../../../src/main/transport/create-transport'
import { TritonClient } from '../../../src/main/triton/triton-client'
import { DemoProcess } from '../../fixtures/demo-process'
import {
  expectAnswersBelongToTheirFrames,
  numberedFrame,
  recordFrames,
} from '../../fixtures/numbered-frames'
import { sleep } from '../../fixtures/spoken-audio'

/**
 * A video file's frames: converted on the frame converter's thread, the next one while the
 * frames before it are on the wire, and sent again after a lost link. A frame's number is in
 * its pixels, so a box proves which frame an answer was for.
 */
const MODEL = 'color-box-detector-e2e'
const FRAMES = 60

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'triton-live-file-frames-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('a video file session against a server killed with SIGKILL and restarted', () => {
  for (const pace of ['realtime', 'fast'] as const) {
    it(`answers every frame once, for its own pixels and in order (${pace}: ${pace === 'fast' ? 4 : 2} in flight)`, async () => {
      const server = new DemoProcess(join(root, `${pace}-sequences.jsonl`))
      await server.start()
      const client = new TritonClient({ url: server.url, timeoutMs: 2000 })
      try {
        const { profile } = await resolveModel(client, MODEL)
        const session = createFrameSession(
          { transport: createTransport(client), profile, workRoot: root },
          'file',
          pace,
        )
        const rec = recordFrames(session)
        await session.start()
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
