import { describe, expect, it } from 'vitest'
import { inferRequestParts } from '../../../src/main/triton/infer-request-writer'
import { RequestBuffers } from '../../../src/main/triton/request-buffers'

/** A 100 ms chunk of 16 kHz audio, as a streaming ASR request carries it. */
const chunk = (k: number) => ({
  model: 'asr',
  id: `c1-${k}`,
  inputs: [
    {
      name: 'x',
      datatype: 'FP32' as const,
      shape: [1, 1600],
      data: new Float32Array(1600).fill(k),
    },
  ],
})

describe('request memory used again once written', () => {
  it('gives the memory of a request handed back to the next one, at the size it asks for', () => {
    const buffers = new RequestBuffers()
    const a = buffers.take(6600)
    expect([a.length, a.byteOffset, a.buffer.byteLength]).toEqual([6600, 0, 8192])
    buffers.give([a])
    const b = buffers.take(6610)
    expect(b.buffer).toBe(a.buffer)
    expect(b.length).toBe(6610)
    expect(buffers.made).toBe(1)
  })

  it('never gives one memory to two requests: a request not yet handed back is not reused', () => {
    const buffers = new RequestBuffers()
    const a = buffers.take(6600)
    const b = buffers.take(6600)
    expect(b.buffer).not.toBe(a.buffer)
    buffers.give([a])
    buffers.give([a])
    const c = buffers.take(6600)
    const d = buffers.take(6600)
    expect(c.buffer).toBe(a.buffer)
    expect(d.buffer).not.toBe(a.buffer)
    expect(buffers.made).toBe(3)
  })

  it("leaves small pieces to Buffer's pool and large ones to the GC, and keeps at most two", () => {
    const buffers = new RequestBuffers()
    const small = buffers.take(200)
    const large = buffers.take(100_000)
    expect(buffers.made).toBe(1)
    buffers.give([small, large])
    // Neither was kept: the pool's slice is Buffer's, the large one over the 64 kB kept.
    expect(buffers.take(5000).buffer).not.toBe(small.buffer)
    expect(buffers.take(90_000).buffer).not.toBe(large.buffer)
    expect(buffers.made).toBe(3)
    const kept = [buffers.take(5000), buffers.take(9000), buffers.take(13_000)]
    buffers.give(kept)
    // The two largest stay (16 kB and 12 kB), and each request takes the smallest that fits.
    expect(buffers.take(5000).buffer).toBe(kept[1].buffer)
    expect(buffers.take(5000).buffer).toBe(kept[2].buffer)
    expect(buffers.take(5000).buffer).not.toBe(kept[0].buffer)
  })

  it("writes a request's small tensors into memory from the request's allocator, its own pieces", () => {
    const buffers = new RequestBuffers()
    const first = inferRequestParts(chunk(1), { alloc: (n) => buffers.take(n) })
    expect(first.own).toEqual(first.parts)
    expect(first.own).toHaveLength(1)
    buffers.give(first.own)
    const second = inferRequestParts(chunk(2), { alloc: (n) => buffers.take(n) })
    expect(second.own[0].buffer).toBe(first.own[0].buffer)
    expect(buffers.made).toBe(1)
    // The tensor is read into it: the last 6,400 bytes are the chunk's floats.
    expect(second.own[0].length).toBe(second.length)
    const tail = second.own[0].subarray(second.length - 6400)
    expect(tail.equals(Buffer.from(new Float32Array(1600).fill(2).buffer))).toBe(true)
  })

  it("sends a large tensor from its own memory: only the pieces around it are the request's", () => {
    const frame = new Float32Array(3 * 64 * 64)
    const parts = inferRequestParts({
      model: 'det',
      inputs: [{ name: 'images', datatype: 'FP32', shape: [1, 3, 64, 64], data: frame }],
    })
    expect(parts.parts[1].buffer).toBe(frame.buffer)
    expect(parts.own).not.toContain(parts.parts[1])
    expect(parts.own[0]).toBe(parts.parts[0])
  })
})
