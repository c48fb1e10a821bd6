/// <reference lib="dom" />
// Runs inside Chromium before the app: the test implementation of the bridge transport. It is
// bundled by the harness and injected with addInitScript; the calls land in the test process,
// where the same main-side services the Electron shell uses answer them. A session's port is a
// real MessageChannel in the page whose far end is relayed to the test process.
import {
  createTritonLiveApi,
  type BenchProgressEvent,
  type BridgeTransport,
  type EventChannel,
  type EventPayloads,
  type TritonLiveApi,
} from '../../../src/shared/ipc-contract'
import {
  SESSION_PORT_MESSAGE,
  type SessionEventsMessage,
  type SessionPortEnvelope,
} from '../../../src/shared/session-port'

interface Wire {
  __typed: 'i16' | 'u8'
  b64: string
}

declare global {
  interface Window {
    __tritonLiveInvoke(channel: string, payload: unknown): Promise<unknown>
    /** The preload's drop stand-in: the test process knows where a dropped file lives. */
    __tritonLiveDropped(name: string): Promise<unknown>
    /** Page → test process: a message the page posted on a session's port. */
    __tritonLivePortMessage(sessionId: string, message: unknown): Promise<void>
    /** Test process → page: deliver bench progress. */
    __tritonLiveBenchProgress?: (event: BenchProgressEvent) => void
    /** Test process → page: deliver an event on any event channel. */
    __tritonLiveEvent?: <C extends EventChannel>(channel: C, event: EventPayloads[C]) => void
    /** Test process → page: open a session's port, then deliver messages on it, then close it. */
    __tritonLiveOpenPort?: (sessionId: string, nonce: string) => void
    __tritonLivePortPost?: (sessionId: string, message: SessionEventsMessage) => void
    __tritonLivePortClose?: (sessionId: string) => void
    tritonLive: TritonLiveApi
  }
}

function toBase64(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  }
  return btoa(s)
}

/** Binding arguments travel as JSON, so typed arrays go as base64. */
function encode(value: unknown): unknown {
  if (value instanceof Int16Array) {
    return {
      __typed: 'i16',
      b64: toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)),
    } satisfies Wire
  }
  if (value instanceof Uint8Array) return { __typed: 'u8', b64: toBase64(value) } satisfies Wire
  if (Array.isArray(value)) return value.map(encode)
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]))
  }
  return value
}

type Listener = (event: never) => void
const listeners = new Map<EventChannel, Set<Listener>>()
const deliver = <C extends EventChannel>(channel: C, event: EventPayloads[C]): void =>
  listeners.get(channel)?.forEach((l) => (l as (e: EventPayloads[C]) => void)(event))
window.__tritonLiveBenchProgress = (event) => deliver('bench:progress', event)
window.__tritonLiveEvent = deliver

const farEnds = new Map<string, MessagePort>()
window.__tritonLiveOpenPort = (sessionId, nonce) => {
  const channel = new MessageChannel()
  farEnds.set(sessionId, channel.port2)
  channel.port2.onmessage = (e: MessageEvent) => {
    void window.__tritonLivePortMessage(sessionId, encode(e.data))
  }
  const envelope: SessionPortEnvelope = { type: SESSION_PORT_MESSAGE, sessionId, nonce }
  window.postMessage(envelope, window.location.origin, [channel.port1])
}
window.__tritonLivePortPost = (sessionId, message) => farEnds.get(sessionId)?.postMessage(message)
window.__tritonLivePortClose = (sessionId) => {
  farEnds.get(sessionId)?.close()
  farEnds.delete(sessionId)
}

const transport: BridgeTransport = {
  invoke: (channel, payload) => window.__tritonLiveInvoke(channel, encode(payload)) as never,
  subscribe: (channel, listener) => {
    const set = listeners.get(channel) ?? new Set<Listener>()
    listeners.set(channel, set)
    set.add(listener as Listener)
    return () => set.delete(listener as Listener)
  },
  droppedFile: (file) => window.__tritonLiveDropped(file.name) as never,
}

window.tritonLive = createTritonLiveApi(transport)
