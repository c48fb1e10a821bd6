import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  decodeAudioChunks,
  decodeAudioFile,
  type AudioChunk,
} from '../../../src/main/media/audio-decoder'
import { MediaError } from '../../../src/main/media/media-error'
import { childFfmpegs, makeMediaFixtures, type MediaFixtures } from './media-fixtures'

let media: MediaFixtures

beforeAll(() => {
  media = makeMediaFixtures()
})

afterAll(() => media.cleanup())

async function collect(
  path: string,
  sampleRate: number,
  chunkSamples: number,
): Promise<AudioChunk[]> {
  const chunks: AudioChunk[] = []
  for await (const chunk of decodeAudioChunks(path, { sampleRate, chunkSamples }))
    chunks.push(chunk)
  return chunks
}

async function decodeError(promise: Promise<unknown>): Promise<MediaError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(MediaError)
  return err as MediaError
}

function rms(samples: Float32Array): number {
  let sum = 0
  for (const s of samples) sum += s * s
  return Math.sqrt(sum / Math.max(1, samples.length))
}

describe('decodeAudioChunks', () => {
  it('cuts 1.5 s of stereo 44.1 kHz into 16 kHz mono chunks, zero-padding only the last', async () => {
    const chunks = await collect(media.toneWav, 16000, 5000)
    expect(chunks).toHaveLength(Math.ceil(24000 / 5000))
    const total = chunks.reduce((n, c) => n + c.validSamples, 0)
    expect(Math.abs(total - 24000)).toBeLessThanOrEqual(1)
    expect(chunks.map((c) => c.last)).toEqual([false, false, false, false, true])
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2, 3, 4])
    expect(chunks.map((c) => c.startSec)).toEqual([0, 0.3125, 0.625, 0.9375, 1.25])
    for (const c of chunks) expect(c.samples).toHaveLength(5000)
    const tail = chunks[4]
    expect(tail.validSamples).toBe(total - 4 * 5000)
    expect(tail.samples.subarray(tail.validSamples).every((s) => s === 0)).toBe(true)
    // A sine downmixed from two identical channels keeps its full swing.
    const peak = Math.max(...chunks[1].samples)
    expect(peak).toBeGreaterThan(0.5)
    expect(peak).toBeLessThanOrEqual(1.001)
  })

  it('marks a full final chunk as last when the length divides evenly', async () => {
    const chunks = await collect(media.toneWav, 16000, 1600)
    expect(chunks).toHaveLength(15)
    expect(chunks.filter((c) => c.last).map((c) => c.index)).toEqual([14])
    expect(chunks[14].validSamples).toBe(1600)
  })

  it('decodes espeak-ng speech into audible samples', async () => {
    const chunks = await collect(media.speechWav, 16000, 4000)
    const total = chunks.reduce((n, c) => n + c.validSamples, 0)
    expect(total).toBeGreaterThan(8000)
    expect(chunks.at(-1)?.last).toBe(true)
    expect(
      Math.max(...chunks.map((c) => rms(c.samples.subarray(0, c.validSamples)))),
    ).toBeGreaterThan(0.01)
  })

  it('decodes MP3 and Ogg Vorbis files made by ffmpeg', async () => {
    for (const path of [media.toneMp3, media.toneOgg]) {
      const samples = await decodeAudioFile(path, 16000)
      expect(Math.abs(samples.length - 24000)).toBeLessThan(1200)
      expect(rms(samples)).toBeGreaterThan(0.3)
    }
  })

  it('reads the audio of a music file that carries cover art', async () => {
    const samples = await decodeAudioFile(media.coverMp3, 8000)
    expect(Math.abs(samples.length - 12000)).toBeLessThan(600)
  })

  it('reports a missing file as not-found, naming the file, without starting ffmpeg', async () => {
    const missing = `${media.dir}/nope.wav`
    const err = await decodeError(collect(missing, 16000, 1600))
    expect(err.code).toBe('not-found')
    expect(err.message).toContain(missing)
    expect(err.hint.length).toBeGreaterThan(0)
  })

  it('reports a text file named .wav as unreadable', async () => {
    const err = await decodeError(collect(media.textWav, 16000, 1600))
    expect(err.code).toBe('unreadable')
    expect(err.message).toContain(media.textWav)
    expect(err.message).not.toContain('\n')
  })

  it('reports a video without sound as no-audio', async () => {
    const err = await decodeError(collect(media.boxMp4, 16000, 1600))
    expect(err.code).toBe('no-audio')
    expect(err.message).toContain(media.boxMp4)
  })

  it('rejects chunk sizes that are not positive integers', async () => {
    await expect(collect(media.toneWav, 16000, 0)).rejects.toThrow(RangeError)
    await expect(collect(media.toneWav, 16000.5, 100)).rejects.toThrow(RangeError)
  })

  it('stops ffmpeg and ends the generator when aborted mid-file', async () => {
    const ac = new AbortController()
    const gen = decodeAudioChunks(media.longWav, {
      sampleRate: 16000,
      chunkSamples: 1600,
      signal: ac.signal,
    })
    const first = await gen.next()
    expect(first.done).toBe(false)
    // The pipe is full, so ffmpeg is still running, blocked on its write.
    expect(childFfmpegs()).toHaveLength(1)
    ac.abort()
    let more = 0
    for (;;) {
      const r = await gen.next()
      if (r.done) break
      more++
    }
    expect(more).toBe(0)
    expect(childFfmpegs()).toEqual([])
  })

  it('stops ffmpeg when the consumer leaves the loop early', async () => {
    let seen = 0
    for await (const chunk of decodeAudioChunks(media.longWav, {
      sampleRate: 16000,
      chunkSamples: 1600,
    })) {
      seen = chunk.index + 1
      if (seen === 3) break
    }
    expect(seen).toBe(3)
    expect(childFfmpegs()).toEqual([])
  })

  it('yields nothing and spawns nothing when the signal is already aborted', async () => {
    const ac = new AbortController()
    ac.abort()
    const chunks: AudioChunk[] = []
    for await (const c of decodeAudioChunks(media.toneWav, {
      sampleRate: 16000,
      chunkSamples: 1600,
      signal: ac.signal,
    })) {
      chunks.push(c)
    }
    expect(chunks).toEqual([])
  })

  it('paces chunks to the wall clock in real-time mode', async () => {
    const started = performance.now()
    const arrivals: number[] = []
    for await (const c of decodeAudioChunks(media.toneWav, {
      sampleRate: 16000,
      chunkSamples: 8000,
      realtime: true,
    })) {
      arrivals[c.index] = performance.now() - started
    }
    // Each half-second chunk arrives once its end has been "heard", as from a microphone.
    expect(arrivals).toHaveLength(3)
    expect(arrivals[0]).toBeGreaterThanOrEqual(480)
    expect(arrivals[1]).toBeGreaterThanOrEqual(980)
    expect(arrivals[2]).toBeGreaterThanOrEqual(1480)
  })

  it('ends a real-time wait promptly on abort', async () => {
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 100)
    const chunks: AudioChunk[] = []
    for await (const c of decodeAudioChunks(media.longWav, {
      sampleRate: 16000,
      chunkSamples: 16000,
      realtime: true,
      signal: ac.signal,
    })) {
      chunks.push(c)
    }
    // The first chunk would have come a second in: none did, and ffmpeg is gone.
    expect(chunks).toEqual([])
    expect(childFfmpegs()).toEqual([])
  })
})

describe('decodeAudioFile', () => {
  it('returns the whole file as one buffer of the valid samples', async () => {
    const samples = await decodeAudioFile(media.toneWav, 16000)
    expect(Math.abs(samples.length - 24000)).toBeLessThanOrEqual(1)
  })

  it('rejects rather than returning partial audio when aborted', async () => {
    const ac = new AbortController()
    ac.abort()
    await expect(decodeAudioFile(media.toneWav, 16000, { signal: ac.signal })).rejects.toThrow()
  })
})
