import { describe, expect, it } from 'vitest'
import { AudioChunker } from '../../../src/renderer/src/capture/audio-chunker'

function sine(freq: number, rate: number, n: number, amp = 0.5): Float32Array {
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate)
  return out
}

/** Feeds a signal in 128-frame render quanta, as the audio graph does. */
function run(signal: Float32Array[], inputRate: number, outputRate: number, chunkSamples: number) {
  const chunks: Float32Array[] = []
  const c = new AudioChunker({
    inputRate,
    outputRate,
    chunkSamples,
    onChunk: (x) => chunks.push(x),
  })
  for (let i = 0; i < signal[0].length; i += 128)
    c.push(signal.map((ch) => ch.subarray(i, i + 128)))
  return chunks
}

/** Frequency estimate from upward zero crossings. */
function frequency(x: Float32Array, rate: number): number {
  let crossings = 0
  for (let i = 1; i < x.length; i++) if (x[i - 1] < 0 && x[i] >= 0) crossings++
  return (crossings * rate) / x.length
}

describe('AudioChunker', () => {
  it('emits chunks of exactly chunkSamples at the output rate', () => {
    const oneSecond = sine(1000, 48000, 48000)
    const chunks = run([oneSecond], 48000, 16000, 1600)
    expect(chunks.length).toBe(10) // 16000 samples: positions 0, 3, … 47997, all inside the second
    for (const c of chunks) expect(c.length).toBe(1600)
  })

  it('produces one output sample per step across block edges', () => {
    const chunks = run([sine(500, 44100, 44100 * 2)], 44100, 16000, 160)
    const produced = chunks.length * 160
    // 2 s at 16 kHz is 32000 samples; everything but a partial last chunk has come out.
    expect(32000 - produced).toBeLessThan(160 + 2)
  })

  it('keeps a tone at its frequency and level after resampling', () => {
    for (const inputRate of [48000, 44100, 16000]) {
      const chunks = run([sine(1200, inputRate, 2 * inputRate)], inputRate, 16000, 8000)
      const out = chunks[1] // skip the filter's settling
      expect(Math.abs(frequency(out, 16000) - 1200)).toBeLessThan(10)
      let peak = 0
      for (const v of out) peak = Math.max(peak, Math.abs(v))
      expect(peak).toBeGreaterThan(0.45)
      expect(peak).toBeLessThan(0.55)
    }
  })

  it('downmixes channels by averaging', () => {
    const left = new Float32Array(1024).fill(0.5)
    const right = new Float32Array(1024).fill(-0.1)
    const chunks = run([left, right], 16000, 16000, 256)
    expect(chunks.length).toBe(3)
    for (const v of chunks[1]) expect(v).toBeCloseTo(0.2, 6)
  })

  it('passes samples through unchanged at the same rate', () => {
    const x = Float32Array.from({ length: 1024 }, (_, i) => i / 1024)
    const chunks = run([x], 16000, 16000, 512)
    expect(Array.from(chunks[0])).toEqual(Array.from(x.subarray(0, 512)))
  })
})
