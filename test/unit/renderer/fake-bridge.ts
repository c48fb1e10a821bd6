import {
  createTritonLiveApi,
  type BridgeTransport,
  type EndpointHealth,
  type EndpointProfile,
  type InvokeChannel,
  type InvokePayload,
  type InvokeResults,
  type ModelDetails,
  type BenchProgressEvent,
  type EventChannel,
  type EventPayloads,
  type Result,
  type SessionEvent,
  type TritonLiveApi,
} from '../../../src/shared/ipc-contract'
import type { PageToMainMessage } from '../../../src/shared/session-port'
import type { PortAcceptor } from '../../../src/renderer/src/session/session-controller'

export type FakeHandlers = {
  [C in InvokeChannel]?: (
    payload: InvokePayload<C>,
  ) => Result<InvokeResults[C]> | Promise<Result<InvokeResults[C]>>
}

export interface FakeBridge {
  api: TritonLiveApi
  handlers: FakeHandlers
  invoked: { channel: InvokeChannel; payload: unknown }[]
  /** What the page posted on session ports: audio chunks and frames. */
  sent: PageToMainMessage[]
  /** Main's side: posts an event on the newest session's port. */
  emit(event: SessionEvent): void
  emitBench(event: BenchProgressEvent): void
  /** Main's side: an event on any event channel, as the preload would deliver it. */
  emitEvent<C extends EventChannel>(channel: C, event: EventPayloads[C]): void
  /** Hands the controller a port for each start, as main's posted port would. */
  acceptPort: PortAcceptor
  /** Nonces the page asked ports for, in order. */
  nonces: string[]
  calls(channel: InvokeChannel): unknown[]
}

/** The subset of a MessagePort that SessionLink uses, in memory. */
class FakePort {
  onmessage: ((e: MessageEvent) => void) | null = null
  closed = false
  constructor(private readonly sent: PageToMainMessage[]) {}
  postMessage(message: PageToMainMessage): void {
    if (!this.closed) this.sent.push(message)
  }
  deliver(events: SessionEvent[]): void {
    if (!this.closed) this.onmessage?.({ data: { type: 'events', events } } as MessageEvent)
  }
  close(): void {
    this.closed = true
  }
}

export const ok = <T>(value: T): Result<T> => ({ ok: true, value })
export const fail = <T>(message: string, hint = 'Try again.', kind = 'test'): Result<T> => ({
  ok: false,
  error: { message, hint, kind },
})

/** The real API factory over an in-memory transport: the renderer cannot tell it from the preload. */
export function createFakeBridge(handlers: FakeHandlers = {}): FakeBridge {
  type Listener = (event: never) => void
  const listeners = new Map<EventChannel, Set<Listener>>()
  const emitEvent = <C extends EventChannel>(channel: C, event: EventPayloads[C]): void =>
    listeners.get(channel)?.forEach((l) => (l as (e: EventPayloads[C]) => void)(event))
  const invoked: FakeBridge['invoked'] = []
  const sent: FakeBridge['sent'] = []
  const ports: FakePort[] = []
  const nonces: string[] = []
  const transport: BridgeTransport = {
    async invoke<C extends InvokeChannel>(channel: C, payload: InvokePayload<C>) {
      invoked.push({ channel, payload })
      const handler = handlers[channel] as
        | ((p: InvokePayload<C>) => Result<InvokeResults[C]> | Promise<Result<InvokeResults[C]>>)
        | undefined
      if (!handler) return fail<InvokeResults[C]>(`no fake for ${channel}`)
      return handler(payload)
    },
    subscribe(channel, listener) {
      const set = listeners.get(channel) ?? new Set<Listener>()
      listeners.set(channel, set)
      set.add(listener as Listener)
      return () => set.delete(listener as Listener)
    },
    // As the preload would: the dropped File's path, granted by main.
    droppedFile: async (file) => ok<string | undefined>(`/dropped/${file.name}`),
  }
  return {
    api: createTritonLiveApi(transport),
    handlers,
    invoked,
    sent,
    nonces,
    emit: (e) => ports[ports.length - 1]?.deliver([e]),
    emitBench: (e) => emitEvent('bench:progress', e),
    emitEvent,
    acceptPort: (nonce) => {
      nonces.push(nonce)
      const port = new FakePort(sent)
      ports.push(port)
      return { port: Promise.resolve(port as unknown as MessagePort), cancel: () => undefined }
    },
    calls: (channel) => invoked.filter((c) => c.channel === channel).map((c) => c.payload),
  }
}

export const demoEndpoint: EndpointProfile = {
  id: 'demo',
  name: 'Built-in demo',
  url: '127.0.0.1:0',
  hasToken: false,
  builtInDemo: true,
}

export const remoteEndpoint: EndpointProfile = {
  id: 'remote',
  name: 'Lab Triton',
  url: 'triton.lab:8001',
  hasToken: true,
  authHeader: 'authorization',
  builtInDemo: false,
}

export function healthyFor(endpointId: string): EndpointHealth {
  return {
    endpointId,
    live: true,
    ready: true,
    serverName: 'triton',
    serverVersion: '2.60.0',
    extensions: ['model_repository', 'statistics'],
    checkedAtMs: 1,
    roundTripMs: 1.5,
  }
}

export const asrDetails: ModelDetails = {
  name: 'tone_asr',
  versions: ['1'],
  platform: 'python',
  backend: 'python',
  maxBatchSize: 0,
  inputs: [{ name: 'WAV', datatype: 'FP32', shape: [1, -1] }],
  outputs: [{ name: 'TRANSCRIPTS', datatype: 'BYTES', shape: [1] }],
  dynamicBatching: false,
  sequenceBatching: true,
  decoupled: false,
  kind: 'streaming-asr',
  profile: {
    model: 'tone_asr',
    kind: 'streaming-asr',
    inputs: [{ name: 'WAV', datatype: 'FP32', shape: [1, -1], source: 'audio' }],
    audio: { sampleRate: 16000, chunkSamples: 10240 },
  },
  profileSaved: false,
}

/** A bridge for a demo server with one ASR model and one detector. */
export function demoBridge(extra: FakeHandlers = {}): FakeBridge {
  return createFakeBridge({
    'endpoints:list': () => ok([remoteEndpoint, demoEndpoint]),
    'endpoints:health': (id) => ok(healthyFor(id)),
    'models:list': () =>
      ok([
        { name: 'tone_asr', version: '1', state: 'READY', reason: '' },
        { name: 'box_finder', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' },
      ]),
    'models:details': ({ model }) => (model === 'tone_asr' ? ok(asrDetails) : fail('not found')),
    ...extra,
  })
}
