import { parseArgs } from 'node:util'
import { ListenError, startDemoEndpoint } from '../../main/demo-endpoint/demo-server'
import { CliUsageError } from '../cli-error'

export const DEMO_ENDPOINT_HELP = `triton-live demo-endpoint [--host H] [--port N] [--metrics-port M] [--delay-ms D]
  Serves the built-in demo endpoint: a KServe v2 gRPC server (default 127.0.0.1:8001) with
  small deterministic models, and Triton's Prometheus page at http://H:M/metrics (default 8002).
  Runs until Ctrl+C.
  --delay-ms D    every request holds its model's one instance D ms longer, so each model
                  serves at most 1000/D requests per second: a slow model with a known limit,
                  to see what a client (or \`triton-live bench\`) does when it is overloaded`

function port(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliUsageError(`${name} must be a port number, got '${v}'`)
  return n
}

function delay(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0)
    throw new CliUsageError(`--delay-ms must be 0 or a positive number of milliseconds, got '${v}'`)
  return n
}

/** A port in use gets one line that names the flag to change. */
function listenFailure(e: ListenError): Error {
  const flag = e.service === 'gRPC' ? '--port' : '--metrics-port'
  const what = e.code === 'EADDRINUSE' ? 'stop what holds it, or' : 'or'
  return new Error(`${e.message} (${what} choose another port with ${flag}; 0 picks a free one)`)
}

export async function demoEndpointCommand(
  argv: string[],
  out: (line: string) => void,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'metrics-port': { type: 'string' },
      'delay-ms': { type: 'string' },
    },
    strict: true,
  })
  const demo = await startDemoEndpoint({
    host: values.host ?? '127.0.0.1',
    port: port('--port', values.port, 8001),
    metricsPort: port('--metrics-port', values['metrics-port'], 8002),
    delayMs: delay(values['delay-ms']),
  }).catch((e: unknown) => {
    throw e instanceof ListenError ? listenFailure(e) : e
  })
  out(`demo endpoint listening on ${demo.url} (gRPC)`)
  out(`metrics at ${demo.metricsUrl}`)
  if (values['delay-ms']) out(`every request takes ${values['delay-ms']} ms longer`)
  for (const { model } of demo.inference.list()) out(`  model ${model.name}`)
  out(
    `try: triton-live stream --url ${demo.url} --model tone-transcriber-streaming --file resources/samples/tone-text.wav`,
  )
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await demo.close()
  return 0
}
