import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { AudioChunkIn } from '../../../src/main/sessions/pipelines/audio-chunk'
import { AudioQueue } from '../../../src/main/sessions/queues/audio-queue'
import { LatestFrameQueue } from '../../../src/main/sessions/queues/latest-frame-queue'
import { WaitingQueue } from '../../../src/main/sessions/queues/waiting-queue'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function chunk(seq: number, n = 4): AudioChunkIn {
  return {
    samples: Float32Array.from({ length: n }, (_, i) => seq + i / 10),
    validSamples: n,
    startSec: seq,
    last: false,
    seq,
  }
}

describe('the audio queue', () => {
  it('keeps order across memory and disk, and holds only its bound in memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aq-'))
    dirs.push(dir)
    // 16 bytes a chunk, 40 bytes of memory: two chunks in memory, the rest spill.
    const q = new AudioQueue({ sampleRate: 4, memoryBytes: 40, spillDir: dir })
    for (let i = 0; i < 6; i++) await q.push(chunk(i))
    expect(q.length).toBe(6)
    expect(q.queuedSec).toBe(6)
    expect(q.spilledSec).toBe(4)
    const first = await q.take()
    // Memory has room again, but the new chunk must still queue behind the spilled ones.
    await q.push(chunk(6))
    const rest: AudioChunkIn[] = []
    q.close()
    for (let c = await q.take(); c; c = await q.take()) rest.push(c)
    const all = [first!, ...rest]
    expect(all.map((c) => c.seq)).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(Array.from(all[4].samples)).toEqual([4, 4.1, 4.2, 4.3].map((x) => Math.fround(x)))
    expect(q.spilledSec).toBe(0)
    await q.dispose()
    expect(readdirSync(dir)).toEqual([])
  })

  it('hands back everything it holds when a stop cannot send it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aq-'))
    dirs.push(dir)
    const q = new AudioQueue({ sampleRate: 4, memoryBytes: 16, spillDir: dir })
    for (let i = 0; i < 3; i++) await q.push(chunk(i))
    q.close()
    expect((await q.drain()).map((c) => c.seq)).toEqual([0, 1, 2])
    await expect(q.push(chunk(3))).rejects.toThrow('stopping')
    await q.dispose()
  })
})

describe('the latest-frame queue', () => {
  it('replaces a waiting frame with the newer one, counts it and hands it back', async () => {
    const q = new LatestFrameQueue<number>()
    const dropped: number[] = []
    q.onDidDrop = (f) => dropped.push(f)
    await q.push(1)
    await q.push(2)
    await q.push(3)
    expect(await q.take()).toBe(3)
    expect(q.dropped).toBe(2)
    expect(dropped).toEqual([1, 2])
    q.close()
    expect(await q.take()).toBeUndefined()
  })

  it('swaps a frame held through an outage for a newer one, counting the held one as dropped', async () => {
    const q = new LatestFrameQueue<number>()
    const dropped: number[] = []
    q.onDidDrop = (f) => dropped.push(f)
    await q.push(1)
    const held = (await q.take()) as number
    expect(q.newest(held)).toBe(1)
    await q.push(2)
    await q.push(3)
    expect(q.newest(held)).toBe(3)
    expect(dropped).toEqual([2, 1])
    expect(q.dropped).toBe(2)
    expect(q.length).toBe(0)
  })
})

describe('the waiting queue', () => {
  it('holds a pusher until there is room, in order', async () => {
    const q = new WaitingQueue<number>(2)
    await q.push(1)
    await q.push(2)
    let third = false
    const pushing = q.push(3).then(() => (third = true))
    await Promise.resolve()
    expect(third).toBe(false)
    expect(await q.take()).toBe(1)
    await pushing
    expect(third).toBe(true)
    expect([await q.take(), await q.take()]).toEqual([2, 3])
  })

  it('frees a waiting pusher when it closes', async () => {
    const q = new WaitingQueue<number>(1)
    await q.push(1)
    const pushing = q.push(2)
    q.close()
    await expect(pushing).rejects.toThrow('stopping')
    expect(await q.drain()).toEqual([1])
  })
})
