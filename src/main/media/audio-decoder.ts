import { endianness } from 'node:os'
import { resolveFfmpeg } from './ffmpeg-path'
import { ffmpegInput, streamFfmpegRecords, waitUntil } from './ffmpeg-process'
import { assertMediaFile } from './media-error'

export interface AudioChunk {
  index: number
  /**
   * Mono samples in [-1, 1], exactly `chunkSamples` long, zero-padded after `validSamples`.
   * Owns its whole buffer, so it can be transferred or kept.
   */
  samples: Float32Array
  validSamples: number
  /** Media time of the first sample. */
  startSec: number
  /** True on the final chunk only; a successful decode always ends with exactly one. */
  last: boolean
}

export interface AudioDecodeOptions {
  sampleRate: number
  chunkSamples: number
  signal?: AbortSignal
  /**
   * Yield each chunk only once its end has passed on the wall clock, as a microphone would
   * deliver it (for "play in real time" mode). Off: as fast as ffmpeg decodes.
   */
  realtime?: boolean
}

// ffmpeg writes host-order floats so the bytes can become a Float32Array without swapping.
const F32_FORMAT = endianness() === 'LE' ? 'f32le' : 'f32be'

function checkPositiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`)
  }
}

/**
 * Decodes any file ffmpeg can read to mono float32 at `sampleRate`, streamed in fixed-size
 * chunks, so an hour-long recording needs only a few chunks of memory. Aborting (or leaving
 * the loop early) kills ffmpeg and ends the generator without an error.
 */
export async function* decodeAudioChunks(
  path: string,
  opts: AudioDecodeOptions,
): AsyncGenerator<AudioChunk, void, undefined> {
  const { sampleRate, chunkSamples, signal } = opts
  checkPositiveInt('sampleRate', sampleRate)
  checkPositiveInt('chunkSamples', chunkSamples)
  await assertMediaFile(path)
  const ffmpeg = resolveFfmpeg()
  const args = [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-i',
    ffmpegInput(path),
    // The first audio stream, the same one probeMedia describes.
    '-map',
    '0:a:0',
    '-vn',
    '-ac',
    '1',
    '-ar',
    String(sampleRate),
    '-f',
    F32_FORMAT,
    'pipe:1',
  ]
  const records = streamFfmpegRecords(ffmpeg, args, {
    path,
    wanted: 'audio',
    recordBytes: chunkSamples * 4,
    allocate: () => new Uint8Array(new Float32Array(chunkSamples).buffer),
    signal,
  })

  let index = 0
  let startedAt: number | undefined
  for await (const rec of records) {
    const validSamples = Math.floor(rec.filled / 4)
    // ffmpeg never writes a partial float, but a stray byte must not become a bogus sample.
    rec.bytes.fill(0, validSamples * 4, rec.filled)
    const startSec = (index * chunkSamples) / sampleRate
    if (opts.realtime) {
      startedAt ??= performance.now()
      const endMs = (startSec + validSamples / sampleRate) * 1000
      if (!(await waitUntil(startedAt + endMs, signal))) return
    }
    yield {
      index,
      samples: new Float32Array(rec.bytes.buffer, rec.bytes.byteOffset, chunkSamples),
      validSamples,
      startSec,
      last: rec.last,
    }
    index++
  }
  if (index === 0 && !signal?.aborted) {
    // An audio stream that decodes to nothing still gets its terminal chunk, so consumers
    // can rely on `last` to close a sequence.
    yield {
      index: 0,
      samples: new Float32Array(chunkSamples),
      validSamples: 0,
      startSec: 0,
      last: true,
    }
  }
}

/**
 * Decodes a whole (short) file to one mono float32 buffer. Memory grows with the file's
 * length: use decodeAudioChunks for anything long.
 */
export async function decodeAudioFile(
  path: string,
  sampleRate: number,
  opts: { signal?: AbortSignal } = {},
): Promise<Float32Array> {
  // Ten-second pieces keep the number of copies low while the total length is unknown.
  const parts: Float32Array[] = []
  let total = 0
  for await (const chunk of decodeAudioChunks(path, {
    sampleRate,
    chunkSamples: sampleRate * 10,
    signal: opts.signal,
  })) {
    parts.push(chunk.samples.subarray(0, chunk.validSamples))
    total += chunk.validSamples
  }
  // The generator ends quietly on abort; a promise must not pass partial audio off as whole.
  opts.signal?.throwIfAborted()
  const out = new Float32Array(total)
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}
