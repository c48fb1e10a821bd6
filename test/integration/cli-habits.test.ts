import { spawn } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import packageJson from '../../package.json'
import { COMMAND_NAMES, main } from '../../src/cli/index'
import { startDemoEndpoint, type DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'

const root = join(__dirname, '../..')
const CLI = `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(join(root, 'src/cli/index.ts'))}`

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a shell line (so a real `| head` closes the pipe), from the repository root. */
function sh(line: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', line], {
      cwd: root,
      env: { ...process.env, TRITON_URL: '', GRPC_VERBOSITY: '', GRPC_TRACE: '' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/**
 * What grpc-js prints when it logs by itself: a severity letter, then the text
 * ("E No address added out of total 1 resolved"), with a timestamp and tracer under GRPC_TRACE.
 */
const GRPC_LOG = /(^|\n)[DIWE] \S/

/** Runs main() in this process and captures what it writes to stdout. */
async function inProcess(argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = ''
  const write = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk)
      return true
    })
  try {
    return { code: await main(argv), stdout }
  } finally {
    write.mockRestore()
  }
}

let demo: DemoEndpoint
let held: Server

beforeAll(async () => {
  demo = await startDemoEndpoint({ port: 0, metricsPort: null })
  held = createServer()
  await new Promise<void>((r) => held.listen(0, '127.0.0.1', r))
})

afterAll(async () => {
  await demo.close()
  await new Promise<void>((r) => held.close(() => r()))
})

describe('the command line behaves as a Unix tool', () => {
  it('answers --help on every command it registers, with its own usage line', async () => {
    expect(COMMAND_NAMES).toEqual(
      expect.arrayContaining([
        'demo',
        'demo-endpoint',
        'health',
        'doctor',
        'models',
        'stream',
        'infer',
        'bench',
      ]),
    )
    for (const name of COMMAND_NAMES) {
      for (const flag of ['--help', '-h']) {
        const r = await inProcess([name, flag])
        expect(r.code, `${name} ${flag}`).toBe(0)
        expect(r.stdout.startsWith(`triton-live ${name}`), `${name} ${flag}`).toBe(true)
        expect(r.stdout).not.toMatch(/Unknown option/i)
      }
    }
    const overview = await inProcess(['--help'])
    for (const name of COMMAND_NAMES) expect(overview.stdout).toContain(`\n  ${name} `)
  })

  it(
    'prints its version with --version, from the built-in binary path too',
    { timeout: 90_000 },
    async () => {
      expect((await inProcess(['--version'])).stdout).toBe(`triton-live ${packageJson.version}\n`)
      const r = await sh(`${CLI} --version && ${CLI} stream --help | head -1`)
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(r.stdout.split('\n').slice(0, 2)).toEqual([
        `triton-live ${packageJson.version}`,
        expect.stringMatching(/^triton-live stream --url U --model M --file F/),
      ])
    },
  )
})

// Each of these runs the CLI as a user would, from its sources in a child process: on a busy
// machine a cold start alone can take many seconds, so they get a generous bound.
describe('the command line as a child process', { timeout: 90_000 }, () => {
  it('ends quietly with exit 0 when the reader of stream --json goes away (| head -1)', async () => {
    const r = await sh(
      `${CLI} stream --url ${demo.url} --model color-box-detector-e2e --file resources/samples/boxes.mp4 --json | head -1; echo "exit=\${PIPESTATUS[0]}" >&2`,
    )
    const first = JSON.parse(r.stdout.trim()) as { kind: string }
    expect(r.stdout.trim().split('\n')).toHaveLength(1)
    expect(first.kind).toBeTypeOf('string')
    expect(r.stderr).toBe('exit=0\n')
    expect(r.stderr).not.toMatch(/EPIPE|at .*\.ts:\d+|Error:/)
  })

  it('says in one line that a port is in use, naming the flag to change, with no grpc-js log', async () => {
    const port = (held.address() as AddressInfo).port
    const r = await sh(`${CLI} demo-endpoint --port ${port} --http-port off --metrics-port off`)
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim().split('\n')).toEqual([
      `triton-live: cannot serve gRPC on 127.0.0.1:${port}: the port is already in use (another demo endpoint, or a Triton?) (stop what holds it, or choose another port with --port; 0 picks a free one)`,
    ])
    expect(r.stderr).not.toMatch(GRPC_LOG)
  })

  it('prints no grpc-js log line when the server cannot be reached', async () => {
    const r = await sh(`${CLI} infer --url 127.0.0.1:1 --model m --input x=1`)
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(
      /^triton-live: cannot reach Triton at 127\.0\.0\.1:1: connection refused/,
    )
    expect(r.stdout + r.stderr).not.toMatch(GRPC_LOG)
  })
})
