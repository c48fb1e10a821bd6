import { describe, expect, it } from 'vitest'
import { AudioArena, SLAB_SAMPLES } from '../../../src/main/sessions/pipelines/audio-arena'
import type { AudioChunkIn } from '../../../src/main/sessions/pipelines/audio-chunk'

const CHUNK = 1600
/** Chunks of CHUNK samples that fit in one slab. */
const PER_SLAB = Math.floor(SLAB_SAMPLES / CHUNK)

function chunk(seed: number, size = CHUNK): AudioChunkIn {
  const samples = Float32Array.from({ length: size }, (_, i) => seed + i * 1e-4)
  return { samples, validSamples: size, startSec: seed, last: false }
}

describe('the audio arena an ASR pipeline keeps its open audio in', () => {
  it("copies a chunk's samples, so the source's buffer can go and nothing held changes", () => {
    const arena = new AudioArena()
    const source = chunk(1)
    const held = arena.hold(source)
    expect(held.samples.buffer).not.toBe(source.samples.buffer)
    expect(Array.from(held.samples)).toEqual(Array.from(source.samples))
    source.samples.fill(9)
    expect(held.samples[0]).toBe(Math.fround(1))
    expect({ ...held, samples: undefined }).toEqual({ ...source, samples: undefined })
  })

  it('uses a slab again only once every chunk in it has been released', () => {
    const arena = new AudioArena()
    const first = Array.from({ length: PER_SLAB }, (_, i) => arena.hold(chunk(i)))
    const slab = first[0].samples.buffer
    expect(first.every((c) => c.samples.buffer === slab)).toBe(true)
    // One more starts the next slab, so the first is no longer the one being filled.
    expect(arena.hold(chunk(50)).samples.buffer).not.toBe(slab)
    // All but one released: the slab is still read, so the next slabs are new ones.
    arena.release(first.slice(1))
    const second = Array.from({ length: 2 * PER_SLAB }, (_, i) => arena.hold(chunk(100 + i)))
    expect(second.some((c) => c.samples.buffer === slab)).toBe(false)
    expect(first[0].samples[0]).toBe(Math.fround(0))
    // The last one released: the slab is free, and the next new slab is that one.
    arena.release([first[0]])
    const third = Array.from({ length: PER_SLAB }, (_, i) => arena.hold(chunk(200 + i)))
    expect(third.some((c) => c.samples.buffer === slab)).toBe(true)
  })

  it('keeps a chunk too large to share a slab as it is', () => {
    const arena = new AudioArena()
    const large = chunk(1, SLAB_SAMPLES / 4 + 1)
    expect(arena.hold(large)).toBe(large)
  })

  it('never hands out samples a held chunk still has, whatever the order of releases', () => {
    const arena = new AudioArena()
    const held: Array<{ chunk: AudioChunkIn; seed: number }> = []
    // Utterances of 3 to 17 chunks, released two utterances late and out of order.
    const open: Array<typeof held> = []
    for (let u = 0, seed = 0; u < 60; u++) {
      const utterance = Array.from({ length: 3 + ((u * 7) % 15) }, () => {
        seed++
        return { chunk: arena.hold(chunk(seed)), seed }
      })
      held.push(...utterance)
      open.push(utterance)
      if (open.length > 2) {
        const gone = open.splice(u % 2, 1)[0]
        arena.release(gone.map((h) => h.chunk))
        for (const h of gone) held.splice(held.indexOf(h), 1)
      }
      for (const h of held) expect(h.chunk.samples[1]).toBe(Math.fround(h.seed + 1e-4))
    }
  })
})
