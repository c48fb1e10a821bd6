/**
 * Releases results in the order their items were pushed, whatever order the answers come in:
 * over unary calls or HTTP, frame 7 may be answered before frame 5, yet a file's detections
 * (the CLI's lines, the log an export is made from) must read in frame order. An item that
 * ends without a result (given up, dropped) still takes its turn, so nothing waits behind it.
 */
export class PushOrder<R> {
  private readonly queue: number[] = []
  private readonly ready = new Map<number, R | undefined>()

  constructor(private readonly release: (result: R) => void) {}

  /** An item was pushed: its result goes out after those of every item pushed before it. */
  expect(key: number): void {
    this.queue.push(key)
  }

  /** The item is done; `result` undefined when there is nothing to show for it. */
  settle(key: number, result?: R): void {
    this.ready.set(key, result)
    this.flush()
  }

  /** Everything still waiting ends without a result, and what was held behind it goes out. */
  settleAll(): void {
    for (const key of this.queue) if (!this.ready.has(key)) this.ready.set(key, undefined)
    this.flush()
  }

  private flush(): void {
    while (this.queue.length > 0 && this.ready.has(this.queue[0])) {
      const key = this.queue.shift() as number
      const result = this.ready.get(key)
      this.ready.delete(key)
      if (result !== undefined) this.release(result)
    }
  }
}
