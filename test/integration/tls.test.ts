import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoEndpoint, type DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'
import { KServeHttpClient } from '../../src/main/transport/http/kserve-http-client'
import type { ConnectionOptions } from '../../src/main/triton/connection-options'
import type { TritonApi } from '../../src/main/triton/triton-api'
import { TritonClient } from '../../src/main/triton/triton-client'
import { TritonError } from '../../src/main/triton/triton-error'
import { makeTestCertificates, type TestCertificates } from '../fixtures/doctor-certs'

let dir: string
let certs: TestCertificates

let tlsServer: DemoEndpoint
let mtlsServer: DemoEndpoint
/** Its certificate names only triton.internal: dialled at 127.0.0.1 it needs a server name. */
let namedServer: DemoEndpoint

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-tls-'))
  certs = makeTestCertificates(dir)
  const cert = readFileSync(certs.server.cert)
  const key = readFileSync(certs.server.key)
  tlsServer = await startDemoEndpoint({
    port: 0,
    httpPort: 0,
    metricsPort: null,
    tls: { cert, key },
  })
  mtlsServer = await startDemoEndpoint({
    port: 0,
    httpPort: 0,
    metricsPort: null,
    tls: { cert, key, clientCa: readFileSync(certs.caFile) },
  })
  namedServer = await startDemoEndpoint({
    port: 0,
    metricsPort: null,
    tls: { cert: readFileSync(certs.named.cert), key: readFileSync(certs.named.key) },
  })
}, 60_000)

afterAll(async () => {
  await tlsServer?.close()
  await mtlsServer?.close()
  await namedServer?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function live(client: TritonApi): Promise<boolean | TritonError> {
  try {
    return await client.serverLive()
  } catch (e) {
    return e as TritonError
  } finally {
    client.close()
  }
}

describe('TLS and mutual TLS', () => {
  it('connects over grpcs:// when the server certificate is signed by the given CA', async () => {
    expect(
      await live(
        new TritonClient({ url: tlsServer.url, tls: { caFile: certs.caFile }, timeoutMs: 5000 }),
      ),
    ).toBe(true)
  })

  it('refuses a server whose certificate the CA did not sign, and says it is a TLS problem', async () => {
    const err = await live(
      new TritonClient({
        url: tlsServer.url,
        tls: { caFile: certs.otherCaFile },
        timeoutMs: 5000,
      }),
    )
    expect(err).toBeInstanceOf(TritonError)
    expect((err as TritonError).kind).toBe('tls')
    expect((err as TritonError).message).toMatch(
      /^the certificate of 127\.0\.0\.1:\d+ is not signed by a CA this client trusts \(/,
    )
    expect((err as TritonError).hint).toMatch(/pass the CA that signed it with --ca/)
  })

  it('connects without verification only when asked to', async () => {
    expect(
      await live(
        new TritonClient({
          url: tlsServer.url,
          tls: { insecureSkipVerify: true },
          timeoutMs: 5000,
        }),
      ),
    ).toBe(true)
  })

  it('talks mutual TLS with a client certificate and key', async () => {
    const client = new TritonClient({
      url: mtlsServer.url,
      tls: { caFile: certs.caFile, certFile: certs.client.cert, keyFile: certs.client.key },
      timeoutMs: 5000,
    })
    expect(await live(client)).toBe(true)
  })

  it('fails clearly when mutual TLS is required and no client certificate is given', async () => {
    const err = await live(
      new TritonClient({ url: mtlsServer.url, tls: { caFile: certs.caFile }, timeoutMs: 5000 }),
    )
    expect(err).toBeInstanceOf(TritonError)
    expect(err).toMatchObject({
      kind: 'tls',
      message: `${mtlsServer.url.replace('grpcs://', '')} requires a client certificate (mutual TLS)`,
      hint: 'pass the client certificate and key with --cert and --key',
    })
  })

  it('checks the certificate against --server-name over gRPC, and names both names when they differ', async () => {
    const named = (serverName?: string): TritonClient =>
      new TritonClient({
        url: namedServer.url,
        tls: { caFile: certs.caFile, serverName },
        timeoutMs: 5000,
      })
    const target = namedServer.url.replace('grpcs://', '')
    const [right, none] = await Promise.all([live(named('triton.internal')), live(named())])
    expect(right).toBe(true)
    expect(none).toMatchObject({
      kind: 'tls',
      message: `the certificate of ${target} is for triton.internal, not 127.0.0.1`,
      hint: 'connect by a name on the certificate, or pass --server-name triton.internal',
    })
  })

  it('names a missing CA file before dialling', () => {
    expect(
      () => new TritonClient({ url: tlsServer.url, tls: { caFile: join(dir, 'missing.pem') } }),
    ).toThrow(/cannot read the CA certificate file .*missing\.pem/)
  })

  it('asks for both halves of a client identity', () => {
    expect(
      () => new TritonClient({ url: tlsServer.url, tls: { certFile: certs.client.cert } }),
    ).toThrow(/both a client certificate and its key/)
  })
})

describe('TLS error wording', () => {
  it('reduces an OpenSSL failure to its reason', async () => {
    const err = await live(
      new TritonClient({
        url: tlsServer.url,
        tls: { caFile: certs.otherCaFile },
        timeoutMs: 5000,
      }),
    )
    expect((err as TritonError).message).not.toMatch(/Resolution note|deps\/openssl|ERR_/)
    expect((err as TritonError).message).toMatch(/\(unable to verify the first certificate\)$/)
  })
})

describe('TLS and mutual TLS over https:// (KServe HTTP) with the same options as gRPC', () => {
  const https = (server: DemoEndpoint, tls: ConnectionOptions['tls']): KServeHttpClient =>
    new KServeHttpClient({ url: server.httpUrl as string, tls, timeoutMs: 5000 })

  it('connects when the CA signed the server certificate, and refuses another CA as a TLS problem', async () => {
    expect(await live(https(tlsServer, { caFile: certs.caFile }))).toBe(true)
    const err = await live(https(tlsServer, { caFile: certs.otherCaFile }))
    expect(err).toMatchObject({ kind: 'tls' })
    expect((err as TritonError).message).toMatch(
      /^the certificate of https:\/\/127\.0\.0\.1:\d+ is not signed by a CA this client trusts \(/,
    )
    expect((err as TritonError).hint).toMatch(/pass the CA that signed it with --ca/)
  })

  it('checks the certificate against the server name when one is given', async () => {
    expect(await live(https(tlsServer, { caFile: certs.caFile, serverName: 'localhost' }))).toBe(
      true,
    )
    const err = await live(
      https(tlsServer, { caFile: certs.caFile, serverName: 'triton.example.com' }),
    )
    expect(err).toMatchObject({ kind: 'tls' })
    expect((err as TritonError).message).toMatch(
      /is for 127\.0\.0\.1, localhost, not triton\.example\.com \(from --server-name\)$/,
    )
  })

  it('connects without verification only when asked to', async () => {
    expect(await live(https(tlsServer, { insecureSkipVerify: true }))).toBe(true)
  })

  it('talks mutual TLS with a client certificate, and fails clearly without one', async () => {
    const identity = { certFile: certs.client.cert, keyFile: certs.client.key }
    expect(await live(https(mtlsServer, { caFile: certs.caFile, ...identity }))).toBe(true)
    const err = await live(https(mtlsServer, { caFile: certs.caFile }))
    expect(err).toMatchObject({
      kind: 'tls',
      message: `${mtlsServer.httpUrl} requires a client certificate (mutual TLS)`,
    })
  })
})
