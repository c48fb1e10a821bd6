import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { looksLikeEndpoint } from '../../src/cli/commands/bench-targets'
import { startDemoEndpoint, type DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'
import { TritonClient } from '../../src/main/triton/triton-client'
import { cliArgs } from '../fixtures/built-app'
import { parseCsv } from '../fixtures/csv'
import { startGatedEndpoint, type GatedEndpoint } from '../fixtures/gated-model'

const ROOT = join(__dirname, '../..')
const WAV = join(ROOT, 'resources/samples/tone-text.wav')

let demo: DemoEndpoint
let dir: string

beforeAll(async () => {
  demo = await startDemoEndpoint({ port: 0, metricsPort: 0, httpPort: 0, openaiPort: 0 })
  dir = await mkdtemp(join(tmpdir(), 'triton-live-cli-bench-'))
})

afterAll(async () => {
  await demo.close()
  await rm(dir, { recursive: true, force: true })
})

interface CliResult {
  code: number
  stdout: string
  stderr: string
  /** stderr lines the CLI wrote, without npm's own warnings. */
  errors: string[]
}

/** Runs the CLI as a user would, in a child process, while the demo endpoint serves here. */
function cli(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      cliArgs(args),
      { cwd: ROOT, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        const errors = stderr.split('\n').filter((l) => l.startsWith('triton-live:'))
        resolve({ code, stdout, stderr, errors })
      },
    )
  })
}

