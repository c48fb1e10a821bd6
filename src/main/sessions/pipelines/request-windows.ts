/**
 * Where each request of an utterance starts and how long it is: the first `first` samples,
 * then `chunk` at a time. Some servers (sherpa's streaming transducer) refuse a first chunk
 * shorter than the encoder's decoding window, so the first one may be longer.
 */
export class RequestWindows {
  private firstLength: number
  /**
   * The first request is a minimum the server enforces (set by a preset, a profile or the
   * server's own refusal), so an utterance that ends sooner is padded with silence to reach it.
   */
  firstIsMinimum: boolean

  constructor(
    readonly chunk: number,
    first?: number,
  ) {
    if (!(chunk >= 1)) throw new RangeError(`chunk length must be at least 1 sample, got ${chunk}`)
    this.firstIsMinimum = Boolean(first && first > 0)
    this.firstLength = first && first > 0 ? first : chunk
  }

  get first(): number {
    return this.firstLength
  }

  /** The first request's length, as the server asked for it. */
  set first(samples: number) {
    this.firstLength = samples
    this.firstIsMinimum = true
  }

  /** [start, length] of request `k` in samples from the utterance's start. */
  window(k: number): [number, number] {
    return k === 0 ? [0, this.first] : [this.first + (k - 1) * this.chunk, this.chunk]
  }

  /** The sample after request `k`'s last one. */
  end(k: number): number {
    const [start, length] = this.window(k)
    return start + length
  }

  /** Requests needed to carry `samples` (at least one, as an empty utterance still ends). */
  count(samples: number): number {
    if (samples <= this.first) return 1
    return 1 + Math.ceil((samples - this.first) / this.chunk)
  }
}
