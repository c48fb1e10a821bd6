import { Signal, type SourceQueue } from './source-queue'

/**
 * Files: nothing is lost and nothing need be, so a full queue makes the reader wait
 * (backpressure all the way back to ffmpeg's pipe).
 */
export class WaitingQueue<T> implements SourceQueue<T> {
  private readonly items: T[] = []
  private readonly room: Array<() => void> = []
  private readonly signal = new Signal()
  private closed = false
  readonly dropped = 0

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`capacity must be at least 1, got ${capacity}`)
  }

  get length(): number {
    return this.items.length
  }

  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) {
      await new Promise<void>((resolve) => this.room.push(resolve))
    }
    if (this.closed) throw new Error('the session is stopping; no more items are taken')
    this.items.push(item)
    this.signal.notify()
  }

  async take(): Promise<T | undefined> {
    while (this.items.length === 0 && !this.closed) await this.signal.wait()
    const item = this.items.shift()
    this.room.shift()?.()
    return item
  }

  close(): void {
    this.closed = true
    this.signal.notify()
    for (const wake of this.room.splice(0)) wake()
  }

  async drain(): Promise<T[]> {
    const all = this.items.splice(0)
    for (const wake of this.room.splice(0)) wake()
    return all
  }

  async dispose(): Promise<void> {
    this.close()
    this.items.length = 0
  }
}
