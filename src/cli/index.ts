import { logVerbosity, setLogVerbosity } from '@grpc/grpc-js'
import packageJson from '../../package.json'
import { CliUsageError, describeError as describe } from './cli-error'
import { CONNECTION_HELP } from './connection-flags'
import { terminalText, type Output } from './output'

interface CommandModule {
  help: string
  run(argv: string[], output: Output): Promise<number>
}

interface Command {
  summary: string
  /** Whether it talks to Triton, so its help lists the connection flags too. */
  connects: boolean
  /**
   * The command's module, loaded when it runs or shows its help: each brings only its own
   * dependencies, so `--version`, `--help` and a quick `health` start fast.
   */
  load(): Promise<CommandModule>
}

/** Every command, in the order `--help` lists them; the one place a command is registered. */
const COMMANDS: Readonly<Record<string, Command>> = {
  demo: {
    summary: 'run the bundled samples through the demo endpoint (or --url), end to end',
    connects: true,
    load: async () => {
      const m = await import('./commands/demo-command')
      return { help: m.DEMO_HELP, run: m.demoCommand }
    },
  },
  'demo-endpoint': {
    summary: 'serve the built-in demo endpoint on loopback',
    connects: false,
    load: async () => {
      const m = await import('./commands/demo-endpoint-command')
      return {
        help: m.DEMO_ENDPOINT_HELP,
        run: (argv, output) => m.demoEndpointCommand(argv, output.write),
      }
    },
  },
  health: {
    summary: 'is the server live and ready; name, version, extensions',
    connects: true,
    load: async () => {
      const m = await import('./commands/health-command')
      return {
        help: m.HEALTH_HELP,
        run: (argv, output) => m.healthCommand(argv, output.write, output.json),
      }
    },
  },
  doctor: {
    summary: 'check a connection rung by rung: name, TCP, TLS, HTTP/2, gRPC, metrics, models',
    connects: true,
    load: async () => {
      const m = await import('./commands/doctor-command')
      return {
        help: m.DOCTOR_HELP,
        run: (argv, output) => m.doctorCommand(argv, output.write, output.json),
      }
    },
  },
  models: {
    summary: 'the repository: one line per model with version, state, detected kind and preset',
    connects: true,
    load: async () => {
      const m = await import('./commands/models-command')
      return {
        help: m.MODELS_HELP,
        run: (argv, output) => m.modelsCommand(argv, output.write, output.json),
      }
    },
  },
  stream: {
    summary: 'stream a file to a model; print transcripts or detections and a latency summary',
    connects: true,
    load: async () => {
      const m = await import('./commands/stream-command')
      return { help: m.STREAM_HELP, run: m.streamCommand }
    },
  },
  infer: {
    summary: 'send one request to any model (inputs as JSON, text or a file); print every response',
    connects: true,
    load: async () => {
      const m = await import('./commands/infer-command')
      return { help: m.INFER_HELP, run: m.inferCommand }
    },
  },
  bench: {
    summary: 'load-test a model (rate or concurrency), optionally against a second one',
    connects: true,
    load: async () => {
      const m = await import('./commands/bench-command')
      return { help: m.BENCH_HELP, run: m.benchCommand }
    },
  },
}

/** Every command's name, from the registry above (tests walk it to check each one's --help). */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS)

export const VERSION = `triton-live ${packageJson.version}`

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length))
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`)
  return `triton-live: stream audio and video to NVIDIA Triton and watch what it answers.

usage: triton-live <command> [flags]    (triton-live <command> --help for its flags)

commands:
${lines.join('\n')}

  --version       print the version

${CONNECTION_HELP}`
}

function commandHelp(c: Command, help: string): string {
  return c.connects ? `${help}\n\n${CONNECTION_HELP}` : help
}

/** One line that names the cause and what to do, pointing at the command's own help. */
export function describeError(e: unknown, command?: string): string {
  const help =
    command && command in COMMANDS ? `triton-live ${command} --help` : 'triton-live --help'
  return describe(e, help)
}

/**
 * A reader that goes away (`stream --json | head`) closes our stdout: that ends the command
 * quietly, as it does for any Unix tool, instead of an unhandled EPIPE with a stack trace.
 */
function endQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e
      process.exit(0)
    })
  }
}

/**
 * grpc-js logs some failures itself ("E No address added out of total 1 resolved") before we
 * report them in our own words; a user who asks for its logs with GRPC_VERBOSITY or GRPC_TRACE
 * still gets them. grpc-js reads those variables once, when it loads, which is before this (the
 * error types import it), so the level is set through its API.
 */
function quietGrpcLogs(): void {
  const env = process.env
  if (env.GRPC_VERBOSITY || env.GRPC_NODE_VERBOSITY || env.GRPC_TRACE || env.GRPC_NODE_TRACE) return
  setLogVerbosity(logVerbosity.NONE)
}

const wantsHelp = (argv: readonly string[]): boolean =>
  argv.includes('--help') || argv.includes('-h')

/** Runs one command line and returns its exit code, leaving the process's environment and handlers as they were. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  const output: Output = {
    json: rest.includes('--json'),
    verbose: rest.includes('--verbose'),
    tty: Boolean(process.stdout.isTTY),
    write: (line) => process.stdout.write(terminalText(line) + '\n'),
  }
  try {
    if (command === undefined || command === 'help' || wantsHelp([command])) {
      output.write(overview())
      return command === undefined ? 2 : 0
    }
    if (command === '--version' || command === '-V' || command === 'version') {
      output.write(VERSION)
      return 0
    }
    const chosen = COMMANDS[command]
    if (!chosen) throw new CliUsageError(`unknown command '${command}'`)
    const module = await chosen.load()
    if (wantsHelp(rest)) {
      output.write(commandHelp(chosen, module.help))
      return 0
    }
    return await module.run(rest, output)
  } catch (e) {
    process.stderr.write(`triton-live: ${describeError(e, command)}\n`)
    return e instanceof CliUsageError ||
      (e instanceof Error && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      ? 2
      : 1
  }
}

/**
 * The program `triton-live` (bin/triton-live.js): the process is the command's own, so this is
 * where it takes over the pipes and grpc-js's logging and sets the exit code. main() leaves both
 * alone, so a caller in its own process (a test) keeps its environment and its pipes.
 */
export function runProgram(argv: string[]): void {
  endQuietlyOnClosedPipe()
  quietGrpcLogs()
  main(argv).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`triton-live: ${describeError(e)}\n`)
      process.exit(1)
    },
  )
}

if (require.main === module) runProgram(process.argv.slice(2))
