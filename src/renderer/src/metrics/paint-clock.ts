/**
 * Render time: from a result event reaching this window to the animation frame that draws it.
 *
 * Events are stamped as they arrive (before the per-frame batching), marked as delivered once
 * the batch is in the store, and closed by the painter (the overlay's draw, the transcript's
 * commit) with `painted`. Main sends a request's latency sample just before the result it
 * produced, so the clock pairs them: that gives capture → screen for stamped sources.
 */
import type { SessionEvent } from '../../../shared/ipc-contract'
import type { PaintSample } from './breakdown-recorder'

type LatencyEvent = Extract<SessionEvent, { kind: 'latency' }>

interface Arrival {
  atMs: number
  latency?: LatencyEvent
}

/** A result still unpainted this long after it reached the store was not on screen: dropped. */
export const STALE_AFTER_MS = 1000
/** More unpainted results than this means nothing is painting them: the oldest go. */
const MAX_PENDING = 512

export class PaintClock {
  private arrived: Arrival[] = []
  private delivered: Array<Arrival & { deliveredAtMs: number }> = []
  private lastLatency: LatencyEvent | undefined

  /** Stamps a stream event as it arrives (performance.now() time). */
  arrive(event: SessionEvent, nowMs: number): void {
    if (event.kind === 'latency') {
      this.lastLatency = event
      return
    }
    if (event.kind !== 'transcript' && event.kind !== 'detections') return
    const latency = this.lastLatency
    this.lastLatency = undefined
    this.arrived.push({ atMs: nowMs, latency })
    if (this.arrived.length > MAX_PENDING) this.arrived.shift()
  }

  /** The batch holding everything that arrived so far is now in the store. */
  markDelivered(nowMs: number): void {
    if (this.arrived.length === 0) return
    for (const a of this.arrived) this.delivered.push({ ...a, deliveredAtMs: nowMs })
    this.arrived = []
    if (this.delivered.length > MAX_PENDING) {
      this.delivered.splice(0, this.delivered.length - MAX_PENDING)
    }
  }

  /** A painter drew what the store holds: closes every delivered result. */
  painted(nowMs: number): PaintSample[] {
    if (this.delivered.length === 0) return []
    const out: PaintSample[] = []
    for (const d of this.delivered) {
      if (nowMs - d.deliveredAtMs > STALE_AFTER_MS) continue
      out.push({ renderMs: nowMs - d.atMs, latency: d.latency })
    }
    this.delivered = []
    return out
  }

  reset(): void {
    this.arrived = []
    this.delivered = []
    this.lastLatency = undefined
  }
}
