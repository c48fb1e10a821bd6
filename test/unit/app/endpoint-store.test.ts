import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EndpointStore } from '../../../src/main/app/endpoint-store'
import { testSecretStore } from '../../fixtures/test-secret-store'

const TOKEN = 'stored-token-0123456789'

let dir: string
let store: EndpointStore

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-store-'))
  store = new EndpointStore(dir, testSecretStore(), () => ({}))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe('a saved endpoint reaches its connection as saved', () => {
  it('passes the authority, the server name and the transport on, with the token unsealed', async () => {
    const saved = await store.save({
      name: 'cluster',
      url: 'grpcs://ingress.example.com:443',
      tls: { enabled: true, caFile: '/certs/ca.pem', serverName: 'triton.internal' },
      authority: 'asr.models.example.com',
      token: TOKEN,
      transport: { mode: 'unary', sharedMemory: 'system' },
    })
    expect(saved.credentialWarning).toBeUndefined()
    expect(await store.connectionOptions(saved.id, saved.url)).toEqual({
      url: 'grpcs://ingress.example.com:443',
      tls: {
        caFile: '/certs/ca.pem',
        certFile: undefined,
        keyFile: undefined,
        insecureSkipVerify: undefined,
        serverName: 'triton.internal',
      },
      timeoutMs: undefined,
      authority: 'asr.models.example.com',
      bearerToken: TOKEN,
    })
    expect(await store.transportChoice(saved.id)).toEqual({ mode: 'unary', sharedMemory: 'system' })
    expect(readFileSync(join(dir, 'endpoints.json'), 'utf8')).not.toContain(TOKEN)
  })

  it('warns when the saved token would travel without TLS to another machine, in the CLI words', async () => {
    const remote = await store.save({ name: 'gpu', url: 'grpc://gpu-box:8001', token: TOKEN })
    const local = await store.save({ name: 'here', url: 'grpc://127.0.0.1:8001', token: TOKEN })
    const noToken = await store.save({ name: 'open', url: 'http://gpu-box:8000' })
    expect(remote.credentialWarning).toBe(
      'the token is sent without TLS to gpu-box:8001, where anyone on the network path can read it; use grpcs:// for a remote server',
    )
    expect(local.credentialWarning).toBeUndefined()
    expect(noToken.credentialWarning).toBeUndefined()
    const listed = await store.list()
    expect(listed.find((p) => p.id === remote.id)?.credentialWarning).toBe(remote.credentialWarning)
  })

  it('keeps a saved token for its server only: another host drops it unless a token comes along', async () => {
    const saved = await store.save({ name: 'gpu', url: 'grpcs://gpu-box:8001', token: TOKEN })
    const renamed = await store.save({ id: saved.id, name: 'gpu 1', url: 'grpcs://gpu-box:8001' })
    expect(renamed.hasToken).toBe(true)
    const moved = await store.save({ id: saved.id, name: 'gpu 1', url: 'grpcs://elsewhere:8001' })
    expect(moved.hasToken).toBe(false)
    expect((await store.connectionOptions(moved.id, moved.url)).bearerToken).toBeUndefined()
    const retyped = await store.save({
      id: saved.id,
      name: 'gpu 1',
      url: 'grpcs://elsewhere:8001',
      token: TOKEN,
    })
    expect(retyped.hasToken).toBe(true)
    // The scheme counts too: the same host without TLS is another audience.
    const downgraded = await store.save({
      id: saved.id,
      name: 'gpu 1',
      url: 'grpc://elsewhere:8001',
    })
    expect(downgraded.hasToken).toBe(false)
  })

  it('keeps every one of several endpoints saved at once', async () => {
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => store.save({ name: `e${i}`, url: `h${i}:8001` })),
    )
    const names = (await store.list()).filter((p) => !p.builtInDemo).map((p) => p.name)
    expect(names.sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4'])
    const onDisk = JSON.parse(readFileSync(join(dir, 'endpoints.json'), 'utf8')) as unknown[]
    expect(onDisk).toHaveLength(5)
  })
})
