import { describe, expect, it } from 'vitest'
import { Backoff } from '../../../src/main/sessions/backoff'
import { RequestWindows } from '../../../src/main/sessions/pipelines/request-windows'
import { UtteranceAudio } from '../../../src/main/sessions/pipelines/utterance-audio'
import { RequestLedger } from '../../../src/main/sessions/request-ledger'

describe('reconnect backoff', () => {
  it('starts at the initial wait, doubles to the cap, and jitters by ±20 %', () => {
    let r = 0.5
    const b = new Backoff({ initialDelayMs: 250, maxDelayMs: 2000 }, () => r)
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([250, 500, 1000, 2000, 2000])
    r = 0
    expect(b.next()).toBe(1600)
    r = 1
    expect(b.next()).toBe(2400)
  })

  it('gives up only after its limit, and never without one', () => {
    let now = 0
    const limited = new Backoff(
      { initialDelayMs: 1, maxDelayMs: 1, giveUpAfterMs: 1000 },
      Math.random,
      () => now,
    )
    const endless = new Backoff({ initialDelayMs: 1, maxDelayMs: 1 }, Math.random, () => now)
    now = 1000
    expect(limited.expired()).toBe(false)
    now = 1001
    expect(limited.expired()).toBe(true)
    expect(endless.expired()).toBe(false)
  })
})

/** Three chunks of 3, 2 and 4 valid samples (each with one padding sample): c*10 + i. */
const threeChunks = () =>
  [3, 2, 4].map((n, c) => ({
    samples: Float32Array.from({ length: n + 1 }, (_, i) => c * 10 + i),
    validSamples: n,
    startSec: 0,
    last: false,
  }))

describe('request windows', () => {
  it("cut sherpa's longer first chunk, then whole chunks", () => {
    const w = new RequestWindows(10240, 12320)
    expect(w.window(0)).toEqual([0, 12320])
    expect(w.window(1)).toEqual([12320, 10240])
    expect(w.window(2)).toEqual([22560, 10240])
    expect(w.end(1)).toBe(22560)
    expect([w.count(0), w.count(12320), w.count(12321), w.count(22560), w.count(22561)]).toEqual([
      1, 1, 2, 2, 3,
    ])
    expect(new RequestWindows(160).window(3)).toEqual([480, 160])
  })

  it('treat a first chunk the server asked for as a minimum, and a plain chunk as none', () => {
    expect(new RequestWindows(10240, 12320).firstIsMinimum).toBe(true)
    const plain = new RequestWindows(10240)
    expect(plain.firstIsMinimum).toBe(false)
    plain.first = 12320
    expect(plain.firstIsMinimum).toBe(true)
    expect(plain.window(1)).toEqual([12320, 10240])
  })

  it("take a window out of chunks of any size, each chunk's valid samples only", () => {
    const audio = new UtteranceAudio(new Float32Array(4))
    for (const c of threeChunks()) audio.append(c.samples, c.validSamples)
    expect(audio.length).toBe(9)
    expect(Array.from(audio.view(2, 5))).toEqual([2, 10, 11, 20, 21])
    expect(Array.from(audio.view(7, 4))).toEqual([22, 23, 0, 0])
  })

  it('take 16-bit chunks as floats on the same scale a page sends them in', () => {
    const chunks = [
      { samples: Int16Array.of(32767, -32767, 16384), validSamples: 2, startSec: 0, last: false },
      { samples: Int16Array.of(0, 1), validSamples: 2, startSec: 0, last: false },
    ]
    const audio = new UtteranceAudio(new Float32Array(4))
    for (const c of chunks) audio.append(c.samples, c.validSamples)
    expect(audio.length).toBe(4)
    expect(Array.from(audio.view(0, 4))).toEqual([1, -1, 0, Math.fround(1 / 32767)])
  })
})

describe('the request ledger', () => {
  it('ends every request as one outcome and keeps link events beside them', () => {
    const records: string[] = []
    const l = new RequestLedger((r) => records.push(r.outcome))
    l.succeeded(10)
    l.succeeded(20)
    l.failed('decode-error', 5)
    l.failed('cancelled', 0, 2)
    l.retries += 3
    l.unmatched += 1
    const s = l.summary()
    expect(s.requests).toBe(5)
    expect(s.successes).toBe(2)
    expect(s.failures).toBe(3)
    expect(s.outcomes).toEqual({
      success: 2,
      'server-error': 0,
      'decode-error': 1,
      timeout: 0,
      cancelled: 2,
    })
    expect([s.retries, s.unmatched]).toEqual([3, 1])
    expect(records).toEqual(['success', 'success', 'decode-error', 'cancelled', 'cancelled'])
  })
})
