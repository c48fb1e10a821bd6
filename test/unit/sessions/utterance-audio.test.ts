import { describe, expect, it } from 'vitest'
import {
  UtteranceAudio,
  UtteranceAudioPool,
} from '../../../src/main/sessions/pipelines/utterance-audio'
import { rms } from '../../../src/main/sessions/pipelines/audio-chunk'
import { toPcm16 } from '../../../src/shared/pcm16'

const ramp = (n: number, from: number) => Float32Array.from({ length: n }, (_, i) => from + i)

describe('an utterance buffer', () => {
  it('keeps appended chunks end to end, 16-bit ones converted to floats', () => {
    const a = new UtteranceAudio(new Float32Array(8))
    a.append(ramp(4, 1), 3)
    a.append(Int16Array.of(32767, -32767), 2)
    expect(a.length).toBe(5)
    expect(Array.from(a.view(0, 5))).toEqual([1, 2, 3, 1, -1])
  })

  it('hands out views that later appends and growth never change', () => {
    const a = new UtteranceAudio(new Float32Array(4))
    a.append(ramp(4, 0), 4)
    const first = a.view(0, 4)
    a.append(ramp(6, 10), 6)
    expect(a.capacity).toBe(10)
    expect(Array.from(first)).toEqual([0, 1, 2, 3])
    const second = a.view(2, 6)
    expect(second.buffer).not.toBe(first.buffer)
    expect(Array.from(second)).toEqual([2, 3, 10, 11, 12, 13])
  })

  it('reads zeros past the end even in a reused buffer, and takes no audio after that', () => {
    const pool = new UtteranceAudioPool(8, 64)
    const old = pool.take()
    old.append(ramp(8, 100), 8)
    pool.give(old)
    const a = pool.take()
    a.append(ramp(3, 1), 3)
    expect(Array.from(a.view(1, 5))).toEqual([2, 3, 0, 0, 0])
    expect(Array.from(a.view(6, 4))).toEqual([0, 0, 0, 0])
    expect(() => a.append(ramp(1, 0), 1)).toThrow(/after a view past its end/)
  })

  it('reuses a finished buffer, keeps at most the spares it is told, and drops big ones', () => {
    const pool = new UtteranceAudioPool(4, 16, 1)
    const a = pool.take()
    const b = pool.take()
    a.append(ramp(4, 0), 4)
    const bufferOfA = a.view(0, 4).buffer
    pool.give(a)
    pool.give(b)
    expect(pool.spareCount).toBe(1)
    expect(pool.take().view(0, 1).buffer).toBe(bufferOfA)
    const big = pool.take()
    big.append(ramp(17, 0), 17)
    pool.give(big)
    expect(pool.spareCount).toBe(0)
  })
})

describe('16-bit PCM', () => {
  it('round-trips every 16-bit value through floats exactly and clamps floats past full scale', () => {
    const all = Int16Array.from({ length: 65535 }, (_, i) => i - 32767)
    const asFloat = new UtteranceAudio(new Float32Array(all.length))
    asFloat.append(all, all.length)
    expect(toPcm16(asFloat.view(0, all.length))).toEqual(all)
    expect(Array.from(toPcm16(Float32Array.of(1.5, -2, 0.5, Number.NaN)))).toEqual([
      32767, -32767, 16384, 0,
    ])
  })

  it('measures loudness on the float scale in either form', () => {
    const floats = Float32Array.of(0.5, -0.5, 0.5, -0.5)
    expect(rms(toPcm16(floats))).toBeCloseTo(rms(floats), 4)
    expect(rms(Int16Array.of(32767, -32767))).toBe(1)
  })
})
