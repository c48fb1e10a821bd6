import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DetectionFrameEvent } from '../../../src/shared/results'
import { startDemoEndpoint, type DemoEndpoint } from '../../../src/main/demo-endpoint/demo-server'
import { encodeToneText } from '../../../src/main/demo-endpoint/tone-text-codec'
import { FileSource } from '../../../src/main/sessions/file-source'
import { resolveModel } from '../../../src/main/sessions/model-plan'
import { createTransport } from '../../../src/main/transport/create-transport'
import type { InferChannel } from '../../../src/main/transport/infer-channel'
import { SharedMemoryTransport } from '../../../src/main/transport/shared-memory/shared-memory-transport'
import type { InferRequestSpec } from '../../../src/main/triton/infer-messages'
import { bytesToStrings, type DecodedTensor } from '../../../src/main/triton/tensor-codec'
import { TritonClient } from '../../../src/main/triton/triton-client'
import { TritonError } from '../../../src/main/triton/triton-error'

const MP4 = join(__dirname, '../../../resources/samples/boxes.mp4')

let demo: DemoEndpoint
let client: TritonClient

beforeAll(async () => {
  // Each request holds the model 40 ms, so requests sent together are in flight together.
  demo = await startDemoEndpoint({ port: 0, metricsPort: null, delayMs: 40 })
  client = new TritonClient({ url: demo.url, timeoutMs: 5000 })
})

afterAll(async () => {
  client.close()
  await demo.close()
})

function window(text: string): InferRequestSpec {
  const samples = encodeToneText(text)
  return {
    model: 'tone-transcriber-offline',
    inputs: [
      { name: 'TEXT_PREFIX', datatype: 'BYTES', shape: [1, 1], data: ['<|startoftranscript|>'] },
      { name: 'WAV', datatype: 'FP32', shape: [1, samples.length], data: samples },
    ],
  }
}

async function transcribe(channel: InferChannel, text: string, deadlineMs = 5000) {
  const answer = await channel.infer(window(text), { deadlineMs })
  return bytesToStrings(answer.responses[0].outputs.get('TRANSCRIPTS') as DecodedTensor)[0]
}

/** Region names the server has registered now. */
const registered = async (): Promise<string[]> =>
  Object.keys(await client.systemSharedMemoryStatus()).sort()

const files = (names: string[]): boolean[] => names.map((n) => existsSync(join('/dev/shm', n)))

/** Shared memory over gRPC unary calls, so each request has its own deadline. */
function shmTransport(slots: number) {
  return new SharedMemoryTransport(client, createTransport(client, { mode: 'unary' }), { slots })
}

describe('shared-memory slots', () => {
  it('carry several requests in flight at once, each answered from its own slot', async () => {
    const shm = shmTransport(2)
    const channel = shm.open()
    try {
      const texts = ['first one', 'second', 'the third', 'and four']
      // Four at once on two slots: two wait for a slot, none reads another's answer.
      const answers = await Promise.all(texts.map((t) => transcribe(channel, t)))
      expect(answers).toEqual(texts)
      // One generation throughout: an input and an output region, registered once.
      expect(shm.pool.regionNames).toHaveLength(2)
      expect(await registered()).toEqual([...shm.pool.regionNames].sort())
    } finally {
      await shm.close()
    }
    expect(await registered()).toEqual([])
  })

  it('grow into a new pair of regions for a bigger request, and the old pair is removed', async () => {
    const shm = shmTransport(2)
    const channel = shm.open()
    try {
      expect(await transcribe(channel, 'short')).toBe('short')
      const first = [...shm.pool.regionNames]
      expect(files(first)).toEqual([true, true])
      // About 4 s of audio: 256 KB, four times the first slot.
      const long = 'a much longer sentence than the first one'
      expect(await transcribe(channel, long)).toBe(long)
      const second = shm.pool.regionNames
      expect(second).toHaveLength(2)
      expect(second.filter((n) => first.includes(n))).toEqual([])
      expect(await registered()).toEqual([...second].sort())
      expect(files(first)).toEqual([false, false])
      // The new slots take the small request too.
      expect(await transcribe(channel, 'short again')).toBe('short again')
      expect(shm.pool.regionNames).toEqual(second)
    } finally {
      await shm.close()
    }
  })

  it('retire the slot of a request that timed out: the server may still write into it', async () => {
    const shm = shmTransport(1)
    const channel = shm.open()
    try {
      expect(await transcribe(channel, 'warm')).toBe('warm')
      const first = [...shm.pool.regionNames]
      // 10 ms against a model that takes 40: the request times out with its slot in use.
      const late = await transcribe(channel, 'too late', 10).catch((e: unknown) => e)
      expect(late).toBeInstanceOf(TritonError)
      expect((late as TritonError).kind).toBe('timeout')
      // The only slot is retired, so the next request gets a new pair of regions.
      expect(await transcribe(channel, 'fresh slot')).toBe('fresh slot')
      expect(shm.pool.regionNames.filter((n) => first.includes(n))).toEqual([])
      expect(files(first)).toEqual([false, false])
    } finally {
      await shm.close()
    }
    expect(await registered()).toEqual([])
  })
})

describe('a session over shared memory', () => {
  it('unregisters and unlinks its regions when it is stopped', async () => {
    const workRoot = mkdtempSync(join(tmpdir(), 'triton-live-shm-session-'))
    try {
      const { profile } = await resolveModel(client, 'color-box-detector-yolov8')
      const source = new FileSource(
        { transport: createTransport(client, { sharedMemory: 'system' }), profile, workRoot },
        { path: MP4, pace: 'realtime' },
      )
      const first = new Promise<void>((resolve) =>
        source.session.onDidEmit((e) => {
          if (e.kind === 'detections') resolve()
        }),
      )
      const frames: DetectionFrameEvent[] = []
      source.session.onDidEmit((e) => void (e.kind === 'detections' && frames.push(e)))
      await source.start()
      await first
      const names = await registered()
      expect(names).toHaveLength(2)
      expect(files(names)).toEqual([true, true])
      const summary = await source.stop()
      // Stopped while the file plays: what was sent was answered, and no region is left.
      expect(frames.length).toBeGreaterThan(0)
      expect(summary.failures).toBe(0)
      expect(await registered()).toEqual([])
      expect(files(names)).toEqual([false, false])
    } finally {
      rmSync(workRoot, { recursive: true, force: true })
    }
  })
})
