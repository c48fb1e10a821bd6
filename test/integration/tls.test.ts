import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoEndpoint, type DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'
import { KServeHttpClient } from '../../src/main/transport/http/kserve-http-client'
import type { ConnectionOptions } from '../../src/main/triton/connection-options'
import type { TritonApi } from '../../src/main/triton/triton-api'
import { TritonClient } from '../../src/main/triton/triton-client'
import { TritonError } from '../../src/main/triton/triton-error'

let dir: string
const pem = (name: string): string => join(dir, name)

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
}

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, all made here. */
function makeCertificates(): void {
  writeFileSync(pem('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=triton-live test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  ])
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  ])
  openssl([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'server.ext',
    '-out',
    'server.pem',
  ])
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=field operator',
    '-keyout',
    'client.key',
    '-out',
    'client.csr',
  ])
  openssl([
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    'client.pem',
  ])
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=someone else',
    '-keyout',
    'other-ca.key',
    '-out',
    'other-ca.pem',
  ])
}

let tlsServer: DemoEndpoint
let mtlsServer: DemoEndpoint

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-tls-'))
  makeCertificates()
  const cert = readFileSync(pem('server.pem'))
  const key = readFileSync(pem('server.key'))
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
    tls: { cert, key, clientCa: readFileSync(pem('ca.pem')) },
  })
}, 60_000)

afterAll(async () => {
  await tlsServer?.close()
  await mtlsServer?.close()
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
        new TritonClient({ url: tlsServer.url, tls: { caFile: pem('ca.pem') }, timeoutMs: 5000 }),
      ),
    ).toBe(true)
  })

  it('refuses a server whose certificate the CA did not sign, and says it is a TLS problem', async () => {
    const err = await live(
      new TritonClient({
        url: tlsServer.url,
        tls: { caFile: pem('other-ca.pem') },
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
      tls: { caFile: pem('ca.pem'), certFile: pem('client.pem'), keyFile: pem('client.key') },
      timeoutMs: 5000,
    })
    expect(await live(client)).toBe(true)
  })

  it('fails clearly when mutual TLS is required and no client certificate is given', async () => {
    const err = await live(
      new TritonClient({ url: mtlsServer.url, tls: { caFile: pem('ca.pem') }, timeoutMs: 5000 }),
    )
    expect(err).toBeInstanceOf(TritonError)
    expect(['tls', 'unreachable']).toContain((err as TritonError).kind)
  })

  it('names a missing CA file before dialling', () => {
    expect(
      () => new TritonClient({ url: tlsServer.url, tls: { caFile: pem('missing.pem') } }),
    ).toThrow(/cannot read the CA certificate file .*missing\.pem/)
  })

  it('asks for both halves of a client identity', () => {
    expect(
      () => new TritonClient({ url: tlsServer.url, tls: { certFile: pem('client.pem') } }),
    ).toThrow(/both a client certificate and its key/)
  })
})

describe('TLS error wording', () => {
  it('reduces an OpenSSL failure to its reason', async () => {
    const err = await live(
      new TritonClient({
        url: tlsServer.url,
        tls: { caFile: pem('other-ca.pem') },
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
    expect(await live(https(tlsServer, { caFile: pem('ca.pem') }))).toBe(true)
    const err = await live(https(tlsServer, { caFile: pem('other-ca.pem') }))
    expect(err).toMatchObject({ kind: 'tls' })
    expect((err as TritonError).message).toMatch(
      /^the certificate of https:\/\/127\.0\.0\.1:\d+ is not signed by a CA this client trusts \(/,
    )
    expect((err as TritonError).hint).toMatch(/pass the CA that signed it with --ca/)
  })

  it('checks the certificate against the server name when one is given', async () => {
    expect(await live(https(tlsServer, { caFile: pem('ca.pem'), serverName: 'localhost' }))).toBe(
      true,
    )
    const err = await live(
      https(tlsServer, { caFile: pem('ca.pem'), serverName: 'triton.example.com' }),
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
    const identity = { certFile: pem('client.pem'), keyFile: pem('client.key') }
    expect(await live(https(mtlsServer, { caFile: pem('ca.pem'), ...identity }))).toBe(true)
    const err = await live(https(mtlsServer, { caFile: pem('ca.pem') }))
    expect(['tls', 'unreachable']).toContain((err as TritonError).kind)
  })
})
