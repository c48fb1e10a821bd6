import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import packageJson from '../../package.json'
import { COMMAND_NAMES, main } from '../../src/cli/index'
import { startDemoEndpoint, type DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'
import { cliArgs, killWithTest, ROOT, spawnCli } from '../fixtures/built-app'

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/**
 * What a child needs of this environment and nothing more: no GRPC_* or TRITON_* setting that
 * the test run happens to carry can change what the CLI prints.
 */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { PATH, HOME, FFMPEG_BIN, FFPROBE_BIN } = process.env
  const env: NodeJS.ProcessEnv = { PATH, HOME, FFMPEG_BIN, FFPROBE_BIN, NO_COLOR: '1', ...extra }
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key]
  return env
}

function collect(child: ChildProcess): Promise<Run> {
  return new Promise((resolve) => {
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const quoted = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`

/** The shell words that run the built `triton-live` (bin/triton-live.js) with `args`. */
const cli = (...args: string[]): string =>
  [process.execPath, ...cliArgs(args)].map(quoted).join(' ')

/** Runs a shell line (so a real `| head` closes the pipe), from the repository root. */
function sh(line: string): Promise<Run> {
  // Its own process group, so a hung line goes with its test, commands and all.
  const child = spawn('bash', ['-c', line], { cwd: ROOT, env: cleanEnv(), detached: true })
  killWithTest(child, { group: true })
  return collect(child)
}

/** Runs the built CLI directly in a child process. */
const run = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> =>
  collect(spawnCli(args, { env: cleanEnv(env) }))

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
  // First: main() must not take over this worker's pipes or environment, even once.
  it("runs in a caller's process without changing its environment or its pipes", async () => {
    const env = { ...process.env }
    const handlers = (): number[] =>
      [process.stdout, process.stderr].map((s) => s.listenerCount('error'))
    const before = handlers()
    expect((await inProcess(['--version'])).stdout).toBe(`triton-live ${packageJson.version}\n`)
    expect(process.env).toEqual(env)
    expect(handlers()).toEqual(before)
  })

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

  it('prints its version with --version, from the installed bin/triton-live.js too', async () => {
    const r = await sh(`${cli('--version')} && ${cli('stream', '--help')} | head -1`)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      `triton-live ${packageJson.version}`,
      expect.stringMatching(/^triton-live stream --url U --model M --file F/),
    ])
  })
})

// Each of these runs the built CLI as a user would, in a child process.
describe('the command line as a child process', () => {
  it('ends quietly with exit 0 when the reader of stream --json goes away (| head -1)', async () => {
    const stream = cli(
      'stream',
      '--url',
      demo.url,
      '--model',
      'color-box-detector-e2e',
      '--file',
      'resources/samples/boxes.mp4',
      '--json',
    )
    const r = await sh(`${stream} | head -1; echo "exit=\${PIPESTATUS[0]}" >&2`)
    const first = JSON.parse(r.stdout.trim()) as { kind: string }
    expect(r.stdout.trim().split('\n')).toHaveLength(1)
    expect(first.kind).toBeTypeOf('string')
    expect(r.stderr).toBe('exit=0\n')
    expect(r.stderr).not.toMatch(/EPIPE|at .*\.[jt]s:\d+|Error:/)
  })

  const heldPort = (): number => (held.address() as AddressInfo).port
  const portInUse = (): string[] => [
    'demo-endpoint',
    '--port',
    String(heldPort()),
    '--http-port',
    'off',
    '--metrics-port',
    'off',
  ]

  it('says in one line that a port is in use, naming the flag to change, with no grpc-js log', async () => {
    const r = await run(portInUse())
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).not.toMatch(GRPC_LOG)
    expect(r.stderr.trim().split('\n')).toEqual([
      `triton-live: cannot serve gRPC on 127.0.0.1:${heldPort()}: the port is already in use (another demo endpoint, or a Triton?) (stop what holds it, or choose another port with --port; 0 picks a free one)`,
    ])
  })

  it("leaves grpc-js's own log on for that failure when GRPC_VERBOSITY asks for it", async () => {
    // The case above is one where grpc-js logs: its silence there is the CLI's doing.
    const r = await run(portInUse(), { GRPC_VERBOSITY: 'ERROR' })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(GRPC_LOG)
    expect(r.stderr).toMatch(/^E No address added out of total 1 resolved$/m)
    expect(r.stderr).toMatch(/^triton-live: cannot serve gRPC on .*: the port is already in use/m)
  })

  it('says in one line that the server cannot be reached', async () => {
    const r = await run(['infer', '--url', '127.0.0.1:1', '--model', 'm', '--input', 'x=1'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(
      /^triton-live: cannot reach Triton at 127\.0\.0\.1:1: connection refused/,
    )
  })
})
