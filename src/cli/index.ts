import * as grpc from '@grpc/grpc-js'
import packageJson from '../../package.json'
import { CliUsageError, describeError as describe } from './cli-error'
import { BENCH_HELP, benchCommand } from './commands/bench-command'
import { DEMO_HELP, demoCommand } from './commands/demo-command'
import { DEMO_ENDPOINT_HELP, demoEndpointCommand } from './commands/demo-endpoint-command'
import { DOCTOR_HELP, doctorCommand } from './commands/doctor-command'
import { HEALTH_HELP, healthCommand } from './commands/health-command'
import { INFER_HELP, inferCommand } from './commands/infer-command'
import { MODELS_HELP, modelsCommand } from './commands/models-command'
import { STREAM_HELP, streamCommand } from './commands/stream-command'
import { CONNECTION_HELP } from './connection-flags'
import { terminalText, type Output } from './output'

interface Command {
  summary: string
  help: string
  /** Whether it talks to Triton, so its help lists the connection flags too. */
  connects: boolean
  run(argv: string[], output: Output): Promise<number>
}

/** Every command, in the order `--help` lists them; the one place a command is registered. */
const COMMANDS: Readonly<Record<string, Command>> = {
  demo: {
    summary: 'run the bundled samples through the demo endpoint (or --url), end to end',
    help: DEMO_HELP,
    connects: true,
    run: demoCommand,
  },
  'demo-endpoint': {
    summary: 'serve the built-in demo endpoint on loopback',
    help: DEMO_ENDPOINT_HELP,
    connects: false,
    run: (argv, output) => demoEndpointCommand(argv, output.write),
  },
  health: {
    summary: 'is the server live and ready; name, version, extensions',
    help: HEALTH_HELP,
    connects: true,
    run: (argv, output) => healthCommand(argv, output.write, output.json),
  },
  doctor: {
    summary: 'check a connection rung by rung: name, TCP, TLS, HTTP/2, gRPC, metrics, models',
    help: DOCTOR_HELP,
    connects: true,
    run: (argv, output) => doctorCommand(argv, output.write, output.json),
  },
  models: {
    summary: 'the repository: one line per model with version, state, detected kind and preset',
    help: MODELS_HELP,
    connects: true,
    run: (argv, output) => modelsCommand(argv, output.write, output.json),
  },
  stream: {
    summary: 'stream a file to a model; print transcripts or detections and a latency summary',
    help: STREAM_HELP,
    connects: true,
    run: streamCommand,
  },
  infer: {
    summary: 'send one request to any model (inputs as JSON, text or a file); print every response',
    help: INFER_HELP,
    connects: true,
    run: inferCommand,
  },
  bench: {
    summary: 'load-test a model (rate or concurrency), optionally against a second one',
    help: BENCH_HELP,
    connects: true,
    run: benchCommand,
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

function commandHelp(c: Command): string {
  return c.connects ? `${c.help}\n\n${CONNECTION_HELP}` : c.help
}

/** One line that names the cause and what to do, pointing at the command's own help. */
export function describeError(e: unknown, command?: string): string {
  const help =
    command && command in COMMANDS ? `triton-live ${command} --help` : 'triton-live --help'
  return describe(e, help)
}

let pipesGuarded = false

/**
 * A reader that goes away (`stream --json | head`) closes our stdout: that ends the command
 * quietly, as it does for any Unix tool, instead of an unhandled EPIPE with a stack trace.
 */
function endQuietlyOnClosedPipe(): void {
  if (pipesGuarded) return
  pipesGuarded = true
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
 * still gets them.
 */
function quietGrpcLogs(): void {
  if (process.env.GRPC_VERBOSITY || process.env.GRPC_TRACE) return
  grpc.setLogVerbosity(grpc.logVerbosity.NONE)
}

const wantsHelp = (argv: readonly string[]): boolean =>
  argv.includes('--help') || argv.includes('-h')

export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedPipe()
  quietGrpcLogs()
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
    if (wantsHelp(rest)) {
      output.write(commandHelp(chosen))
      return 0
    }
    return await chosen.run(rest, output)
  } catch (e) {
    process.stderr.write(`triton-live: ${describeError(e, command)}\n`)
    return e instanceof CliUsageError ||
      (e instanceof Error && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      ? 2
      : 1
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`triton-live: ${describeError(e)}\n`)
      process.exit(1)
    },
  )
}
