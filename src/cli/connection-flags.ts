import type { ConnectionOptions } from '../main/triton/connection-options'
import { CliUsageError } from './cli-error'

/** Flags shared by every command that talks to Triton; each has an environment twin. */
export const CONNECTION_FLAGS = {
  url: { type: 'string' },
  tls: { type: 'boolean' },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  insecure: { type: 'boolean' },
  token: { type: 'string' },
  'api-key': { type: 'string' },
  header: { type: 'string', multiple: true },
  timeout: { type: 'string' },
  'max-message-mb': { type: 'string' },
  'keepalive-ms': { type: 'string' },
  authority: { type: 'string' },
} as const

export const CONNECTION_HELP = `connection (flag, or environment variable):
  --url U              Triton gRPC address: host:port, grpc://host:port, grpcs://host:port (TRITON_URL)
  --tls                use TLS even without grpcs:// (TRITON_TLS=1)
  --ca FILE            CA certificate (PEM) that signed the server's certificate (TRITON_CA)
  --cert FILE --key FILE  client certificate and key for mutual TLS (TRITON_CERT, TRITON_KEY)
  --insecure           do not verify the server certificate; only for testing (TRITON_INSECURE=1)
  --token T            sends 'authorization: Bearer T' (TRITON_TOKEN)
  --api-key K          sends 'x-api-key: K' (TRITON_API_KEY)
  --header 'k: v'      any other request header; repeatable (TRITON_HEADERS='k: v; k2: v2')
  --timeout MS         deadline for unary calls, default 10000 (TRITON_TIMEOUT_MS)
  --max-message-mb N   largest gRPC message, default 64 (TRITON_MAX_MESSAGE_MB)
  --keepalive-ms MS    HTTP/2 ping interval during calls, default 330000; 0 turns it off (TRITON_KEEPALIVE_MS)
  --authority HOST     the :authority (Host) of every call, for an ingress or mesh that routes by host (TRITON_AUTHORITY)`

export interface ConnectionFlagValues {
  url?: string
  tls?: boolean
  ca?: string
  cert?: string
  key?: string
  insecure?: boolean
  token?: string
  'api-key'?: string
  header?: string[]
  timeout?: string
  'max-message-mb'?: string
  'keepalive-ms'?: string
  authority?: string
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v)
}

function positiveNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0)
    throw new CliUsageError(`${name} must be a positive number, got '${text}'`)
  return n
}

function keepalive(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0)
    throw new CliUsageError(
      `--keepalive-ms must be 0 or a whole number of milliseconds, got '${text}'`,
    )
  return n
}

function parseHeaders(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const h of list) {
    const i = h.indexOf(':')
    if (i <= 0) throw new CliUsageError(`header '${h}' must look like 'name: value'`)
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim()
  }
  return out
}

export function connectionFromFlags(
  flags: ConnectionFlagValues,
  env: NodeJS.ProcessEnv = process.env,
  defaultUrl?: string,
): ConnectionOptions {
  const url = flags.url ?? env.TRITON_URL ?? defaultUrl
  if (!url) throw new CliUsageError('no Triton URL: pass --url host:port or set TRITON_URL')
  const ca = flags.ca ?? env.TRITON_CA
  const cert = flags.cert ?? env.TRITON_CERT
  const key = flags.key ?? env.TRITON_KEY
  const insecure = flags.insecure ?? truthy(env.TRITON_INSECURE)
  const wantTls = flags.tls ?? truthy(env.TRITON_TLS)
  const envHeaders = (env.TRITON_HEADERS ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
  const timeout = positiveNumber('--timeout', flags.timeout ?? env.TRITON_TIMEOUT_MS)
  const maxMb = positiveNumber(
    '--max-message-mb',
    flags['max-message-mb'] ?? env.TRITON_MAX_MESSAGE_MB,
  )
  const tlsDetails =
    ca || cert || key || insecure
      ? { caFile: ca, certFile: cert, keyFile: key, insecureSkipVerify: insecure }
      : undefined
  return {
    url,
    tls: tlsDetails ?? (wantTls ? true : undefined),
    bearerToken: flags.token ?? env.TRITON_TOKEN,
    apiKey: flags['api-key'] ?? env.TRITON_API_KEY,
    headers: parseHeaders([...envHeaders, ...(flags.header ?? [])]),
    timeoutMs: timeout,
    maxMessageBytes: maxMb ? Math.round(maxMb * 1024 * 1024) : undefined,
    keepaliveMs: keepalive(flags['keepalive-ms'] ?? env.TRITON_KEEPALIVE_MS),
    authority: flags.authority ?? (env.TRITON_AUTHORITY || undefined),
  }
}