describe('triton-live bench', () => {
  it('prints the report table, exits 0 and writes every export in its format', async () => {
    const md = join(dir, 'report.md')
    const csv = join(dir, 'report.csv')
    const json = join(dir, 'report.json')
    const r = await cli([
      'bench',
      '--url',
      demo.url,
      '--model',
      'tone-transcriber-offline',
      '--file',
      WAV,
      '--rate',
      '10',
      '--duration',
      '1',
      '--metrics-url',
      demo.metricsUrl ?? '',
      '--export',
      md,
      '--export',
      csv,
      '--export',
      json,
    ])
    expect(r.errors).toEqual([])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('tone-transcriber-offline @ grpc://')
    expect(r.stdout).toMatch(/^Total Requests\s+10$/m)
    expect(r.stdout).toMatch(/^Successful Requests\s+10$/m)
    expect(r.stdout).toMatch(/^Server request \(total\)\s+[\d.]+ ms$/m)
    expect(r.stderr).toContain('bench: wrote')

    const report = JSON.parse(await readFile(json, 'utf8')) as {
      format: string
      runs: Array<{
        summary: { requests: number; successes: number }
        server?: { requests: number }
      }>
    }
    expect(report.format).toBe('triton-live-bench')
    expect(report.runs[0].summary).toMatchObject({ requests: 10, successes: 10 })
    expect(report.runs[0].server?.requests).toBe(10)

    const rows = parseCsv(await readFile(csv, 'utf8'))
    expect(rows).toHaveLength(2)
    expect(rows[1]).toHaveLength(rows[0].length)
    expect(rows[1][rows[0].indexOf('Request Count')]).toBe('10')

    const markdown = await readFile(md, 'utf8')
    expect(markdown).toMatch(/^# Benchmark: tone-transcriber-offline$/m)
    expect(markdown).toContain('| **Total Requests** | 10 |')
  })

  it('compares two models on one endpoint with a column each and a winner per metric', async () => {
    const r = await cli([
      'bench',
      '--url',
      demo.url,
      '--model',
      'color-box-detector-yolov8',
      '--compare',
      'color-box-detector-e2e',
      '--rate',
      '6',
      '--duration',
      '1',
      '--no-metrics',
    ])
    expect(r.errors).toEqual([])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(
      /^Metric\s+color-box-detector-yolov8\s+color-box-detector-e2e\s+Winner\s+Ratio\/Difference\s+Spread \(A \/ B\)$/m,
    )
    // --compare measures three windows each, taking turns, and says so.
    expect(r.stdout).toContain(', 6 req/s, 1 s in 3 windows, input ')
    expect(r.stdout).toMatch(/^Total Requests\s+6\s+6\s/m)
    expect(r.stdout).toMatch(/^p50\s+[\d.]+ ms\s+[\d.]+ ms\s+(color-box-detector-\S+|Tie)\s/m)
    expect(r.stdout).toMatch(/^- QPS \(Successful\): /m)
  })

  it('compares against a second endpoint given as host:port, with the labels asked for', async () => {
    const other = await startDemoEndpoint({ port: 0, metricsPort: 0 })
    try {
      const r = await cli([
        'bench',
        '--url',
        demo.url,
        '--model',
        'tone-transcriber-streaming',
        '--file',
        WAV,
        '--compare',
        other.url,
        '--label-a',
        'primary',
        '--label-b',
        'standby',
        '--rate',
        '20',
        '--duration',
        '0.5',
        '--windows',
        '2',
        '--metrics-url',
        demo.metricsUrl ?? '',
        '--metrics-url-b',
        other.metricsUrl ?? '',
      ])
      expect(r.errors).toEqual([])
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/^Metric\s+primary\s+standby\s+Winner/m)
      expect(r.stdout).toMatch(/^Total Requests\s+10\s+10\s/m)
      expect(r.stdout).toContain(`B standby: tone-transcriber-streaming @ grpc://${other.url}`)
      // Two windows of five requests, each window after its own warm-up request.
      expect(other.inference.counters.get('tone-transcriber-streaming')?.success.count).toBe(12n)
    } finally {
      await other.close()
    }
  })

  it('prints a concurrency sweep as one table with a row per level, or JSON', async () => {
    const table = await cli([
      'bench',
      '--url',
      demo.url,
      '--model',
      'word-splitter-decoupled',
      '--concurrency',
      '1:3',
      '--duration',
      '0.2',
      '--no-metrics',
    ])
    expect(table.code).toBe(0)
    const lines = table.stdout.split('\n')
    expect(lines.filter((l) => l.startsWith('Metric'))).toEqual([])
    expect(lines.filter((l) => /^Concurrency\s+Total Requests/.test(l))).toHaveLength(1)
    expect(
      lines.filter((l) => /^\s*[123]\s+\d+\s+0\s+[\d.]+ req\/s\s+[\d.]+ ms/.test(l)),
    ).toHaveLength(3)
    const r = await cli([
      'bench',
      '--url',
      demo.url,
      '--model',
      'word-splitter-decoupled',
      '--concurrency',
      '1,2',
      '--duration',
      '0.2',
      '--no-metrics',
      '--json',
    ])
    expect(r.errors).toEqual([])
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as {
      runs: Array<{ label: string; concurrency: number }>
    }
    expect(report.runs.map((run) => [run.label, run.concurrency])).toEqual([
      ['word-splitter-decoupled', 1],
      ['word-splitter-decoupled', 2],
    ])
  })

  it('fails with one clear line and exit code 1 for an unknown model', async () => {
    const r = await cli([
      'bench',
      '--url',
      demo.url,
      '--model',
      'no-such-model',
      '--rate',
      '5',
      '--duration',
      '1',
    ])
    expect(r.code).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(/'no-such-model' is not found/)
    expect(r.errors[0]).toMatch(/triton-live models/)
    expect(r.stdout).toBe('')
  })

  it('refuses a report format it cannot write before sending any load', async () => {
    const r = await cli([
      'bench',
      '--url',
      demo.url,
      '--model',
      'tone-transcriber-offline',
      '--rate',
      '5',
      '--duration',
      '1',
      '--export',
      join(dir, 'report.txt'),
    ])
    expect(r.code).toBe(2)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(
      /report\.txt: '\.txt' is not a report format; use \.md, \.csv, \.json/,
    )
  })
})

/** Requests the demo endpoint has answered for a model, counted at the server. */
const served = (server: DemoEndpoint, model: string): bigint =>
  server.inference.counters.get(model)?.success.count ?? 0n

