import micWorkletUrl from './mic-worklet.ts?worker&url'
import type { MicWorkletMessage, MicWorkletOptions } from './mic-worklet'

export interface MicLevel {
  rms: number
  peak: number
}

/**
 * The microphone: opened before the session starts (so a denied permission never touches the
 * server), then pumped into the worklet once the plan says the rate and chunk size.
 */
export class MicCapture {
  private context: AudioContext | undefined
  private node: AudioWorkletNode | undefined
  private closed = false

  private constructor(readonly stream: MediaStream) {}

  /**
   * Echo cancellation, noise suppression and gain control are off: they reshape tones and
   * speech in ways the model was not trained on.
   */
  static async open(deviceId: string): Promise<MicCapture> {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: {
        deviceId: deviceId ? { exact: deviceId } : undefined,
        echoCancellation: false,
        noiseSuppression: false,
        autoGainControl: false,
      },
      video: false,
    })
    return new MicCapture(stream)
  }

  async start(
    audio: { sampleRate: number; chunkSamples: number },
    onChunk: (samples: Float32Array, capturedAtMs: number) => void,
    onLevel: (level: MicLevel) => void,
  ): Promise<void> {
    if (this.closed) return
    const context = new AudioContext({ latencyHint: 'interactive' })
    this.context = context
    await context.audioWorklet.addModule(micWorkletUrl)
    // Closed while the worklet loaded: close() has already shut this context.
    if (this.closed) return
    const source = context.createMediaStreamSource(this.stream)
    const processorOptions: MicWorkletOptions = {
      outputRate: audio.sampleRate,
      chunkSamples: audio.chunkSamples,
    }
    const node = new AudioWorkletNode(context, 'triton-live-mic', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      channelCountMode: 'max',
      processorOptions,
    })
    this.node = node
    const chunkMs = (audio.chunkSamples / audio.sampleRate) * 1000
    node.port.onmessage = (e: MessageEvent<MicWorkletMessage>) => {
      const msg = e.data
      // The chunk's last sample was captured just now, so its first one chunkMs ago.
      if (msg.type === 'chunk') onChunk(msg.samples, Date.now() - chunkMs)
      else onLevel({ rms: msg.rms, peak: msg.peak })
    }
    // A worklet only runs when pulled by the destination; a muted gain keeps it silent.
    const mute = context.createGain()
    mute.gain.value = 0
    source.connect(node).connect(mute).connect(context.destination)
    await context.resume()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const node = this.node
    if (node) {
      // Level and chunk messages already queued must not reach a session that has ended.
      node.port.onmessage = null
      node.port.postMessage({ type: 'stop' })
      node.disconnect()
    }
    for (const track of this.stream.getTracks()) track.stop()
    await this.context?.close().catch(() => undefined)
  }
}
