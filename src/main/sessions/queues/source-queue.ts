/**
 * The bounded queue between a source and its session. Each source has its own policy
 * (audio-queue.ts never drops and spills to disk, latest-frame-queue.ts keeps only the newest
 * frame, waiting-queue.ts makes a file reader wait), behind one interface the session pumps.
 */
export interface SourceQueue<T> {
  /** Resolves once the item is accepted (a waiting queue holds the caller until there is room). */
  push(item: T): Promise<void>
  /** The next item, or undefined once the queue is closed and empty. */
  take(): Promise<T | undefined>
  /** No more pushes; `take` returns what is left, then undefined. */
  close(): void
  /** Everything still queued, in order, emptying the queue (for a stop that cannot send it). */
  drain(): Promise<T[]>
  readonly length: number
  /** Items replaced by newer ones before they were taken (latest-wins policy only). */
  readonly dropped: number
  /** Called with each item a latest-wins queue replaced, so its source gets its credit back. */
  onDidDrop?: (item: T) => void
  /**
   * Latest-wins only: what to send now in place of `held`, an item taken before the link went
   * down. A newer item replaces it, and `held` is dropped like any replaced item.
   */
  newest?(held: T): T
  /** Seconds of audio waiting, and how much of it is on disk (audio queues only). */
  readonly queuedSec?: number
  readonly spilledSec?: number
  dispose(): Promise<void>
}

/** The waiting side of `take`: one waiter at a time (the session's pump). */
export class Signal {
  private waiter: (() => void) | undefined

  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.waiter = resolve
    })
  }

  notify(): void {
    const w = this.waiter
    this.waiter = undefined
    w?.()
  }
}