describe('bench across transports', () => {
  it('puts gRPC stream, gRPC unary, HTTP and shared memory side by side, each column named for its transport', async () => {
    const before = served(demo, 'color-box-detector-yolov8')
    const r = await cli([
      'bench',
      '--url',
      `grpc://${demo.url}`,
      '--model',
      'color-box-detector-yolov8',
      '--compare',
      'unary',
      '--compare',
      demo.httpUrl as string,
      '--compare',
      'shm',
      '--rate',
      '4',
      '--duration',
      '1',
      '--windows',
      '1',
      '--no-metrics',
    ])
    expect(r.errors).toEqual([])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Metric\s+gRPC stream\s+gRPC unary\s+HTTP\s+gRPC stream \+ shm$/m)
    expect(r.stdout).toMatch(/^Total Requests\s+4\s+4\s+4\s+4$/m)
    expect(r.stdout).toMatch(/^Failed Requests\s+0\s+0\s+0\s+0$/m)
    expect(r.stdout).toContain(`C HTTP: color-box-detector-yolov8 @ ${demo.httpUrl} over HTTP, `)
    expect(r.stdout).toMatch(
      /^- QPS \(Successful\), of gRPC stream's [\d.]+ req\/s: gRPC unary [\d.]+x, HTTP [\d.]+x, gRPC stream \+ shm [\d.]+x$/m,
    )
    expect(r.stdout).toMatch(/^- p50, of gRPC stream's [\d.]+ ms: gRPC unary [\d.]+x/m)
    // Four requests and a warm-up per transport, all counted by the server.
    expect(served(demo, 'color-box-detector-yolov8') - before).toBe(20n)
    // The run's regions went with it.
    const client = new TritonClient({ url: demo.url })
    try {
      expect(await client.systemSharedMemoryStatus()).toEqual({})
    } finally {
      client.close()
    }
  })

  it('sends the same audio window at the same rate to an OpenAI-compatible service, beside two gRPC transports', async () => {
    const before = served(demo, 'tone-transcriber-offline')
    const r = await cli([
      'bench',
      '--url',
      demo.url,
      '--unary',
      '--model',
      'tone-transcriber-offline',
      '--file',
      WAV,
      '--compare',
      'stream',
      '--compare',
      `openai:${demo.openaiUrl}`,
      '--rate',
      '5',
      '--duration',
      '1',
      '--windows',
      '1',
      '--no-metrics',
      '--json',
    ])
    expect(r.errors).toEqual([])
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as {
      runs: Array<{
        label: string
        transport: string
        url: string
        model: string
        input: string
        rate: number
        outcomes: Record<string, number>
      }>
    }
    expect(report.runs.map((run) => [run.label, run.transport, run.rate])).toEqual([
      ['gRPC unary', 'gRPC unary', 5],
      ['gRPC stream', 'gRPC stream', 5],
      ['OpenAI HTTP', 'OpenAI HTTP', 5],
    ])
    const [, , openai] = report.runs
    expect(openai.url).toBe(demo.openaiUrl)
    expect(openai.model).toBe('tone-transcriber-offline')
    expect(new Set(report.runs.map((run) => run.input)).size).toBe(1)
    for (const run of report.runs) {
      expect(run.outcomes).toEqual({
        success: 5,
        'server-error': 0,
        'decode-error': 0,
        timeout: 0,
        cancelled: 0,
      })
    }
    // The OpenAI service runs the same transcriber here: every request reached it.
    expect(served(demo, 'tone-transcriber-offline') - before).toBe(18n)
    expect(r.stderr).toContain('OpenAI HTTP: http://')
  })

  it('falls back to bytes with one note per endpoint when the server refuses client shared memory', async () => {
    const strict = await startDemoEndpoint({
      port: 0,
      httpPort: 0,
      metricsPort: null,
      allowClientShm: false,
    })
    try {
      const r = await cli([
        'bench',
        '--url',
        strict.httpUrl as string,
        '--shared-memory',
        'system',
        '--model',
        'tone-transcriber-offline',
        '--compare',
        `grpc://${strict.url}`,
        '--rate',
        '4',
        '--duration',
        '0.5',
        '--windows',
        '1',
        '--json',
      ])
      expect(r.errors).toEqual([])
      expect(r.code).toBe(0)
      const notes = r.stderr.split('\n').filter((l) => l.includes('shared memory is off'))
      expect(notes).toHaveLength(2)
      for (const note of notes) {
        expect(note).toMatch(
          /^bench: note: \S+: shared memory is off for this session, tensors travel as bytes over (HTTP|gRPC stream): .*start Triton with --allow-client-shm=true/,
        )
      }
      const report = JSON.parse(r.stdout) as {
        runs: Array<{ label: string; transport: string; summary: { successes: number } }>
      }
      expect(report.runs.map((run) => [run.label, run.transport, run.summary.successes])).toEqual([
        ['HTTP, shm refused', 'HTTP', 2],
        ['gRPC stream, shm refused', 'gRPC stream', 2],
      ])
    } finally {
      await strict.close()
    }
  })
})

