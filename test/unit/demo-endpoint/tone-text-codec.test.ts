import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ALPHABET,
  decodeToneText,
  encodeToneText,
  FRAME_MS,
  GAP_MS,
  LEAD_MS,
  TONE_MS,
  ToneTextDecoder,
} from '../../../src/main/demo-endpoint/tone-text-codec'

const SENTENCE = 'hello from triton live. the quick brown fox jumps over the lazy dog.'
const SAMPLES_DIR = resolve(__dirname, '../../../resources/samples')
const FFMPEG = process.env.FFMPEG_BIN || 'ffmpeg'

let dir = ''
let speech: Float32Array = new Float32Array(0)

function toFloat32(buf: Buffer): Float32Array {
  const copy = new Uint8Array(buf.byteLength)
  copy.set(buf)
  return new Float32Array(copy.buffer)
}

/** Decodes any audio file to 16 kHz mono float32 with the real ffmpeg. */
function ffmpegTo16k(path: string): Float32Array {
  const args = ['-v', 'error', '-i', path, '-ac', '1', '-ar', '16000', '-f', 'f32le', 'pipe:1']
  return toFloat32(execFileSync(FFMPEG, args, { maxBuffer: 64 * 1024 * 1024 }))
}

function wav16(samples: Float32Array, sampleRate: number): Buffer {
  const data = samples.length * 2
  const out = Buffer.alloc(44 + data)
  out.write('RIFF', 0, 'ascii')
  out.writeUInt32LE(36 + data, 4)
  out.write('WAVEfmt ', 8, 'ascii')
  out.writeUInt32LE(16, 16)
  out.writeUInt16LE(1, 20)
  out.writeUInt16LE(1, 22)
  out.writeUInt32LE(sampleRate, 24)
  out.writeUInt32LE(sampleRate * 2, 28)
  out.writeUInt16LE(2, 32)
  out.writeUInt16LE(16, 34)
  out.write('data', 36, 'ascii')
  out.writeUInt32LE(data, 40)
  samples.forEach((v, i) =>
    out.writeInt16LE(Math.round(Math.max(-1, Math.min(1, v)) * 32767), 44 + 2 * i),
  )
  return out
}

function readWav16(buf: Buffer): { sampleRate: number; samples: Float32Array } {
  expect(buf.toString('ascii', 0, 4)).toBe('RIFF')
  let sampleRate = 0
  let pos = 12
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4)
    const size = buf.readUInt32LE(pos + 4)
    if (id === 'fmt ') {
      expect(buf.readUInt16LE(pos + 8)).toBe(1)
      expect(buf.readUInt16LE(pos + 10)).toBe(1)
      expect(buf.readUInt16LE(pos + 22)).toBe(16)
      sampleRate = buf.readUInt32LE(pos + 12)
    } else if (id === 'data') {
      const samples = new Float32Array(size / 2)
      for (let i = 0; i < samples.length; i++) samples[i] = buf.readInt16LE(pos + 8 + 2 * i) / 32768
      return { sampleRate, samples }
    }
    pos += 8 + size + (size & 1)
  }
  throw new Error('no data chunk')
}

function scaleToPeak(x: Float32Array, peak: number): Float32Array {
  let max = 0
  for (const v of x) max = Math.max(max, Math.abs(v))
  return x.map((v) => (v * peak) / max)
}

/** Deterministic Gaussian noise (LCG + Box-Muller), so a failure is reproducible. */
function gaussianNoise(length: number, rms: number, seed = 7): Float32Array {
  let state = seed
  const uniform = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    return (state + 1) / 4294967297
  }
  const out = new Float32Array(length)
  for (let i = 0; i < length; i++) {
    out[i] = rms * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())
  }
  return out
}

function decodeInChunks(samples: Float32Array, chunk: number): { text: string; interim: string[] } {
  const decoder = new ToneTextDecoder()
  const interim: string[] = []
  for (let i = 0; i < samples.length; i += chunk) {
    decoder.push(samples.subarray(i, i + chunk))
    interim.push(decoder.text)
  }
  return { text: decoder.flush(), interim }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tone-text-'))
  const speechWav = join(dir, 'speech.wav')
  execFileSync('espeak-ng', [
    '-w',
    speechWav,
    'Hello there, this is a test of streaming speech recognition. The rain in Spain stays ' +
      'mainly in the plain. Aaah, oooh, eeee, one two three four five six seven eight nine ten.',
  ])
  speech = ffmpegTo16k(speechWav)
})

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('encodeToneText', () => {
  it('lays out lead silence, then one tone and one gap per character, then trailing silence', () => {
    const audio = encodeToneText('ab')
    const perChar = ((TONE_MS + GAP_MS) * 16000) / 1000
    const lead = (LEAD_MS * 16000) / 1000
    expect(audio.length).toBe(2 * lead + 2 * perChar)
    expect(audio.subarray(0, lead).every((v) => v === 0)).toBe(true)
    let peak = 0
    for (const v of audio) peak = Math.max(peak, Math.abs(v))
    expect(peak).toBeGreaterThan(0.45)
    expect(peak).toBeLessThanOrEqual(0.5)
  })

  it('starts and ends every tone near zero so there are no clicks', () => {
    const audio = encodeToneText('z')
    const lead = (LEAD_MS * 16000) / 1000
    const tone = (TONE_MS * 16000) / 1000
    expect(Math.abs(audio[lead])).toBeLessThan(0.01)
    expect(Math.abs(audio[lead + tone - 1])).toBeLessThan(0.05)
  })

  it('refuses sample rates whose Nyquist limit is below the highest tone', () => {
    expect(() => encodeToneText('a', 8000)).toThrow(RangeError)
    expect(() => new ToneTextDecoder(8000)).toThrow(RangeError)
  })
})

