import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EndpointService } from '../../src/main/app/endpoint-service'
import { TritonError } from '../../src/main/triton/triton-error'
import { DemoProcess } from '../fixtures/demo-process'
import { makeTestCertificates, type TestCertificates } from '../fixtures/doctor-certs'
import { cli, root } from '../fixtures/hostile-harness'
import type { CliRun } from '../fixtures/built-app'
import { testSecretStore } from '../fixtures/test-secret-store'

/**
 * The TLS and auth matrix, through the command line as a user runs it: `triton-live
 * demo-endpoint` started with --tls-cert/--tls-key/--tls-ca and a required token, and `health`
 * and `models` for each way a connection can go wrong. Each wrong way gets exactly one stderr
 * line of its own, in the same words from both commands; the token is never printed or saved.
 */

const TOKEN = `matrix-${randomBytes(12).toString('hex')}`
const WRONG_TOKEN = `not-it-${randomBytes(12).toString('hex')}`

type ServerName = 'tls' | 'expired' | 'named' | 'mtls' | 'plain'

interface MatrixCase {
  name: string
  server: ServerName
  args(c: TestCertificates, at: string): string[]
  /** The one stderr line (without 'triton-live: '), or undefined when the commands succeed. */
  line?(at: string, operation: string): string
}

const CASES: MatrixCase[] = [
  {
    name: 'right CA',
    server: 'tls',
    args: (c, at) => ['--url', `grpcs://${at}`, '--ca', c.caFile, '--token', TOKEN],
  },
  {
    name: 'wrong CA',
    server: 'tls',
    args: (c, at) => ['--url', `grpcs://${at}`, '--ca', c.otherCaFile, '--token', TOKEN],
    line: (at) =>
      `the certificate of ${at} is not signed by a CA this client trusts (unable to verify the first certificate) (pass the CA that signed it with --ca; --insecure skips the check, for testing only)`,
  },
  {
    name: 'expired server certificate',
    server: 'expired',
    args: (c, at) => ['--url', `grpcs://${at}`, '--ca', c.caFile, '--token', TOKEN],
    line: (at) =>
      `the certificate of ${at} has expired (renew the server's certificate, or check this machine's clock)`,
  },
  {
    name: 'hostname mismatch',
    server: 'named',
    args: (c, at) => ['--url', `grpcs://${at}`, '--ca', c.caFile, '--token', TOKEN],
    line: (at) =>
      `the certificate of ${at} is for triton.internal, not 127.0.0.1 (connect by a name on the certificate, or pass --server-name triton.internal)`,
  },
  {
    name: 'hostname mismatch with --server-name naming the certificate',
    server: 'named',
    args: (c, at) => [
      '--url',
      `grpcs://${at}`,
      '--ca',
      c.caFile,
      '--server-name',
      'triton.internal',
      '--token',
      TOKEN,
    ],
  },
  {
    name: '--server-name naming another host',
    server: 'named',
    args: (c, at) => [
      '--url',
      `grpcs://${at}`,
      '--ca',
      c.caFile,
      '--server-name',
      'other.internal',
      '--token',
      TOKEN,
    ],
    line: (at) =>
      `the certificate of ${at} is for triton.internal, not other.internal (from --server-name) (set --server-name to a name on the certificate)`,
  },
  {
    name: 'mTLS without a client certificate',
    server: 'mtls',
    args: (c, at) => ['--url', `grpcs://${at}`, '--ca', c.caFile, '--token', TOKEN],
    line: (at) =>
      `${at} requires a client certificate (mutual TLS) (pass the client certificate and key with --cert and --key)`,
  },
  {
    name: 'mTLS with a client certificate from another CA',
    server: 'mtls',
    args: (c, at) => [
      '--url',
      `grpcs://${at}`,
      '--ca',
      c.caFile,
      '--cert',
      c.foreignClient.cert,
      '--key',
      c.foreignClient.key,
      '--token',
      TOKEN,
    ],
    line: (at) =>
      `the server rejected the client certificate (check --cert/--key: ${at} accepts only a certificate signed by a CA it trusts, with its own key)`,
  },
  {
    name: 'mTLS with the right client certificate',
    server: 'mtls',
    args: (c, at) => [
      '--url',
      `grpcs://${at}`,
      '--ca',
      c.caFile,
      '--cert',
      c.client.cert,
      '--key',
      c.client.key,
      '--token',
      TOKEN,
    ],
  },
  {
    name: 'plaintext to a TLS port',
    server: 'tls',
    args: (_c, at) => ['--url', `grpc://${at}`, '--token', TOKEN],
    line: (at) =>
      `the server speaks TLS: ${at} answered a plaintext connection with nothing (use grpcs://${at})`,
  },
  {
    name: 'TLS to a plaintext port',
    server: 'plain',
    args: (c, at) => ['--url', `grpcs://${at}`, '--ca', c.caFile, '--token', TOKEN],
    line: (at) =>
      `${at} does not speak TLS (the TLS handshake got a plaintext answer) (use grpc://${at}, or check that the port is the server's TLS port)`,
  },
  {
    name: 'wrong token',
    server: 'tls',
    args: (c, at) => ['--url', `grpcs://${at}`, '--ca', c.caFile, '--token', WRONG_TOKEN],
    line: (at, op) =>
      `${at} refused the token on ${op}: wrong bearer token (check the token (--token): it may be wrong, expired or meant for another server)`,
  },
  {
    name: 'no token',
    server: 'tls',
    args: (c, at) => ['--url', `grpcs://${at}`, '--ca', c.caFile],
    line: (at, op) =>
      `${at} refused ${op} without credentials: bearer token required (it requires a credential: pass the token with --token, or --api-key or --header for another scheme)`,
  },
]