describe('a load the endpoint cannot sustain', () => {
  let slow: GatedEndpoint

  beforeAll(async () => {
    // The model answers the CLI's warm-up, then holds its one instance until the test ends:
    // every request of the run waits past its deadline, however the machine's timers run.
    slow = await startGatedEndpoint('tone-transcriber-offline', 1)
  })

  afterAll(() => slow.close())

  it('warns with both rates, counts every request that missed its deadline and exits 1', async () => {
    const r = await cli([
      'bench',
      '--url',
      slow.demo.url,
      '--model',
      'tone-transcriber-offline',
      '--rate',
      '100',
      '--duration',
      '0.5',
      '--timeout',
      '400',
      '--json',
    ])
    expect(r.code).toBe(1)
    const report = JSON.parse(r.stdout) as {
      runs: Array<{
        summary: { requests: number; successes: number; failures: number }
        failuresByCause: Record<string, number>
        answeredRate: number
      }>
      warnings: string[]
    }
    const [run] = report.runs
    expect(run.summary).toMatchObject({ requests: 50, successes: 0, failures: 50 })
    expect(run.failuresByCause).toEqual({ 'deadline exceeded': 50 })
    expect(run.answeredRate).toBe(0)
    // The warm-up, then the first request of the run, held until the end.
    expect(slow.gate.arrived).toBe(2)
    // A busy machine may add its own warning (sends that went out late) before these.
    const answered = report.warnings.filter((w) => w.includes('but the endpoint answered'))
    expect(answered).toEqual([
      'tone-transcriber-offline: asked for 100.00 req/s but the endpoint answered 0.00 req/s (0%): more load than it sustains here, so requests queued and the latencies include that wait; lower the rate, or find the limit with a concurrency sweep',
    ])
    expect(report.warnings.at(-1)).toBe(
      'tone-transcriber-offline: 50 of 50 requests failed (deadline exceeded 50); none succeeded, so there is no latency to report',
    )
    // The same warnings reach a person on stderr, and the last line says what failed.
    expect(r.stderr).toContain(`bench: warning: ${answered[0]}`)
    expect(r.errors.at(-1)).toBe(
      `triton-live: 50 of 50 requests to tone-transcriber-offline @ grpc://${slow.demo.url} failed`,
    )
    expect(r.stderr).not.toMatch(/MaxListenersExceededWarning|Warning:/)
  })
})

describe('telling an endpoint from a model name', () => {
  it('takes host:port, URLs and bracketed IPv6 for endpoints and anything else for a model', () => {
    expect(looksLikeEndpoint('localhost:8001')).toBe(true)
    expect(looksLikeEndpoint('10.0.0.5:8001')).toBe(true)
    expect(looksLikeEndpoint('grpcs://triton.example.com')).toBe(true)
    expect(looksLikeEndpoint('[::1]:8001')).toBe(true)
    expect(looksLikeEndpoint('dns:///triton:8001')).toBe(true)
    expect(looksLikeEndpoint('color-box-detector-e2e')).toBe(false)
    expect(looksLikeEndpoint('whisper_large_v3')).toBe(false)
  })
})
