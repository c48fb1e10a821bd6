/// <reference lib="dom" />
// Runs inside Chromium before the app: the test implementation of the bridge transport. It is
// bundled by the harness and injected with addInitScript; the calls land in the test process,
// where the same main-side services the Electron shell uses answer them.
import {
  createTritonLiveApi,
  type BridgeTransport,
  type SessionEvent,
  type TritonLiveApi,
} from '../../../src/shared/ipc-contract'

interface Wire {
  __typed: 'f32' | 'u8'
  b64: string
}

declare global {
  interface Window {
    __tritonLiveInvoke(channel: string, payload: unknown): Promise<unknown>
    __tritonLiveSend(channel: string, payload: unknown): Promise<void>
    __tritonLiveDeliver?: (event: SessionEvent) => void
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
  if (value instanceof Float32Array) {
    return {
      __typed: 'f32',
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

const listeners = new Set<(event: SessionEvent) => void>()
window.__tritonLiveDeliver = (event) => listeners.forEach((l) => l(event))

const transport: BridgeTransport = {
  invoke: (channel, payload) => window.__tritonLiveInvoke(channel, encode(payload)) as never,
  send: (channel, payload) => {
    void window.__tritonLiveSend(channel, encode(payload))
  },
  subscribe: (_channel, listener) => {
    listeners.add(listener)
    return () => listeners.delete(listener)
  },
  pathForFile: (file) => file.name,
}

window.tritonLive = createTritonLiveApi(transport)
