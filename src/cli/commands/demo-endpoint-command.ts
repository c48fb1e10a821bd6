import { parseArgs } from 'node:util'
import { startDemoEndpoint } from '../../main/demo-endpoint/demo-server'
import { CliUsageError } from '../cli-error'

export const DEMO_ENDPOINT_HELP = `triton-live demo-endpoint [--host H] [--port N] [--http-port N] [--metrics-port M] [--openai-port N] [--allow-client-shm true|false] [--sequence-log F]
  Serves the built-in demo endpoint with small deterministic models: KServe v2 over gRPC
  (default 127.0.0.1:8001) and over HTTP/REST (--http-port, default 8000 as in Triton; 'off'
  turns it off), Triton's Prometheus page at http://H:M/metrics (default 8002), and with
  --openai-port an OpenAI-compatible POST /v1/audio/transcriptions for the transcriber.
  System shared memory works over gRPC and HTTP unless --allow-client-shm false. 0 picks a
  free port. --sequence-log appends one JSON line per completed sequence (samples and text)
  to F, for counting at the server what a client sent. Runs until Ctrl+C.`

function port(name: string, v: string | undefined, fallback: number | null): number | null {
  if (v === undefined) return fallback
  if (v === 'off') return null
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliUsageError(`${name} must be a port number or 'off', got '${v}'`)
  return n
}

function flag(name: string, v: string | undefined): boolean {
  if (v === undefined || v === 'true') return true
  if (v === 'false') return false
  throw new CliUsageError(`${name} must be true or false, got '${v}'`)
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
      'http-port': { type: 'string' },
      'metrics-port': { type: 'string' },
      'sequence-log': { type: 'string' },
      'openai-port': { type: 'string' },
      'allow-client-shm': { type: 'string' },
    },
    strict: true,
  })
  const demo = await startDemoEndpoint({
    host: values.host ?? '127.0.0.1',
    port: port('--port', values.port, 8001) ?? 8001,
    httpPort: port('--http-port', values['http-port'], 8000),
    metricsPort: port('--metrics-port', values['metrics-port'], 8002),
    sequenceLog: values['sequence-log'],
    openaiPort: port('--openai-port', values['openai-port'], null),
    allowClientShm: flag('--allow-client-shm', values['allow-client-shm']),
  })
  out(`demo endpoint listening on ${demo.url} (gRPC)`)
  if (demo.httpUrl) out(`KServe v2 HTTP at ${demo.httpUrl}`)
  if (demo.metricsUrl) out(`metrics at ${demo.metricsUrl}`)
  if (demo.openaiUrl)
    out(`OpenAI-compatible transcriptions at ${demo.openaiUrl}/v1/audio/transcriptions`)
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