/** The first call each command makes: the operation an auth refusal names. */
const COMMANDS = [
  ['health', 'ServerLive'],
  ['models', 'RepositoryIndex'],
] as const

/**
 * `health` meets every case; `models` (another command, another first call) meets a case of each
 * kind, which shows the line is the client's, not one command's: a working TLS link, a TLS
 * refusal and an auth refusal.
 */
const MODELS_TOO = new Set(['right CA', 'wrong CA', 'wrong token'])
const commandsFor = (c: { name: string }) =>
  COMMANDS.filter(([command]) => command === 'health' || MODELS_TOO.has(c.name))

let dir: string
let certs: TestCertificates
const servers = {} as Record<ServerName, DemoProcess>
const runs = new Map<string, CliRun>()
let exportDir: string
let streamRun: CliRun

function serverArgs(name: ServerName, c: TestCertificates): string[] {
  const identity = (p: { cert: string; key: string }): string[] => [
    '--tls-cert',
    p.cert,
    '--tls-key',
    p.key,
  ]
  const tls: Record<ServerName, string[]> = {
    tls: identity(c.server),
    expired: identity(c.expired),
    named: identity(c.named),
    mtls: [...identity(c.server), '--tls-ca', c.caFile],
    plain: [],
  }
  return [...tls[name], '--token', TOKEN]
}

/** Runs `jobs` at most `limit` at a time: 2 shared cores, and TLS probes with a deadline. */
async function pooled(jobs: (() => Promise<void>)[], limit: number): Promise<void> {
  const queue = [...jobs]
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await job()
    }),
  )
}

const at = (s: ServerName): string => `127.0.0.1:${servers[s].port}`

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-tls-matrix-'))
  certs = makeTestCertificates(dir)
  const names: ServerName[] = ['tls', 'expired', 'named', 'mtls', 'plain']
  for (const n of names) servers[n] = new DemoProcess(join(dir, `${n}.log`), serverArgs(n, certs))
  await Promise.all(names.map((n) => servers[n].start()))
  exportDir = join(dir, 'exports')
  mkdirSync(exportDir)
  const jobs = CASES.flatMap((c) =>
    commandsFor(c).map(([command]) => async () => {
      runs.set(`${c.name}/${command}`, await cli([command, ...c.args(certs, at(c.server))]))
    }),
  )
  jobs.push(async () => {
    streamRun = await cli([
      'stream',
      ...CASES[0].args(certs, at('tls')),
      '--model',
      'tone-transcriber-streaming',
      '--file',
      join(root, 'resources/samples/tone-text.wav'),
      '--export',
      join(exportDir, 'transcript.jsonl'),
      '--export',
      join(exportDir, 'transcript.srt'),
    ])
  })
  await pooled(jobs, 4)
  // Some 17 CLI runs at 4 at a time: seconds on an idle machine, a generous bound on a busy one.
}, 120_000)

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.kill9()))
  rmSync(dir, { recursive: true, force: true })
})