describe('decodeToneText', () => {
  it('round-trips the sample sentence exactly at 16 kHz', () => {
    expect(decodeToneText(encodeToneText(SENTENCE))).toBe(SENTENCE)
  })

  it('round-trips every character of the alphabet, including doubled ones', () => {
    const text = `${ALPHABET}${ALPHABET}  aa zz 00 -- ?? ''`
    expect(decodeToneText(encodeToneText(text))).toBe(text)
  })

  it('lowers uppercase and skips characters outside the alphabet', () => {
    expect(decodeToneText(encodeToneText('Hello, WORLD! ~é§ 42?'))).toBe('hello, world!  42?')
  })

  it('decodes audio made at other sample rates when told the rate', () => {
    for (const rate of [11025, 22050, 44100, 48000]) {
      expect(decodeToneText(encodeToneText(SENTENCE, rate), rate)).toBe(SENTENCE)
    }
  })

  it('decodes exactly after ffmpeg resamples 48 kHz and 44.1 kHz files to 16 kHz', () => {
    for (const rate of [48000, 44100]) {
      const path = join(dir, `tones-${rate}.wav`)
      writeFileSync(path, wav16(encodeToneText(SENTENCE, rate), rate))
      const resampled = ffmpegTo16k(path)
      expect(decodeToneText(resampled)).toBe(SENTENCE)
      expect(decodeInChunks(resampled, 10240).text).toBe(SENTENCE)
    }
  })

  it('decodes exactly with white noise at -30 dBFS', () => {
    const audio = encodeToneText(SENTENCE)
    for (const seed of [1, 2, 3]) {
      const noise = gaussianNoise(audio.length, 10 ** (-30 / 20), seed)
      expect(decodeToneText(audio.map((v, i) => v + noise[i]))).toBe(SENTENCE)
    }
  })

  it('decodes exactly with espeak-ng speech mixed underneath at 0.15 peak', () => {
    const audio = encodeToneText(SENTENCE)
    const quiet = scaleToPeak(speech, 0.15)
    for (const offset of [0, 3000, 11111]) {
      const mixed = audio.map((v, i) => v + quiet[(i + offset) % quiet.length])
      expect(decodeToneText(mixed)).toBe(SENTENCE)
      expect(decodeInChunks(mixed, 13600).text).toBe(SENTENCE)
    }
  })

  it('decodes speech alone to an empty string', () => {
    expect(speech.length).toBeGreaterThan(16000)
    expect(decodeToneText(scaleToPeak(speech, 0.9))).toBe('')
    expect(decodeToneText(scaleToPeak(speech, 0.1))).toBe('')
  })

  it('decodes silence, faint noise and empty input to an empty string', () => {
    expect(decodeToneText(new Float32Array(16000 * 3))).toBe('')
    expect(decodeToneText(gaussianNoise(16000 * 3, 0.1))).toBe('')
    expect(decodeToneText(new Float32Array(0))).toBe('')
  })

  it('decodes the bundled 16 kHz WAV sample to the exact sentence', () => {
    const { sampleRate, samples } = readWav16(readFileSync(join(SAMPLES_DIR, 'tone-text.wav')))
    expect(sampleRate).toBe(16000)
    expect(decodeToneText(samples)).toBe(SENTENCE)
  })

  it('decodes the bundled 48 kHz FLAC sample, resampled by ffmpeg, to the exact sentence', () => {
    expect(decodeToneText(ffmpegTo16k(join(SAMPLES_DIR, 'tone-text-48k.flac')))).toBe(SENTENCE)
  })
})

describe('ToneTextDecoder', () => {
  it('gives the same text as the whole decode for any chunk size, mid-tone boundaries included', () => {
    const audio = encodeToneText(SENTENCE)
    for (const chunk of [1, 100, 159, 161, 1000, 10240, 13600, audio.length]) {
      expect(decodeInChunks(audio, chunk).text).toBe(SENTENCE)
    }
  })

  it('only ever extends its text, so interim results are prefixes of the final one', () => {
    const { text, interim } = decodeInChunks(encodeToneText(SENTENCE), 1000)
    let previous = ''
    for (const partial of interim) {
      expect(partial.startsWith(previous)).toBe(true)
      expect(text.startsWith(partial)).toBe(true)
      previous = partial
    }
    expect(interim.at(-1)).toBe(SENTENCE)
  })

  it('holds back a tone that is still sounding until flush', () => {
    const audio = encodeToneText('ab')
    const lead = (LEAD_MS * 16000) / 1000
    const perChar = ((TONE_MS + GAP_MS) * 16000) / 1000
    // Stop one frame before the second tone ends: enough of it for a character, no gap after.
    const midSecondTone = lead + perChar + ((TONE_MS - FRAME_MS) * 16000) / 1000
    const decoder = new ToneTextDecoder()
    decoder.push(audio.subarray(0, midSecondTone))
    expect(decoder.text).toBe('a')
    expect(decoder.flush()).toBe('ab')
    expect(decoder.text).toBe('ab')
  })

  it('keeps decoding after flush as a continuation of the same stream', () => {
    const decoder = new ToneTextDecoder()
    decoder.push(encodeToneText('hi'))
    expect(decoder.flush()).toBe('hi')
    decoder.push(encodeToneText(' there'))
    expect(decoder.flush()).toBe('hi there')
  })
})
