/**
 * AudioWorklet processor: downmix, resample and cut exact chunks on the audio thread, then post
 * them (transferred, not copied) to the page. Loaded through Vite's `?worker&url`, which bundles
 * this file and its import into one same-origin script, so it runs under `script-src 'self'`.
 */
import { AudioChunker, blockLevel } from './audio-chunker'

// The AudioWorkletGlobalScope is not in TypeScript's DOM lib; these are the parts used here.
declare const sampleRate: number
declare class AudioWorkletProcessor {
  readonly port: MessagePort
  constructor(options?: unknown)
}
declare function registerProcessor(
  name: string,
  ctor: new (options: { processorOptions?: MicWorkletOptions }) => AudioWorkletProcessor,
): void

export interface MicWorkletOptions {
  outputRate: number
  chunkSamples: number
}

export type MicWorkletMessage =
  { type: 'chunk'; samples: Float32Array } | { type: 'level'; rms: number; peak: number }

/** About 20 level updates a second at 48 kHz. */
const LEVEL_FRAMES = 2400

class MicCaptureProcessor extends AudioWorkletProcessor {
  private readonly chunker: AudioChunker
  private stopped = false
  private levelSum = 0
  private levelPeak = 0
  private levelFrames = 0

  constructor(options: { processorOptions?: MicWorkletOptions }) {
    super(options)
    const o = options.processorOptions
    if (!o) throw new Error('mic worklet needs processorOptions')
    this.chunker = new AudioChunker({
      inputRate: sampleRate,
      outputRate: o.outputRate,
      chunkSamples: o.chunkSamples,
      onChunk: (samples) => {
        const msg: MicWorkletMessage = { type: 'chunk', samples }
        this.port.postMessage(msg, [samples.buffer])
      },
    })
    this.port.onmessage = (e: MessageEvent<{ type: string }>) => {
      if (e.data.type === 'stop') this.stopped = true
    }
  }

  process(inputs: Float32Array[][]): boolean {
    if (this.stopped) return false
    const channels = inputs[0]
    // No input yet (device warming up): keep the node alive without inventing silence.
    if (!channels || channels.length === 0) return true
    this.chunker.push(channels)
    const { sumSquares, peak } = blockLevel(channels[0])
    this.levelSum += sumSquares
    this.levelPeak = Math.max(this.levelPeak, peak)
    this.levelFrames += channels[0].length
    if (this.levelFrames >= LEVEL_FRAMES) {
      const msg: MicWorkletMessage = {
        type: 'level',
        rms: Math.sqrt(this.levelSum / this.levelFrames),
        peak: this.levelPeak,
      }
      this.port.postMessage(msg)
      this.levelSum = 0
      this.levelPeak = 0
      this.levelFrames = 0
    }
    return true
  }
}

registerProcessor('triton-live-mic', MicCaptureProcessor)