describe('the TLS and auth matrix through the command line', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.line ? 'one line that names the cause' : 'works'}`, () => {
      for (const [command, operation] of commandsFor(c)) {
        const run = runs.get(`${c.name}/${command}`)!
        expect(run.killed, `${command} hung`).toBe(false)
        if (!c.line) {
          expect(run.stderr, command).toBe('')
          expect(run.code, command).toBe(0)
          continue
        }
        expect(run.stderr, command).toBe(`triton-live: ${c.line(at(c.server), operation)}\n`)
        expect(run.code, command).toBe(1)
        expect(run.stdout, command).toBe('')
      }
    })
  }

  it('gives every failing case a message of its own', () => {
    const lines = CASES.filter((c) => c.line).map((c) =>
      runs
        .get(`${c.name}/health`)!
        .stderr.replace(/127\.0\.0\.1:\d+/g, 'HOST')
        .replace(/ServerLive/g, 'OP'),
    )
    expect(new Set(lines).size).toBe(lines.length)
  })

  it('never prints the token, right or wrong, and writes it into no export', () => {
    expect(streamRun.code).toBe(0)
    expect(streamRun.stdout).toContain('hello from triton live')
    const exported = readdirSync(exportDir)
    expect(exported.sort()).toEqual(['transcript.jsonl', 'transcript.srt'])
    const texts = [
      ...[...runs.values(), streamRun].flatMap((r) => [r.stdout, r.stderr]),
      ...exported.map((f) => readFileSync(join(exportDir, f), 'utf8')),
    ]
    for (const text of texts) {
      expect(text).not.toContain(TOKEN)
      expect(text).not.toContain(WRONG_TOKEN)
    }
  })
})

/** Every file under `root`, recursively. */
function filesUnder(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

describe("the app's endpoints against the same servers", () => {
  let dataDir: string
  let service: EndpointService

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'triton-live-tls-app-'))
    service = new EndpointService({ dataDir, secrets: testSecretStore() })
  })
  afterAll(async () => {
    await service.dispose()
    rmSync(dataDir, { recursive: true, force: true })
  })

  async function health(
    name: string,
    server: ServerName,
    extra: { serverName?: string; token?: string } = {},
  ): Promise<boolean | TritonError> {
    const saved = await service.save({
      name,
      url: `grpcs://${at(server)}`,
      tls: { enabled: true, caFile: certs.caFile, serverName: extra.serverName },
      token: extra.token ?? TOKEN,
    })
    return service.health(saved.id).then(
      (h) => h.live && h.ready,
      (e: TritonError) => e,
    )
  }

  it("keeps the client's own words for a TLS failure, as the command line does", async () => {
    const [mismatch, named, expired, wrongToken] = await Promise.all([
      health('mismatch', 'named'),
      health('named', 'named', { serverName: 'triton.internal' }),
      health('expired', 'expired'),
      health('wrong token', 'tls', { token: WRONG_TOKEN }),
    ])
    const line = (c: string, server: ServerName, op = 'ServerLive'): string =>
      CASES.find((x) => x.name === c)!.line!(at(server), op)
    expect(mismatch).toBeInstanceOf(TritonError)
    expect((mismatch as TritonError).kind).toBe('tls')
    expect((mismatch as TritonError).toUserString()).toBe(line('hostname mismatch', 'named'))
    expect(named).toBe(true)
    expect((expired as TritonError).kind).toBe('tls')
    expect((expired as TritonError).toUserString()).toBe(
      line('expired server certificate', 'expired'),
    )
    expect((wrongToken as TritonError).kind).toBe('auth')
    expect((wrongToken as TritonError).toUserString()).toBe(line('wrong token', 'tls'))
  })

  it('keeps the token out of every file it saves', async () => {
    const profiles = await service.list()
    expect(profiles.filter((p) => p.hasToken).length).toBeGreaterThanOrEqual(4)
    const files = filesUnder(dataDir)
    expect(files.map((f) => f.slice(dataDir.length + 1))).toContain('endpoints.json')
    for (const f of files) {
      const text = readFileSync(f, 'utf8')
      expect(text).not.toContain(TOKEN)
      expect(text).not.toContain(WRONG_TOKEN)
    }
    expect(JSON.stringify(profiles)).not.toContain(TOKEN)
  })
})
