import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoEndpoint, type DemoEndpoint } from '../../../src/main/demo-endpoint/demo-server'
import { DEMO_MODELS } from '../../../src/main/demo-endpoint/demo-models'
import { inspectModel } from '../../../src/main/models/model-facts'
import { KServeHttpClient } from '../../../src/main/transport/http/kserve-http-client'
import { createTritonApi } from '../../../src/main/triton/create-triton-api'
import type { TritonApi } from '../../../src/main/triton/triton-api'

let demo: DemoEndpoint
let grpc: TritonApi
let http: TritonApi

beforeAll(async () => {
  demo = await startDemoEndpoint({ port: 0, httpPort: 0, metricsPort: null })
  grpc = createTritonApi({ url: demo.url })
  http = createTritonApi({ url: demo.httpUrl as string })
})

afterAll(async () => {
  grpc.close()
  http.close()
  await demo.close()
})

describe('the HTTP client reads the same typed objects as the gRPC client', () => {
  it('picks the protocol from the URL', () => {
    expect([grpc.protocol, http.protocol]).toEqual(['grpc', 'http'])
    expect(http).toBeInstanceOf(KServeHttpClient)
  })

  it.each(DEMO_MODELS.map((m) => m.name))('for the metadata and config of %s', async (name) => {
    expect(await http.modelMetadata(name)).toEqual(await grpc.modelMetadata(name))
    expect(await http.modelConfig(name)).toEqual(await grpc.modelConfig(name))
    expect(await http.modelReady(name)).toBe(true)
  })

  it('for the server, the repository, the statistics and shared memory status', async () => {
    expect(await http.serverMetadata()).toEqual(await grpc.serverMetadata())
    expect(await http.repositoryIndex()).toEqual(await grpc.repositoryIndex())
    expect(await http.modelStatistics('tone-transcriber-offline')).toEqual(
      await grpc.modelStatistics('tone-transcriber-offline'),
    )
    expect(await http.systemSharedMemoryStatus()).toEqual({})
    expect([
      await http.serverLive(),
      await http.serverReady(),
      await http.modelReady('nope'),
    ]).toEqual([true, true, false])
  })

  it.each(DEMO_MODELS.map((m) => m.name))(
    'so the model browser sees %s over HTTP as it does over gRPC',
    async (name) => {
      expect(await inspectModel(http, name)).toEqual(await inspectModel(grpc, name))
    },
  )

  it('for load and unload, with the same not-found error for an unloaded model', async () => {
    await http.unloadModel('color-box-detector-e2e')
    expect(await grpc.modelReady('color-box-detector-e2e')).toBe(false)
    const [a, b] = await Promise.all(
      [http, grpc].map((c) => c.modelMetadata('color-box-detector-e2e').catch((e: unknown) => e)),
    )
    expect([a, b]).toMatchObject([{ kind: 'not-found' }, { kind: 'not-found' }])
    expect((a as Error).message).toBe((b as Error).message)
    await http.loadModel('color-box-detector-e2e')
    expect(await grpc.modelReady('color-box-detector-e2e')).toBe(true)
  })
})

describe('a config as a real Triton renders it over HTTP (snake_case, int64 as numbers, every field printed)', () => {
  const config = readFileSync(
    resolve(__dirname, '../../fixtures/http/sherpa-feature-extractor-config.json'),
  )
  let server: Server
  let client: TritonApi

  beforeAll(async () => {
    server = createServer((req, res) => {
      const routes: Record<string, string> = {
        '/v2/models/feature_extractor/config': config.toString(),
      }
      const body = routes[req.url ?? '']
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' })
      res.end(body ?? '{"error":"Request for unknown model"}')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    client = createTritonApi({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
  })

  afterAll(async () => {
    client.close()
    await new Promise<void>((r) => server.close(() => r()))
  })

  it('maps onto the gRPC shapes: int64 as strings, enums by name, the scheduling oneof named', async () => {
    const c = await client.modelConfig('feature_extractor')
    expect(c.scheduling_choice).toBe('sequence_batching')
    expect(c.max_batch_size).toBe(512)
    expect(c.input.map((i) => [i.name, i.data_type, i.dims])).toEqual([
      ['wav', 'TYPE_FP16', ['-1']],
      ['wav_lens', 'TYPE_INT32', ['1']],
    ])
    expect(c.output[0].dims).toEqual(['-1', '80'])
    const seq = c.sequence_batching!
    expect(seq.max_sequence_idle_microseconds).toBe('5000000')
    expect(seq.strategy_choice).toBe('oldest')
    expect(seq.oldest?.max_queue_delay_microseconds).toBe('5000')
    expect(
      seq.control_input.map((ci) => [ci.name, ci.control[0].kind, ci.control[0].data_type]),
    ).toEqual([
      ['START', 'CONTROL_SEQUENCE_START', 'TYPE_INVALID'],
      ['CORRID', 'CONTROL_SEQUENCE_CORRID', 'TYPE_UINT64'],
    ])
    expect(c.instance_group[0]).toMatchObject({ kind: 'KIND_GPU', count: 2, gpus: [0] })
    expect(c.parameters.num_mel_bins).toEqual({ string_value: '80' })
    expect(c.model_transaction_policy).toEqual({ decoupled: false })
    expect(c.dynamic_batching).toBeUndefined()
  })
})
