import { mkdtempSync, rmSync } from 'node:fs'
import { createServer as createHttp2Server, type Http2Server } from 'node:http2'
import { createServer as createNetServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { doctorCommand } from '../../src/cli/commands/doctor-command'
import { DEMO_ENDPOINT_ID, DEMO_HTTP_ENDPOINT_ID } from '../../src/main/app/endpoint-store'
import { startDemoEndpoint, type DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'
import { runDoctor } from '../../src/main/doctor/doctor'
import { GRPC_PORT } from '../../src/main/doctor/link-checks'
import { connectionFromFlags } from '../../src/cli/connection-flags'
import { TritonClient } from '../../src/main/triton/triton-client'
import type { TritonError } from '../../src/main/triton/triton-error'
import type { DoctorReport } from '../../src/shared/ipc-contract'
import { makeDoctorCertificates } from '../fixtures/doctor-certs'
import { runCli, type CliRun } from '../fixtures/built-app'
import { testAppCore } from '../fixtures/app-core'

let dir: string
let demo: DemoEndpoint
let tlsDemo: DemoEndpoint
let certs: ReturnType<typeof makeDoctorCertificates>
let proxy: Http2Server
let proxyPort: number
let deadPort: number
/** The :authority of each request the proxy saw. */
const authorities: string[] = []

const cli = (args: string[]): Promise<CliRun> => runCli(args)

/** A port that was just free: bound, read, closed. */
async function freePort(): Promise<number> {
  const s = createNetServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

const metricsPort = (): string => new URL(demo.metricsUrl!).port
const httpPort = (): string => new URL(demo.httpUrl!).port
const statuses = (r: DoctorReport) => r.checks.map((c) => `${c.status} ${c.name}`)

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-doctor-'))
  certs = makeDoctorCertificates(dir)
  demo = await startDemoEndpoint({ port: 0, metricsPort: 0, httpPort: 0 })
  tlsDemo = await startDemoEndpoint({
    port: 0,
    metricsPort: null,
    tls: { cert: certs.serverCert, key: certs.serverKey },
  })
  // An HTTP/2 proxy with no route for gRPC: 404 to everything, as an ingress does.
  proxy = createHttp2Server((req, res) => {
    authorities.push(String(req.headers[':authority']))
    res.writeHead(404, { 'content-type': 'text/plain' })
    res.end('404 page not found\n')
  })
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()))
  proxyPort = (proxy.address() as AddressInfo).port
  deadPort = await freePort()
})

afterAll(async () => {
  await demo.close()
  await tlsDemo.close()
  await new Promise<void>((r) => proxy.close(() => r()))
  rmSync(dir, { recursive: true, force: true })
})

