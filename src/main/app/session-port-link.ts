import type { SessionEvent } from '../../shared/session-events'
import type { SessionEventsMessage } from '../../shared/session-port'

/**
 * Main's end of a session's MessagePort, whatever carries it: Electron's MessagePortMain in the
 * app, a page binding in the end-to-end tests. The core never sees which.
 */
export interface MainSessionPort {
  post(message: SessionEventsMessage): void
  /** Messages from the page, unvalidated: the session service parses every one. */
  onMessage(listener: (data: unknown) => void): void
  close(): void
}

/**
 * Batches a session's events into one port message per turn of the event loop, so a burst
 * (a frame's boxes, its latency, its credit) crosses as one message, in order.
 */
export class PortEventSink {
  private batch: SessionEvent[] = []
  private scheduled = false

  constructor(private readonly port: MainSessionPort) {}

  push(event: SessionEvent): void {
    this.batch.push(event)
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => this.flush())
  }

  flush(): void {
    this.scheduled = false
    if (this.batch.length === 0) return
    const events = this.batch
    this.batch = []
    this.port.post({ type: 'events', events })
  }
}
