import { describe, expect, it } from 'vitest'
import { CliUsageError } from '../../../src/cli/cli-error'
import { openAiApiKey, parseCompare, planLegs } from '../../../src/cli/commands/bench-targets'
import type { TransportChoice } from '../../../src/main/transport/create-transport'

const legs = (url: string, transport: TransportChoice, ...compares: string[]) =>
  planLegs({ connection: { url }, transport, compares: compares.map(parseCompare) })

describe('bench --compare forms', () => {
  it('reads transports, endpoints, an OpenAI service and models', () => {
    expect(parseCompare('shm')).toEqual({ kind: 'transport', change: 'shm' })
    expect(parseCompare(' unary ')).toEqual({ kind: 'transport', change: 'unary' })
    expect(parseCompare('stream')).toEqual({ kind: 'transport', change: 'stream' })
    expect(parseCompare('http://h:8000')).toEqual({ kind: 'endpoint', url: 'http://h:8000' })
    expect(parseCompare('h:8001')).toEqual({ kind: 'endpoint', url: 'h:8001' })
    expect(parseCompare('openai:http://asr:9000/v1')).toEqual({
      kind: 'openai',
      url: 'http://asr:9000/v1',
    })
    expect(parseCompare('color-box-detector-e2e')).toEqual({
      kind: 'model',
      model: 'color-box-detector-e2e',
    })
    // A model that happens to be called like a transport.
    expect(parseCompare('model:shm')).toEqual({ kind: 'model', model: 'shm' })
    expect(() => parseCompare('openai:')).toThrow(/names nothing after 'openai:'/)
  })

  it('changes one thing of the --url transport, or takes another endpoint with the same shared-memory choice', () => {
    const stream: TransportChoice = { sharedMemory: 'none' }
    expect(
      legs('grpc://h:8001', stream, 'shm', 'unary', 'http://h:8000').map((l) =>
        l.kind === 'triton' ? [l.url, l.choice, l.sameEndpoint] : [l.url],
      ),
    ).toEqual([
      ['grpc://h:8001', { sharedMemory: 'none' }, true],
      ['grpc://h:8001', { sharedMemory: 'system' }, true],
      ['grpc://h:8001', { sharedMemory: 'none', mode: 'unary' }, true],
      ['http://h:8000', { sharedMemory: 'none' }, false],
    ])
    // --unary and shm carry over to another gRPC endpoint; HTTP keeps only shm.
    const unaryShm: TransportChoice = { mode: 'unary', sharedMemory: 'system' }
    expect(
      legs('h:8001', unaryShm, 'grpc://g:8001', 'https://g').map((l) =>
        l.kind === 'triton' ? l.choice : undefined,
      ),
    ).toEqual([unaryShm, unaryShm, { sharedMemory: 'system' }])
    expect(legs('h:8001', stream, 'openai:http://asr:9000')[1]).toEqual({
      kind: 'openai',
      url: 'http://asr:9000',
    })
  })

  it.each([
    [
      'h:8001',
      { sharedMemory: 'system' },
      'shm',
      /what --url already uses \(--shared-memory system\)/,
    ],
    ['h:8001', {}, 'stream', /what --url already uses \(gRPC stream\); compare unary instead/],
    ['h:8001', { mode: 'unary' }, 'unary', /already uses \(gRPC unary\); compare stream instead/],
    [
      'http://h:8000',
      {},
      'unary',
      /http\(s\):\/\/ endpoint has one request per call and no stream/,
    ],
    ['http://h:8000', {}, 'stream', /give the server's grpc:\/\/ URL to compare gRPC streams/],
    ['h:8001', {}, 'openai:grpc://asr:9000', /reached over HTTP; give http:\/\/host:port/],
  ] as const)('refuses %s %j --compare %s before connecting', (url, choice, form, message) => {
    expect(() => legs(url, choice, form)).toThrow(CliUsageError)
    expect(() => legs(url, choice, form)).toThrow(message)
  })
})

describe('the key sent to an OpenAI-compatible service', () => {
  it('is the one given on the command line, wherever the service is', () => {
    const keys = { apiKey: 'given', envApiKey: 'sk-openai' }
    expect(openAiApiKey('http://10.0.0.5:9000/v1', keys)).toBe('given')
  })

  it('takes OPENAI_API_KEY only to OpenAI itself, never to another host', () => {
    const keys = { envApiKey: 'sk-openai' }
    expect(openAiApiKey('https://api.openai.com/v1', keys)).toBe('sk-openai')
    expect(openAiApiKey('http://10.0.0.5:9000/v1', keys)).toBeUndefined()
    expect(openAiApiKey('https://api.openai.com.evil.example/v1', keys)).toBeUndefined()
    expect(openAiApiKey('not a url', keys)).toBeUndefined()
  })
})
