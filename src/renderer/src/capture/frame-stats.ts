/** Events per second over the last second, for the overlay's capture / sent / result rates. */
export class RateMeter {
  private times: number[] = []

  mark(nowMs: number): void {
    this.times.push(nowMs)
    if (this.times.length > 240) this.trim(nowMs)
  }

  rate(nowMs: number): number {
    this.trim(nowMs)
    return this.times.length
  }

  private trim(nowMs: number): void {
    let i = 0
    while (i < this.times.length && this.times[i] <= nowMs - 1000) i++
    if (i) this.times.splice(0, i)
  }
}

export interface FrameRates {
  captureFps: number
  sentFps: number
  resultFps: number
  dropped: number
}

export class FrameStats {
  readonly capture = new RateMeter()
  readonly sent = new RateMeter()
  readonly result = new RateMeter()
  dropped = 0

  rates(nowMs: number): FrameRates {
    return {
      captureFps: this.capture.rate(nowMs),
      sentFps: this.sent.rate(nowMs),
      resultFps: this.result.rate(nowMs),
      dropped: this.dropped,
    }
  }
}
