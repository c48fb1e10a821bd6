/*
 * Text carried as audio tones (a tiny MFSK modem), so the demo transcribers answer with text that
 * the audio decides exactly and tests can assert it.
 *
 * Encoding: each character of ALPHABET is one pure sine at BASE_HZ + index * STEP_HZ
 * (500 Hz .. 4700 Hz, far below the 8 kHz Nyquist limit at 16 kHz), TONE_MS long at amplitude
 * TONE_AMPLITUDE with FADE_MS raised-cosine edges (no clicks), then GAP_MS of silence. Text is
 * lowered; characters outside the alphabet are skipped. LEAD_MS of silence pads both ends.
 *
 * Decoding: the audio is cut into fixed FRAME_MS frames and the Goertzel algorithm measures the
 * power at every alphabet frequency. FRAME_MS is 10 ms rather than 20 ms because then the bin
 * spacing (100 Hz) equals STEP_HZ, so every tone sits exactly on a bin (no cross-talk between
 * neighbours), and a 30 ms gap always contains at least two whole silent frames, whatever the
 * alignment, so repeated letters ("ll") stay apart. A frame is a tone frame when its mean power is
 * above MIN_POWER and the strongest tone holds at least MIN_TONALITY of the frame's energy (speech,
 * noise and silence spread their energy). A run of tone frames ended by a non-tone frame emits its
 * majority character if that character won at least MIN_RUN_FRAMES frames (a 60 ms tone gives at
 * least four whole frames past its fades; speech never held one frequency that purely for three
 * frames in espeak-ng tests, where its best frames reached a tonality of about 0.77).
 *
 * Frequencies are absolute, so audio made at 44.1 or 48 kHz and resampled to 16 kHz decodes the
 * same; the decoder also accepts any rate above twice the highest tone (about 9.4 kHz) directly.
 * Margins measured at 16 kHz: exact up to white noise at -20 dBFS and speech mixed at 0.35 peak.
 */

export const ALPHABET = " abcdefghijklmnopqrstuvwxyz0123456789.,?!'-"
export const BASE_HZ = 500
export const STEP_HZ = 100
export const TONE_MS = 60
export const GAP_MS = 30
export const FADE_MS = 5
export const LEAD_MS = 200
export const TONE_AMPLITUDE = 0.5
export const FRAME_MS = 10
/** Mean square of a frame; -46 dBFS, far below a tone's -9 dBFS. */
export const MIN_POWER = 2.5e-5
export const MIN_TONALITY = 0.85
export const MIN_RUN_FRAMES = 3

const CHAR_INDEX = new Map<string, number>([...ALPHABET].map((c, i) => [c, i]))

export function toneFrequency(index: number): number {
  return BASE_HZ + index * STEP_HZ
}

function msToSamples(ms: number, sampleRate: number): number {
  return Math.round((ms * sampleRate) / 1000)
}

/** The highest tone must stay below Nyquist, so rates under about 9.4 kHz cannot carry the code. */
function checkSampleRate(sampleRate: number): void {
  const highest = toneFrequency(ALPHABET.length - 1)
  if (!Number.isFinite(sampleRate) || sampleRate <= 2 * highest) {
    throw new RangeError(`sample rate ${sampleRate} Hz cannot carry tones up to ${highest} Hz`)
  }
}

export function encodeToneText(text: string, sampleRate = 16000): Float32Array {
  checkSampleRate(sampleRate)
  const indices: number[] = []
  for (const c of text.toLowerCase()) {
    const k = CHAR_INDEX.get(c)
    if (k !== undefined) indices.push(k)
  }
  const lead = msToSamples(LEAD_MS, sampleRate)
  const tone = msToSamples(TONE_MS, sampleRate)
  const gap = msToSamples(GAP_MS, sampleRate)
  const fade = Math.max(1, msToSamples(FADE_MS, sampleRate))
  const out = new Float32Array(2 * lead + indices.length * (tone + gap))
  let pos = lead
  for (const k of indices) {
    const w = (2 * Math.PI * toneFrequency(k)) / sampleRate
    for (let i = 0; i < tone; i++) {
      const edge = Math.min(i, tone - 1 - i)
      const gain = edge < fade ? 0.5 - 0.5 * Math.cos((Math.PI * (edge + 0.5)) / fade) : 1
      out[pos + i] = TONE_AMPLITUDE * gain * Math.sin(w * i)
    }
    pos += tone + gap
  }
  return out
}

export class ToneTextDecoder {
  private readonly frameLength: number
  private readonly coeffs: Float64Array
  private readonly frame: Float32Array
  private fill = 0
  private readonly runCounts = new Int32Array(ALPHABET.length)
  private runLength = 0
  private decoded = ''

  constructor(sampleRate = 16000) {
    checkSampleRate(sampleRate)
    this.frameLength = msToSamples(FRAME_MS, sampleRate)
    this.frame = new Float32Array(this.frameLength)
    this.coeffs = new Float64Array(ALPHABET.length)
    for (let k = 0; k < ALPHABET.length; k++) {
      this.coeffs[k] = 2 * Math.cos((2 * Math.PI * toneFrequency(k)) / sampleRate)
    }
  }

  get text(): string {
    return this.decoded
  }

  push(samples: Float32Array): void {
    const n = this.frameLength
    let i = 0
    while (i < samples.length) {
      const take = Math.min(n - this.fill, samples.length - i)
      this.frame.set(samples.subarray(i, i + take), this.fill)
      this.fill += take
      i += take
      if (this.fill === n) {
        this.analyseFrame()
        this.fill = 0
      }
    }
  }

  /** Ends a tone still sounding at the end of the input; a partial last frame is dropped. */
  flush(): string {
    this.fill = 0
    this.endRun()
    return this.decoded
  }

  private analyseFrame(): void {
    const x = this.frame
    const n = this.frameLength
    let energy = 0
    for (let i = 0; i < n; i++) energy += x[i] * x[i]
    if (energy / n < MIN_POWER) {
      this.endRun()
      return
    }
    let best = -1
    let bestPower = 0
    for (let k = 0; k < this.coeffs.length; k++) {
      const c = this.coeffs[k]
      let s1 = 0
      let s2 = 0
      for (let i = 0; i < n; i++) {
        const s0 = x[i] + c * s1 - s2
        s2 = s1
        s1 = s0
      }
      const power = s1 * s1 + s2 * s2 - c * s1 * s2
      if (power > bestPower) {
        bestPower = power
        best = k
      }
    }
    // A full-frame sine on a bin gives |X|^2 = A^2 N^2 / 4 and energy A^2 N / 2: ratio 1.
    const tonality = (2 * bestPower) / (n * energy)
    if (best < 0 || tonality < MIN_TONALITY) {
      this.endRun()
      return
    }
    this.runCounts[best]++
    this.runLength++
  }

  private endRun(): void {
    if (this.runLength === 0) return
    let best = 0
    for (let k = 1; k < this.runCounts.length; k++) {
      if (this.runCounts[k] > this.runCounts[best]) best = k
    }
    if (this.runCounts[best] >= MIN_RUN_FRAMES) this.decoded += ALPHABET[best]
    this.runCounts.fill(0)
    this.runLength = 0
  }
}

/** Whole-window decode, for offline (Whisper-style) models that see the full utterance. */
export function decodeToneText(samples: Float32Array, sampleRate = 16000): string {
  const decoder = new ToneTextDecoder(sampleRate)
  decoder.push(samples)
  return decoder.flush()
}
