import { CliUsageError, describeError } from './cli-error'
import { BENCH_HELP, benchCommand } from './commands/bench-command'
import { DEMO_HELP, demoCommand } from './commands/demo-command'
import { DEMO_ENDPOINT_HELP, demoEndpointCommand } from './commands/demo-endpoint-command'
import { DOCTOR_HELP, doctorCommand } from './commands/doctor-command'
import { healthCommand } from './commands/health-command'
import { MODELS_HELP, modelsCommand } from './commands/models-command'
import { STREAM_HELP, streamCommand } from './commands/stream-command'
import { CONNECTION_HELP } from './connection-flags'
import { terminalText, type Output } from './output'

const HELP = `triton-live: stream audio and video to NVIDIA Triton and watch what it answers.

commands:
  demo            run the bundled samples through the demo endpoint (or --url), end to end
  demo-endpoint   serve the built-in demo endpoint on loopback
  health          is the server live and ready; name, version, extensions
  doctor          check a connection rung by rung: name, TCP, TLS, HTTP/2, gRPC, metrics, models
  models          the repository: one line per model with version, state, detected kind and preset
  stream          stream a file to a model; print transcripts or detections and a latency summary
  bench           load-test a model (rate or concurrency), optionally against a second one

${DEMO_HELP}

${DEMO_ENDPOINT_HELP}

${DOCTOR_HELP}

${MODELS_HELP}

${STREAM_HELP}

${BENCH_HELP}

${CONNECTION_HELP}`

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  const output: Output = {
    json: rest.includes('--json'),
    tty: Boolean(process.stdout.isTTY),
    write: (line) => process.stdout.write(terminalText(line) + '\n'),
  }
  try {
    switch (command) {
      case 'demo':
        return await demoCommand(rest, output)
      case 'demo-endpoint':
        return await demoEndpointCommand(rest, output.write)
      case 'health':
        return await healthCommand(rest, output.write, output.json)
      case 'doctor':
        return await doctorCommand(rest, output.write, output.json)
      case 'models':
        return await modelsCommand(rest, output.write, output.json)
      case 'stream':
        return await streamCommand(rest, output)
      case 'bench':
        return await benchCommand(rest, output)
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        output.write(HELP)
        return command === undefined ? 2 : 0
      default:
        throw new CliUsageError(`unknown command '${command}'`)
    }
  } catch (e) {
    process.stderr.write(`triton-live: ${describeError(e)}\n`)
    return e instanceof CliUsageError ? 2 : 1
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
