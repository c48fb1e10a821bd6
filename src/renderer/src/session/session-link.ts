import type { SessionEvent } from '../../../shared/session-events'
import { toPcm16 } from '../../../shared/pcm16'
import {
  SESSION_PORT_MESSAGE,
  type AudioMessage,
  type FrameMessage,
  type SessionEventsMessage,
  type SessionPortEnvelope,
} from '../../../shared/session-port'

/** Time main has to post a session's port after answering its start. */
export const PORT_TIMEOUT_MS = 10_000

function isEnvelope(data: unknown, nonce: string): data is SessionPortEnvelope {
  const d = data as Partial<SessionPortEnvelope> | null
  return Boolean(d && d.type === SESSION_PORT_MESSAGE && d.nonce === nonce)
}

/**
 * Waits for the MessagePort main posts for a session, taking only the one that carries our
 * nonce, from this window and origin. Call it before `session.start`, so the port cannot arrive
 * before anyone listens.
 */
export function awaitSessionPort(
  nonce: string,
  timeoutMs = PORT_TIMEOUT_MS,
): { port: Promise<MessagePort>; cancel(): void } {
  let cleanup = (): void => undefined
  const port = new Promise<MessagePort>((resolve, reject) => {
    const onMessage = (e: MessageEvent): void => {
      if (e.source !== window || e.origin !== window.location.origin) return
      if (!isEnvelope(e.data, nonce) || !e.ports[0]) return
      cleanup()
      resolve(e.ports[0])
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error('the session started but its channel to the window never opened'))
    }, timeoutMs)
    cleanup = () => {
      clearTimeout(timer)
      window.removeEventListener('message', onMessage)
    }
    window.addEventListener('message', onMessage)
  })
  return { port, cancel: () => cleanup() }
}

/** The part of a typed array that is its own: transferable as is, or copied out of a view. */
function ownedBuffer<T extends Uint8Array>(a: T): T {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : (a.slice() as T)
}

export interface FrameToSend {
  rgb: Uint8Array
  width: number
  height: number
  sourceWidth: number
  sourceHeight: number
  capturedAtMs: number
}

/**
 * One session's side of its port: its events arrive here in batches, and its audio chunks and
 * frames leave here, numbered, with their buffers transferred rather than copied.
 */
export class SessionLink {
  private seq = 0
  private closed = false

  constructor(private readonly port: MessagePort) {}

  onEvents(listener: (events: SessionEvent[]) => void): void {
    this.port.onmessage = (e: MessageEvent) => {
      const msg = e.data as SessionEventsMessage | undefined
      if (msg?.type === 'events' && Array.isArray(msg.events)) listener(msg.events)
    }
  }

  /** Sends a chunk as 16-bit PCM; returns its sequence number (main acknowledges it when queued). */
  sendAudio(samples: Float32Array, capturedAtMs: number): number {
    const seq = this.seq++
    if (this.closed) return seq
    const pcm = toPcm16(samples)
    const msg: AudioMessage = { type: 'audio', seq, samples: pcm, capturedAtMs }
    this.port.postMessage(msg, [pcm.buffer])
    return seq
  }

  /** Sends a frame; returns its sequence number (main acknowledges it when done with it). */
  sendFrame(frame: FrameToSend): number {
    const seq = this.seq++
    if (this.closed) return seq
    const rgb = ownedBuffer(frame.rgb)
    const msg: FrameMessage = { type: 'frame', seq, ...frame, rgb }
    this.port.postMessage(msg, [rgb.buffer])
    return seq
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.port.onmessage = null
    this.port.close()
  }
}
