import {
  createTritonLiveApi,
  type BridgeTransport,
  type EndpointHealth,
  type EndpointProfile,
  type InvokeChannel,
  type InvokePayload,
  type InvokeResults,
  type ModelDetails,
  type Result,
  type SendChannel,
  type SessionEvent,
  type TritonLiveApi,
} from '../../../src/shared/ipc-contract'

export type FakeHandlers = {
  [C in InvokeChannel]?: (
    payload: InvokePayload<C>,
  ) => Result<InvokeResults[C]> | Promise<Result<InvokeResults[C]>>
}

export interface FakeBridge {
  api: TritonLiveApi
  handlers: FakeHandlers
  invoked: { channel: InvokeChannel; payload: unknown }[]
  sent: { channel: SendChannel; payload: unknown }[]
  emit(event: SessionEvent): void
  calls(channel: InvokeChannel): unknown[]
}

export const ok = <T>(value: T): Result<T> => ({ ok: true, value })
export const fail = <T>(message: string, hint = 'Try again.', kind = 'test'): Result<T> => ({
  ok: false,
  error: { message, hint, kind },
})

/** The real API factory over an in-memory transport: the renderer cannot tell it from the preload. */
export function createFakeBridge(handlers: FakeHandlers = {}): FakeBridge {
  const listeners = new Set<(e: SessionEvent) => void>()
  const invoked: FakeBridge['invoked'] = []
  const sent: FakeBridge['sent'] = []
  const transport: BridgeTransport = {
    async invoke<C extends InvokeChannel>(channel: C, payload: InvokePayload<C>) {
      invoked.push({ channel, payload })
      const handler = handlers[channel] as
        | ((p: InvokePayload<C>) => Result<InvokeResults[C]> | Promise<Result<InvokeResults[C]>>)
        | undefined
      if (!handler) return fail<InvokeResults[C]>(`no fake for ${channel}`)
      return handler(payload)
    },
    send(channel, payload) {
      sent.push({ channel, payload })
    },
    subscribe(_channel, listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    pathForFile: (file) => `/dropped/${file.name}`,
  }
  return {
    api: createTritonLiveApi(transport),
    handlers,
    invoked,
    sent,
    emit: (e) => listeners.forEach((l) => l(e)),
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
