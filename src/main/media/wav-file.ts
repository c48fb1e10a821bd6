import { toPcm16, type Pcm } from '../../shared/pcm16'

/** RIFF WAVE in memory: 16-bit PCM out, 16-bit PCM or 32-bit float in, any channel count. */

export class WavFormatError extends Error {}

export interface WavAudio {
  sampleRate: number
  /** Mono samples in [-1, 1]; several channels are averaged. */
  samples: Float32Array
}

export function encodeWav16(samples: Float32Array, sampleRate: number): Buffer {
  return Buffer.concat([wav16Header(samples.length, sampleRate), pcm16([samples])])
}

/** The 44-byte header of a mono 16-bit PCM WAV of `samples` samples. */
export function wav16Header(samples: number, sampleRate: number): Buffer {
  const data = samples * 2
  const out = Buffer.alloc(44)
  out.write('RIFF', 0, 'ascii')
  out.writeUInt32LE(36 + data, 4)
  out.write('WAVE', 8, 'ascii')
  out.write('fmt ', 12, 'ascii')
  out.writeUInt32LE(16, 16)
  out.writeUInt16LE(1, 20) // PCM
  out.writeUInt16LE(1, 22) // mono
  out.writeUInt32LE(sampleRate, 24)
  out.writeUInt32LE(sampleRate * 2, 28)
  out.writeUInt16LE(2, 32)
  out.writeUInt16LE(16, 34)
  out.write('data', 36, 'ascii')
  out.writeUInt32LE(data, 40)
  return out
}

/**
 * Samples as 16-bit little-endian PCM (every platform Electron ships on is little-endian), the
 * pieces end to end: floats clamped to [-1, 1], 16-bit PCM as it is.
 */
export function pcm16(pieces: readonly Pcm[]): Buffer {
  const out = Buffer.alloc(2 * pieces.reduce((n, p) => n + p.length, 0))
  const samples = new Int16Array(out.buffer, out.byteOffset, out.length / 2)
  let at = 0
  for (const p of pieces) {
    if (p instanceof Int16Array) samples.set(p, at)
    else toPcm16(p, samples.subarray(at, at + p.length))
    at += p.length
  }
  return out
}

interface Format {
  codec: number
  channels: number
  sampleRate: number
  bits: number
}

function readFormat(buf: Buffer, at: number): Format {
  return {
    codec: buf.readUInt16LE(at),
    channels: buf.readUInt16LE(at + 2),
    sampleRate: buf.readUInt32LE(at + 4),
    bits: buf.readUInt16LE(at + 14),
  }
}

function toMono(data: Buffer, f: Format): Float32Array {
  const pcm16 = f.codec === 1 && f.bits === 16
  const float32 = f.codec === 3 && f.bits === 32
  if (!pcm16 && !float32) {
    throw new WavFormatError(
      `WAV codec ${f.codec} with ${f.bits}-bit samples is not supported; use 16-bit PCM or 32-bit float`,
    )
  }
  const width = f.bits / 8
  const frames = Math.floor(data.byteLength / (width * f.channels))
  const out = new Float32Array(frames)
  for (let i = 0; i < frames; i++) {
    let sum = 0
    for (let c = 0; c < f.channels; c++) {
      const at = (i * f.channels + c) * width
      sum += pcm16 ? data.readInt16LE(at) / 32768 : data.readFloatLE(at)
    }
    out[i] = sum / f.channels
  }
  return out
}

/** Reads a WAV file's format and samples; anything else gets one line naming what is wrong. */
export function decodeWav(buf: Buffer): WavAudio {
  if (
    buf.byteLength < 12 ||
    buf.toString('ascii', 0, 4) !== 'RIFF' ||
    buf.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw new WavFormatError('the file is not a WAV (RIFF/WAVE) file')
  }
  let format: Format | undefined
  let pos = 12
  while (pos + 8 <= buf.byteLength) {
    const id = buf.toString('ascii', pos, pos + 4)
    const size = buf.readUInt32LE(pos + 4)
    const body = pos + 8
    if (id === 'fmt ' && size >= 16) format = readFormat(buf, body)
    if (id === 'data') {
      if (!format) throw new WavFormatError('the WAV file has its data before its format chunk')
      if (format.channels < 1) throw new WavFormatError('the WAV file says it has no channels')
      const end = Math.min(buf.byteLength, body + size)
      return { sampleRate: format.sampleRate, samples: toMono(buf.subarray(body, end), format) }
    }
    pos = body + size + (size % 2)
  }
  throw new WavFormatError('the WAV file has no data chunk')
}
