import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { pcm16 } from '../../../src/main/media/wav-file'
import type { AudioChunkIn } from '../../../src/main/sessions/pipelines/audio-chunk'
import { UntranscribedAudio } from '../../../src/main/sessions/untranscribed-audio'

const RATE = 16000
let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-untranscribed-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const ramp = (n: number, from: number): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => (from + i) / 1000)

function chunk(
  startSec: number,
  samples: Float32Array,
  validSamples = samples.length,
): AudioChunkIn {
  return { samples, validSamples, startSec, last: false, seq: 0 }
}

describe('untranscribed audio', () => {
  it('keeps given-up utterances, then what was left at the end in media order, in one WAV', () => {
    const kept = new UntranscribedAudio(dir, RATE)
    const first = [ramp(100, 0), ramp(60, 100)]
    const second = [ramp(40, 300)]
    kept.keep(2.5, first)
    kept.keep(7, second)
    // Left at the end, out of order, the last chunk only partly valid.
    const late = chunk(12, ramp(50, 500), 30)
    const early = chunk(11, ramp(20, 400))
    const u = kept.finish([late, early], 3)
    expect(u).toStrictEqual({
      requests: 3,
      audioSec: (160 + 40 + 20 + 30) / RATE,
      audioStartSec: 2.5,
      keptAudioPath: join(dir, 'untranscribed-from-2.5s.wav'),
      frames: 0,
    })
    // At most a second of silence between pieces apart in media time (4.5 s and 4 s here),
    // so each is heard as its own utterance again.
    const wav = readFileSync(u?.keptAudioPath ?? '')
    const samples = 250 + 2 * RATE
    expect(wav.readUInt32LE(40)).toBe(2 * samples)
    expect(wav.readUInt32LE(4)).toBe(36 + 2 * samples)
    const gap = new Float32Array(RATE)
    const expected = pcm16([...first, gap, ...second, gap, ramp(20, 400), ramp(30, 500)])
    expect(wav.subarray(44).equals(expected)).toBe(true)
    // Exact samples: 0.1 is 3277 in 16-bit PCM.
    expect(wav.readInt16LE(44 + 2 * 100)).toBe(3277)
    // The given-up audio waited on disk, not in memory; the WAV replaces it.
    expect(existsSync(join(dir, 'given-up.pcm'))).toBe(false)
  })

  it('joins pieces that followed each other in media time, and puts only the silence there was between near ones', () => {
    const kept = new UntranscribedAudio(dir, RATE)
    // An utterance cut at its longest (1 s), the next one, then what was left 0.25 s later.
    kept.keep(0, [ramp(RATE, 0)])
    kept.keep(1, [ramp(RATE / 2, 0)])
    const u = kept.finish([chunk(1.75, ramp(100, 0))], 1)
    expect(u?.audioSec).toBe((RATE + RATE / 2 + 100) / RATE)
    const wav = readFileSync(u?.keptAudioPath ?? '')
    const expected = pcm16([
      ramp(RATE, 0),
      ramp(RATE / 2, 0),
      new Float32Array(RATE / 4),
      ramp(100, 0),
    ])
    expect(wav.subarray(44).equals(expected)).toBe(true)
  })

  it('names the start of the earliest audio, given up or left', () => {
    const kept = new UntranscribedAudio(dir, RATE)
    kept.keep(9, [ramp(10, 0)])
    expect(kept.finish([chunk(4, ramp(10, 0))], 1)?.audioStartSec).toBe(4)
  })

  it('reports nothing when nothing was given up or left, and requests alone when no audio was', () => {
    expect(new UntranscribedAudio(dir, RATE).finish([], 0)).toBeUndefined()
    expect(new UntranscribedAudio(dir, RATE).finish([], 2)).toStrictEqual({
      requests: 2,
      audioSec: 0,
      frames: 0,
    })
    const empty = new UntranscribedAudio(dir, RATE)
    empty.keep(1, [new Float32Array(0)])
    expect(empty.finish([], 0)).toBeUndefined()
  })

  it('does not report audio left with no request for it (silence before anyone spoke)', () => {
    const kept = new UntranscribedAudio(dir, RATE)
    expect(kept.finish([chunk(0, ramp(RATE, 0))], 0)).toBeUndefined()
    kept.keep(3, [ramp(10, 0)])
    expect(kept.finish([chunk(0, ramp(RATE, 0))], 0)?.audioSec).toBe(10 / RATE)
  })

  it('keeps given-up audio in memory when its file cannot be written, and never throws', () => {
    const kept = new UntranscribedAudio(dir, RATE)
    kept.keep(0, [ramp(10, 0)])
    rmSync(dir, { recursive: true, force: true })
    // The folder is gone: this piece stays in memory, and a WAV cannot be written either.
    kept.keep(5, [ramp(10, 100)])
    expect(kept.finish([], 0)).toStrictEqual({
      requests: 0,
      audioSec: 20 / RATE,
      audioStartSec: 0,
      frames: 0,
    })
    // A piece that could not be written, then the folder back (a disk with room again): the
    // WAV holds every piece, in order.
    const again = new UntranscribedAudio(dir, RATE)
    again.keep(0, [ramp(10, 0)])
    mkdirSync(dir)
    again.keep(5, [ramp(10, 100)])
    const wav = readFileSync(again.finish([], 0)?.keptAudioPath ?? '')
    const gap = new Float32Array(RATE)
    expect(wav.subarray(44).equals(pcm16([ramp(10, 0), gap, ramp(10, 100)]))).toBe(true)
  })

  it('reports given-up audio when the session ends with no request left', () => {
    const kept = new UntranscribedAudio(dir, RATE)
    kept.keep(0, [ramp(RATE, 0)])
    const u = kept.finish([], 0)
    expect(u?.requests).toBe(0)
    expect(u?.audioSec).toBe(1)
    expect(readFileSync(u?.keptAudioPath ?? '').length).toBe(44 + 2 * RATE)
  })
})