describe('triton-live doctor', () => {
  it('passes every rung of the demo endpoint\u2019s gRPC port and names each model\u2019s preset', async () => {
    const lines: string[] = []
    const code = await doctorCommand(
      ['--url', demo.url, '--metrics-url', demo.metricsUrl!],
      (l) => lines.push(l),
      false,
    )
    expect(code).toBe(0)
    const text = lines.join('\n')
    for (const name of [
      'name resolves',
      'TCP connects',
      'speaks HTTP/2',
      'ServerLive',
      'ServerReady',
      'extensions',
      'metrics page',
      'round trip',
      'bandwidth',
    ]) {
      expect(text).toMatch(
        new RegExp(`^ok {4}${name.replace('/', '\\/')}\\s.*\\(\\d+\\.\\d ms\\)$`, 'm'),
      )
    }
    expect(text).toMatch(
      /^ok {4}model color-box-detector-yolov8 .*preset: Ultralytics YOLO, 640×640/m,
    )
    expect(text).toMatch(/^ok {4}metrics page .*no GPU lines \(a CPU-only server\)/m)
    expect(lines[lines.length - 1]).toBe(
      `verdict: ok, ${demo.url.startsWith('grpc') ? demo.url : `grpc://${demo.url}`} works`,
    )
  })

  it('says the metrics port speaks HTTP, names the Triton ports, and stops there', async () => {
    const report = await runDoctor({ url: `127.0.0.1:${metricsPort()}` })
    expect(report.verdict).toBe('fail')
    expect(statuses(report)).toEqual(['ok name resolves', 'ok TCP connects', 'fail speaks HTTP/2'])
    const last = report.checks[2]
    expect(last.fatal).toBe(true)
    expect(last.detail).toContain(
      "this port speaks HTTP: Triton serves HTTP on 8000, gRPC on 8001, metrics on 8002 (it serves Triton's metrics page)",
    )
    expect(last.hint).toBe('point --url at the gRPC port, usually 8001')
  })

  it('describes a certificate signed by a CA it was not given, and refuses it', async () => {
    const report = await runDoctor({ url: tlsDemo.url, tls: { caFile: certs.otherCaFile } })
    expect(statuses(report)).toEqual(['ok name resolves', 'ok TCP connects', 'fail TLS'])
    const tls = report.checks[2]
    // The certificate's facts, then the problem in the clients' own words (tls-failure.ts).
    expect(tls.detail).toMatch(
      /^subject CN=localhost; issuer CN=triton-live ca; names 127\.0\.0\.1, localhost; expires \d{4}-\d\d-\d\d \(2\d days\); the certificate of 127\.0\.0\.1:\d+ is not signed by a CA this client trusts \(unable to verify the first certificate\)$/,
    )
    expect(tls.hint).toBe(
      'pass the CA that signed it with --ca; --insecure skips the check, for testing only',
    )
    // With the right CA every rung passes.
    const good = await runDoctor(
      { url: tlsDemo.url, tls: { caFile: certs.caFile } },
      { models: false, metricsUrl: demo.metricsUrl },
    )
    expect(good.verdict).toBe('ok')
    expect(good.checks[2]).toMatchObject({ name: 'TLS', status: 'ok' })
    expect(good.checks[3]).toMatchObject({ name: 'speaks HTTP/2', detail: 'TLS ALPN chose h2' })
  })

  it('finds nothing listening on a dead port', async () => {
    const report = await runDoctor({ url: `127.0.0.1:${deadPort}` })
    expect(statuses(report)).toEqual(['ok name resolves', 'fail TCP connects'])
    expect(report.checks[1].detail).toBe(
      `cannot connect to 127.0.0.1:${deadPort}: connection refused: nothing listens on that port`,
    )
  })

  it('tells a proxy that answers 404 from a server that lacks an extension', async () => {
    const report = await runDoctor({ url: `127.0.0.1:${proxyPort}` })
    expect(statuses(report)).toEqual([
      'ok name resolves',
      'ok TCP connects',
      'ok speaks HTTP/2',
      'fail ServerLive',
    ])
    expect(report.checks[3].detail).toContain(
      'answered HTTP 404 instead of gRPC to ServerLive: a proxy or ingress is in the way',
    )
    const client = new TritonClient({ url: `127.0.0.1:${proxyPort}` })
    const error = await client.modelConfig('any').then(
      () => undefined,
      (e: TritonError) => e,
    )
    client.close()
    expect(error?.kind).toBe('unreachable')
    expect(error?.hint).not.toContain('lacks the extension')
    expect(error?.hint).toContain('--authority')
  })

  it('sends --authority as the :authority of every call, so a proxy can route by host', async () => {
    const options = connectionFromFlags(
      { url: `127.0.0.1:${proxyPort}`, authority: 'triton.example.com' },
      {},
    )
    expect(connectionFromFlags({ url: 'h:1' }, { TRITON_AUTHORITY: 'a.example' }).authority).toBe(
      'a.example',
    )
    authorities.length = 0
    const client = new TritonClient(options)
    await client.serverLive().catch(() => undefined)
    client.close()
    expect(authorities).toEqual(['triton.example.com'])
  })

  it('prints the JSON report and exits 1 from the command line; health explains a wrong port the same way', async () => {
    const r = await cli(['doctor', '--url', `127.0.0.1:${metricsPort()}`, '--json'])
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout) as DoctorReport
    expect(report.verdict).toBe('fail')
    expect(report.checks.map((c) => c.name)).toEqual([
      'name resolves',
      'TCP connects',
      'speaks HTTP/2',
    ])
    const h = await cli(['health', '--url', `127.0.0.1:${metricsPort()}`])
    expect(h.code).toBe(1)
    expect(h.stderr).toBe(
      `triton-live: 127.0.0.1:${metricsPort()}: speaks HTTP/2 failed: this port speaks HTTP: Triton serves HTTP on 8000, gRPC on 8001, metrics on 8002 (it serves Triton's metrics page); it answered 'HTTP/1.1 400 Bad Request' (point --url at the gRPC port, usually 8001)\n`,
    )
  })
})

