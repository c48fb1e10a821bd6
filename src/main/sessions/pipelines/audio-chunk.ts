import { PCM16_FULL_SCALE, type Pcm } from '../../../shared/pcm16'

/** A piece of mono audio on its way from a source to an ASR pipeline. */
export interface AudioChunkIn {
  /**
   * PCM at the profile's rate; zero-padded after `validSamples`. Not written after the source
   * hands the chunk over.
   */
  samples: Pcm
  validSamples: number
  /** Media time of the first sample. */
  startSec: number
  /** The source has nothing after this chunk. */
  last: boolean
  /** Capture time of the first sample (ms since epoch), for glass-to-glass latency. */
  capturedAtMs?: number
  /** The source's sequence number, acknowledged back to it. */
  seq?: number
}

/** Root mean square of the first `n` samples, on the float scale (full scale is 1). */
export function rms(samples: Pcm, n = samples.length): number {
  if (n === 0) return 0
  let sum = 0
  for (let i = 0; i < n; i++) sum += samples[i] * samples[i]
  const scale = samples instanceof Int16Array ? PCM16_FULL_SCALE : 1
  return Math.sqrt(sum / n) / scale
}

/** Below this RMS a chunk counts as silence for endpointing (about -40 dBFS). */
export const SILENCE_RMS = 0.01
export const DEFAULT_ENDPOINT_SILENCE_SEC = 0.8
export const MAX_UTTERANCE_SEC = 30

/**
 * Where utterances end: at the end of the input, after `silenceSec` of silence following
 * speech, or after 30 s. Pure bookkeeping over chunk durations and loudness, so the same audio
 * always splits the same way, live or replayed.
 */
export class Endpointer {
  heardVoice = false
  private silence = 0
  private length = 0

  constructor(
    private readonly rate: number,
    private readonly silenceSec = DEFAULT_ENDPOINT_SILENCE_SEC,
    private readonly maxSec = MAX_UTTERANCE_SEC,
  ) {}

  /** Feeds one chunk; true when the utterance ends with it. */
  feed(chunk: AudioChunkIn): boolean {
    const sec = chunk.validSamples / this.rate
    this.length += sec
    if (rms(chunk.samples, chunk.validSamples) >= SILENCE_RMS) {
      this.heardVoice = true
      this.silence = 0
    } else {
      this.silence += sec
    }
    return (
      chunk.last ||
      (this.heardVoice && this.silence >= this.silenceSec) ||
      this.length >= this.maxSec
    )
  }

  reset(): void {
    this.heardVoice = false
    this.silence = 0
    this.length = 0
  }
}
