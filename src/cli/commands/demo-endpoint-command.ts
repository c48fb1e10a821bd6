import { parseArgs } from 'node:util'
import { startDemoEndpoint } from '../../main/demo-endpoint/demo-server'
import { CliUsageError } from '../cli-error'

export const DEMO_ENDPOINT_HELP = `triton-live demo-endpoint [--host H] [--port N] [--metrics-port M] [--sequence-log F]
  Serves the built-in demo endpoint: a KServe v2 gRPC server (default 127.0.0.1:8001) with
  small deterministic models, and Triton's Prometheus page at http://H:M/metrics (default 8002).
  --sequence-log appends one JSON line per completed sequence (samples and text) to F, for
  counting at the server what a client sent. Runs until Ctrl+C.`

function port(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliUsageError(`${name} must be a port number, got '${v}'`)
  return n
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
      'sequence-log': { type: 'string' },
    },
    strict: true,
  })
  const demo = await startDemoEndpoint({
    host: values.host ?? '127.0.0.1',
    port: port('--port', values.port, 8001),
    metricsPort: port('--metrics-port', values['metrics-port'], 8002),
    sequenceLog: values['sequence-log'],
  })
  out(`demo endpoint listening on ${demo.url} (gRPC)`)
  out(`metrics at ${demo.metricsUrl}`)
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
