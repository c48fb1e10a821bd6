/**
 * Turns the audio graph's blocks (128 frames, any channel count, the context's rate) into mono
 * chunks of exactly `chunkSamples` at the model's rate. Runs inside the AudioWorklet, so it must
 * stay free of DOM and allocation-heavy code; it is a plain class so tests can drive it.
 */
export interface AudioChunkerOptions {
  inputRate: number
  outputRate: number
  chunkSamples: number
  onChunk(chunk: Float32Array): void
}

/** Second-order low-pass (RBJ cookbook), run at the input rate before decimation. */
class Biquad {
  private b0: number
  private b1: number
  private b2: number
  private a1: number
  private a2: number
  private x1 = 0
  private x2 = 0
  private y1 = 0
  private y2 = 0

  constructor(cutoffHz: number, sampleRate: number) {
    const w0 = (2 * Math.PI * cutoffHz) / sampleRate
    const alpha = Math.sin(w0) / (2 * Math.SQRT1_2)
    const cos = Math.cos(w0)
    const a0 = 1 + alpha
    this.b0 = (1 - cos) / 2 / a0
    this.b1 = (1 - cos) / a0
    this.b2 = (1 - cos) / 2 / a0
    this.a1 = (-2 * cos) / a0
    this.a2 = (1 - alpha) / a0
  }

  step(x: number): number {
    const y =
      this.b0 * x + this.b1 * this.x1 + this.b2 * this.x2 - this.a1 * this.y1 - this.a2 * this.y2
    this.x2 = this.x1
    this.x1 = x
    this.y2 = this.y1
    this.y1 = y
    return y
  }
}

export class AudioChunker {
  private readonly step: number
  private readonly filter: Biquad | undefined
  private readonly chunkSamples: number
  private readonly onChunk: (chunk: Float32Array) => void
  private mono = new Float32Array(128)
  /** Position of the next output sample, in input samples from the current block's start. */
  private t = 0
  /** The previous block's last sample: interpolation spans block edges. */
  private prev = 0
  private chunk: Float32Array
  private fill = 0

  constructor(o: AudioChunkerOptions) {
    if (!(o.inputRate > 0 && o.outputRate > 0 && o.chunkSamples >= 1)) {
      throw new RangeError('audio chunker needs positive rates and chunk size')
    }
    this.step = o.inputRate / o.outputRate
    // Anti-alias only when decimating; 0.45 of the output rate keeps speech and the demo tones.
    this.filter =
      o.outputRate < o.inputRate ? new Biquad(0.45 * o.outputRate, o.inputRate) : undefined
    this.chunkSamples = o.chunkSamples
    this.onChunk = o.onChunk
    this.chunk = new Float32Array(o.chunkSamples)
  }

  /** Feeds one block: one Float32Array per channel, all the same length. */
  push(channels: readonly Float32Array[]): void {
    const n = channels[0]?.length ?? 0
    if (n === 0) return
    if (this.mono.length < n) this.mono = new Float32Array(n)
    const x = this.mono
    const k = channels.length
    for (let i = 0; i < n; i++) {
      let sum = 0
      for (let c = 0; c < k; c++) sum += channels[c][i]
      const v = sum / k
      x[i] = this.filter ? this.filter.step(v) : v
    }
    let t = this.t
    for (;;) {
      const i = Math.floor(t)
      // x[i + 1] must exist; the remainder waits for the next block, where i = -1 means prev.
      if (i >= n - 1) break
      const a = i < 0 ? this.prev : x[i]
      const b = x[i + 1]
      this.emit(a + (b - a) * (t - i))
      t += this.step
    }
    this.t = t - n
    this.prev = x[n - 1]
  }

  private emit(v: number): void {
    this.chunk[this.fill++] = v
    if (this.fill === this.chunkSamples) {
      const full = this.chunk
      this.chunk = new Float32Array(this.chunkSamples)
      this.fill = 0
      this.onChunk(full)
    }
  }
}

/** RMS and peak of one block's first channel, for the level meter. */
export function blockLevel(samples: Float32Array): { sumSquares: number; peak: number } {
  let sumSquares = 0
  let peak = 0
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]
    sumSquares += v * v
    const a = v < 0 ? -v : v
    if (a > peak) peak = a
  }
  return { sumSquares, peak }
}
