import { Signal, type SourceQueue } from './source-queue'

/**
 * Live video: a stale frame helps no one, so a new frame replaces the one waiting and the
 * replaced frame is counted (and handed back to its source as a credit).
 */
export class LatestFrameQueue<T> implements SourceQueue<T> {
  private item: T | undefined
  private closed = false
  private readonly signal = new Signal()
  dropped = 0
  onDidDrop?: (item: T) => void

  get length(): number {
    return this.item === undefined ? 0 : 1
  }

  async push(item: T): Promise<void> {
    if (this.closed) throw new Error('the session is stopping; no more frames are taken')
    const old = this.item
    this.item = item
    if (old !== undefined) {
      this.dropped++
      this.onDidDrop?.(old)
    }
    this.signal.notify()
  }

  newest(held: T): T {
    const newer = this.item
    if (newer === undefined) return held
    this.item = undefined
    this.dropped++
    this.onDidDrop?.(held)
    return newer
  }

  async take(): Promise<T | undefined> {
    while (this.item === undefined && !this.closed) await this.signal.wait()
    const item = this.item
    this.item = undefined
    return item
  }

  close(): void {
    this.closed = true
    this.signal.notify()
  }

  async drain(): Promise<T[]> {
    const item = this.item
    this.item = undefined
    return item === undefined ? [] : [item]
  }

  async dispose(): Promise<void> {
    this.close()
    this.item = undefined
  }
}
