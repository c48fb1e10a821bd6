import { copyPcm, type Pcm } from '../../../shared/pcm16'

/**
 * One utterance's audio in one growing float buffer. Chunks are copied in as they arrive, so
 * the source's buffers die young (every ArrayBuffer byte still alive counts toward V8's next
 * full collection) and every request window is a view of this buffer, not a copy.
 */
export class UtteranceAudio {
  private data: Float32Array
  private end = 0
  /** Set once a view reaches past the audio: its zeros must not be overwritten by appends. */
  private sealed = false

  constructor(data: Float32Array) {
    this.data = data
  }

  get length(): number {
    return this.end
  }

  get capacity(): number {
    return this.data.length
  }

  append(samples: Pcm, n: number): void {
    if (this.sealed) throw new Error('audio appended after a view past its end was taken')
    if (this.end + n > this.data.length) {
      // Views already handed out keep the old buffer: growing never changes what they read.
      const grown = new Float32Array(Math.max(this.end + n, 2 * this.data.length))
      grown.set(this.data.subarray(0, this.end))
      this.data = grown
    }
    copyPcm(samples, n, this.data, this.end)
    this.end += n
  }

  /**
   * Samples `start` to `start + n` as a view; past the end of the audio they read as zeros.
   * A view never changes: appends write after the end, and none are taken once a view reaches
   * past it.
   */
  view(start: number, n: number): Float32Array {
    const stop = start + n
    if (stop > this.end) {
      if (stop > this.data.length) {
        const grown = new Float32Array(stop)
        grown.set(this.data.subarray(0, this.end))
        this.data = grown
      } else {
        // A buffer used before holds an older utterance's samples there.
        this.data.fill(0, this.end, stop)
      }
      this.sealed = true
    }
    return this.data.subarray(start, stop)
  }

  /** Drops the first `n` samples; only while no view of the buffer is out (it moves). */
  dropFront(n: number): void {
    this.data.copyWithin(0, n, this.end)
    this.end -= n
  }

  /** The buffer, for reuse; only once no view of it is read any more. */
  release(): Float32Array {
    const data = this.data
    this.data = new Float32Array(0)
    this.end = 0
    return data
  }
}

/**
 * Buffers of finished utterances, reused by the next ones, so a session in steady state
 * allocates no audio memory at all. Kept small: a session has one utterance open and rarely
 * more than one more waiting for its final text.
 */
export class UtteranceAudioPool {
  private readonly spare: Float32Array[] = []

  /**
   * @param initialSamples capacity of a new buffer (it doubles as an utterance needs)
   * @param maxKeptSamples larger buffers (a rare long utterance) are left to the GC
   */
  constructor(
    private readonly initialSamples: number,
    private readonly maxKeptSamples: number,
    private readonly maxSpare = 2,
  ) {}

  get spareCount(): number {
    return this.spare.length
  }

  take(): UtteranceAudio {
    return new UtteranceAudio(this.spare.pop() ?? new Float32Array(this.initialSamples))
  }

  /** Takes back an utterance's buffer; the caller guarantees nothing reads its views again. */
  give(audio: UtteranceAudio): void {
    const data = audio.release()
    if (data.length === 0 || data.length > this.maxKeptSamples) return
    if (this.spare.length < this.maxSpare) this.spare.push(data)
  }
}