/** The rungs of a whole run, in order, as 'status name' (model rungs left out). */
const rungs = (r: DoctorReport): string[] =>
  r.checks.filter((c) => !c.name.startsWith('model ')).map((c) => `${c.status} ${c.name}`)

const HTTP_RUNGS = [
  'ok name resolves',
  'ok TCP connects',
  'ok speaks HTTP/1.1',
  'ok ServerLive',
  'ok ServerReady',
  'ok extensions',
  'ok metrics page',
  'ok round trip',
  'ok bandwidth',
]

describe('triton-live doctor on an http:// endpoint (KServe v2 REST)', () => {
  it('speaks HTTP/1.1 and the REST API on every rung, and measures the link with a KServe request', async () => {
    const report = await runDoctor({ url: demo.httpUrl! }, { metricsUrl: demo.metricsUrl })
    expect(report.url).toBe(demo.httpUrl)
    expect(report.verdict).toBe('ok')
    expect(rungs(report)).toEqual(HTTP_RUNGS)
    const check = (name: string) => report.checks.find((c) => c.name === name)!
    expect(check('speaks HTTP/1.1').detail).toBe("answered 'HTTP/1.1 200 OK'")
    expect(check('extensions').detail).toMatch(/^triton-live-demo .*binary_tensor_data/)
    expect(check('bandwidth').detail).toMatch(/^about [\d.]+ MB\/s up \(1 MiB in /)
    expect(check('model color-box-detector-yolov8').detail).toMatch(
      /preset: Ultralytics YOLO, 640×640/,
    )
  })

  it("names Triton's HTTP port when a gRPC URL points at it, and offers --url http://", async () => {
    const report = await runDoctor({ url: `127.0.0.1:${httpPort()}` })
    expect(statuses(report)).toEqual(['ok name resolves', 'ok TCP connects', 'fail speaks HTTP/2'])
    expect(report.checks[2].detail).toMatch(
      /^this port speaks HTTP: Triton serves HTTP on 8000, gRPC on 8001, metrics on 8002 \(it serves Triton's HTTP\/REST API\); it answered 'HTTP\/1\.1 /,
    )
    expect(report.checks[2].hint).toBe(
      `point --url at the gRPC port, usually 8001, or use --url http://127.0.0.1:${httpPort()} to talk to this HTTP/REST API`,
    )
  })

  it('says a gRPC port speaks HTTP/2 when an http:// URL points at it', async () => {
    const report = await runDoctor({ url: `http://${demo.url}` })
    expect(statuses(report)).toEqual([
      'ok name resolves',
      'ok TCP connects',
      'fail speaks HTTP/1.1',
    ])
    expect(report.checks[2].detail.startsWith(GRPC_PORT)).toBe(true)
    expect(report.checks[2].hint).toBe(
      `use --url grpc://${demo.url} for gRPC, or point --url at the HTTP port, usually 8000`,
    )
  })
})

describe("the app's Doctor view through the core (endpoints:doctor)", () => {
  it('walks the built-in demo over gRPC and over HTTP, each with its own protocol rung', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'triton-live-doctor-app-'))
    const core = testAppCore(dataDir, { demoPorts: { port: 0, metricsPort: 0, httpPort: 0 } })
    try {
      const [grpc, http] = await Promise.all([
        core.handlers['endpoints:doctor'](DEMO_ENDPOINT_ID),
        core.handlers['endpoints:doctor'](DEMO_HTTP_ENDPOINT_ID),
      ])
      expect(grpc.verdict).toBe('ok')
      expect(rungs(grpc)).toEqual(HTTP_RUNGS.map((r) => r.replace('HTTP/1.1', 'HTTP/2')))
      expect(http.verdict).toBe('ok')
      expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(rungs(http)).toEqual(HTTP_RUNGS)
      const endpoints = await core.handlers['endpoints:list'](undefined)
      expect(endpoints.slice(0, 2).map((e) => [e.id, e.url])).toEqual([
        [DEMO_ENDPOINT_ID, grpc.url.replace('grpc://', '')],
        [DEMO_HTTP_ENDPOINT_ID, http.url],
      ])
    } finally {
      await core.dispose()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
