import { describe, expect, it } from 'vitest'
import { resampleLinear, StreamingResampler } from '../../../src/main/media/audio-resample'

const ramp = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i)

/** Small deterministic PRNG so "random" chunkings are the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

describe('resampleLinear', () => {
  it('doubles the rate by inserting midpoints', () => {
    expect(resampleLinear(ramp(6), 8000, 16000)).toEqual(
      Float32Array.from([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5]),
    )
  })

  it('takes every third sample from 48 kHz to 16 kHz', () => {
    expect(resampleLinear(ramp(9), 48000, 16000)).toEqual(Float32Array.from([0, 3, 6]))
  })

  it('interpolates at fractional positions', () => {
    expect(resampleLinear(ramp(7), 24000, 16000)).toEqual(Float32Array.from([0, 1.5, 3, 4.5, 6]))
    expect(resampleLinear(Float32Array.from([0, 10, 20]), 2, 3)).toEqual(
      Float32Array.from([0, 20 / 3, 40 / 3, 20]),
    )
  })

  it('turns one second at 44.1 kHz into one second at 16 kHz', () => {
    expect(resampleLinear(new Float32Array(44100), 44100, 16000)).toHaveLength(16000)
    expect(resampleLinear(new Float32Array(48000), 48000, 16000)).toHaveLength(16000)
  })

  it('copies the input when the rates match', () => {
    const input = Float32Array.from([0.25, -0.5, 1])
    const out = resampleLinear(input, 16000, 16000)
    expect(out).toEqual(input)
    expect(out).not.toBe(input)
  })

  it('returns nothing for empty input', () => {
    expect(resampleLinear(new Float32Array(0), 48000, 16000)).toHaveLength(0)
  })

  it('rejects rates that are not positive integers', () => {
    expect(() => resampleLinear(ramp(4), 0, 16000)).toThrow(RangeError)
    expect(() => new StreamingResampler(44100.5, 16000)).toThrow(RangeError)
  })
})

describe('StreamingResampler', () => {
  it('carries the last sample and the fractional position across calls', () => {
    const r = new StreamingResampler(8000, 16000)
    expect(r.push(Float32Array.from([0, 1]))).toEqual(Float32Array.from([0, 0.5, 1]))
    expect(r.push(Float32Array.from([2]))).toEqual(Float32Array.from([1.5, 2]))
    expect(r.push(new Float32Array(0))).toEqual(new Float32Array(0))
    expect(r.push(Float32Array.from([3, 4]))).toEqual(Float32Array.from([2.5, 3, 3.5, 4]))
  })

  it('skips over whole calls that fall between output positions when downsampling', () => {
    const r = new StreamingResampler(48000, 16000)
    const outs = [0, 1, 2, 3, 4, 5, 6].map((v) => Array.from(r.push(Float32Array.from([v]))))
    expect(outs).toEqual([[0], [], [], [3], [], [], [6]])
  })

  it('equals one-shot resampling for random chunkings of random audio', () => {
    const rand = mulberry32(42)
    const input = Float32Array.from({ length: 5000 }, () => rand() * 2 - 1)
    const pairs: [number, number][] = [
      [48000, 16000],
      [44100, 16000],
      [16000, 48000],
      [22050, 16000],
      [8000, 16000],
      [16000, 16000],
    ]
    for (const [from, to] of pairs) {
      const expected = resampleLinear(input, from, to)
      for (let trial = 0; trial < 5; trial++) {
        const r = new StreamingResampler(from, to)
        const parts: Float32Array[] = []
        let at = 0
        while (at < input.length) {
          const n = Math.floor(rand() * 300)
          parts.push(r.push(input.subarray(at, at + n)))
          at += n
        }
        expect(concat(parts)).toEqual(expected)
      }
    }
  })

  it('starts over after reset', () => {
    const r = new StreamingResampler(8000, 16000)
    r.push(Float32Array.from([5, 6, 7]))
    r.reset()
    expect(r.push(Float32Array.from([0, 1]))).toEqual(Float32Array.from([0, 0.5, 1]))
  })
})
