import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import {
  ListenError,
  startDemoEndpoint,
  type DemoEndpointOptions,
} from '../../main/demo-endpoint/demo-server'
import { headerValueProblem } from '../../shared/header-rules'
import { CliUsageError } from '../cli-error'
export const DEMO_ENDPOINT_HELP = `triton-live demo-endpoint [--host H] [--port N] [--http-port N] [--metrics-port M] [--openai-port N]
                         [--allow-client-shm true|false] [--sequence-log F] [--delay-ms D]
                         [--tls-cert FILE --tls-key FILE [--tls-ca FILE]] [--token T]
  Serves the built-in demo endpoint with small deterministic models: KServe v2 over gRPC
  (default 127.0.0.1:8001) and over HTTP/REST (--http-port, default 8000 as in Triton; 'off'
  turns it off), Triton's Prometheus page at http://H:M/metrics (default 8002), and with
  --openai-port an OpenAI-compatible POST /v1/audio/transcriptions for the transcriber.
  System shared memory works over gRPC and HTTP unless --allow-client-shm false. 0 picks a
  free port. --tls-cert and --tls-key serve over TLS (grpcs://, https://); --tls-ca also
  requires a client certificate signed by that CA (mutual TLS). --token (or
  TRITON_DEMO_TOKEN) refuses every call without 'authorization: Bearer T', as an auth proxy
  would. --sequence-log appends one JSON line per completed sequence (samples and text) to F,
  for counting at the server what a client sent. --delay-ms D makes every request hold its
  model's one instance D ms longer, so each model serves at most 1000/D requests per second:
  a slow model with a known limit, to see what a client (or \`triton-live bench\`) does when it
  is overloaded. Runs until Ctrl+C.`

async function pem(flag: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (e) {
    throw new CliUsageError(
      `cannot read ${flag} '${path}' (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    )
  }
}

/** TLS for the demo endpoint from its flags: certificate and key together, a CA for mTLS. */
async function tlsFromFlags(values: {
  'tls-cert'?: string
  'tls-key'?: string
  'tls-ca'?: string
}): Promise<DemoEndpointOptions['tls']> {
  const { 'tls-cert': cert, 'tls-key': key, 'tls-ca': ca } = values
  if (!cert && !key && !ca) return undefined
  if (!cert || !key) {
    throw new CliUsageError(
      '--tls-cert and --tls-key go together: the server certificate and its key',
    )
  }
  return {
    cert: await pem('--tls-cert', cert),
    key: await pem('--tls-key', key),
    clientCa: ca ? await pem('--tls-ca', ca) : undefined,
  }
}

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

function delay(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0)
    throw new CliUsageError(`--delay-ms must be 0 or a positive number of milliseconds, got '${v}'`)
  return n
}

const PORT_FLAGS: Record<string, string> = {
  gRPC: '--port',
  metrics: '--metrics-port',
  'KServe HTTP': '--http-port',
  'the OpenAI API': '--openai-port',
}

/** A port in use gets one line that names the flag to change. */
function listenFailure(e: ListenError): Error {
  const flag = PORT_FLAGS[e.service] ?? '--port'
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
      'http-port': { type: 'string' },
      'metrics-port': { type: 'string' },
      'sequence-log': { type: 'string' },
      'openai-port': { type: 'string' },
      'allow-client-shm': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-ca': { type: 'string' },
      token: { type: 'string' },
      'delay-ms': { type: 'string' },
    },
    strict: true,
  })
  const token = values.token ?? process.env.TRITON_DEMO_TOKEN
  const tokenProblem = token ? headerValueProblem(token, 'the value of --token') : undefined
  if (tokenProblem) throw new CliUsageError(tokenProblem)
  const tls = await tlsFromFlags(values)
  let demo
  try {
    demo = await startDemoEndpoint({
      host: values.host ?? '127.0.0.1',
      port: port('--port', values.port, 8001) ?? 8001,
      httpPort: port('--http-port', values['http-port'], 8000),
      metricsPort: port('--metrics-port', values['metrics-port'], 8002),
      sequenceLog: values['sequence-log'],
      openaiPort: port('--openai-port', values['openai-port'], null),
      allowClientShm: flag('--allow-client-shm', values['allow-client-shm']),
      tls,
      bearerToken: token || undefined,
      delayMs: delay(values['delay-ms']),
    })
  } catch (e) {
    if (e instanceof ListenError) throw listenFailure(e)
    // grpc-js refuses a certificate that does not match its key only when binding.
    if (tls) throw new CliUsageError(`cannot serve TLS: ${(e as Error).message}`)
    throw e
  }
  out(
    `demo endpoint listening on ${demo.url} (gRPC${tls ? (tls.clientCa ? ', mutual TLS' : ', TLS') : ''}${token ? ', bearer token required' : ''})`,
  )
  if (demo.httpUrl) out(`KServe v2 HTTP at ${demo.httpUrl}`)
  if (demo.metricsUrl) out(`metrics at ${demo.metricsUrl}`)
  if (demo.openaiUrl)
    out(`OpenAI-compatible transcriptions at ${demo.openaiUrl}/v1/audio/transcriptions`)
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
