import { headerNameProblem, headerValueProblem } from '../shared/header-rules'
import type { TransportChoice } from '../main/transport/create-transport'
import type { ConnectionOptions } from '../main/triton/connection-options'
import { credentialName, plaintextCredentialWarning } from '../shared/credential-exposure'
import { SHARED_MEMORY_MODES, type SharedMemoryMode } from '../shared/transport-choice'
import { CliUsageError } from './cli-error'

/** Flags shared by every command that talks to Triton; each has an environment twin. */
export const CONNECTION_FLAGS = {
  url: { type: 'string' },
  tls: { type: 'boolean' },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  insecure: { type: 'boolean' },
  'server-name': { type: 'string' },
  token: { type: 'string' },
  'api-key': { type: 'string' },
  header: { type: 'string', multiple: true },
  timeout: { type: 'string' },
  'max-message-mb': { type: 'string' },
  'keepalive-ms': { type: 'string' },
  authority: { type: 'string' },
} as const

/** Flags of the commands that run inference (stream, bench, infer): how requests travel. */
export const TRANSPORT_FLAGS = {
  'shared-memory': { type: 'string' },
  unary: { type: 'boolean' },
  streaming: { type: 'boolean' },
} as const

export const CONNECTION_HELP = `connection (flag, or environment variable):
  --url U              Triton address; the scheme picks the protocol: host:port, grpc://host:port,
                       grpcs://host:port (gRPC, default port 8001), http://host:port, https://host
                       (KServe v2 HTTP/REST, default port 8000; https on 443 behind a proxy) (TRITON_URL)
  --tls                use TLS even without grpcs:// (TRITON_TLS=1)
  --ca FILE            CA certificate (PEM) that signed the server's certificate (TRITON_CA)
  --cert FILE --key FILE  client certificate and key for mutual TLS (TRITON_CERT, TRITON_KEY)
  --insecure           do not verify the server certificate; only for testing (TRITON_INSECURE=1)
  --server-name NAME   the name expected on the server certificate, when it differs from the host
                       dialled (TLS server name override) (TRITON_SERVER_NAME)
  --token T            sends 'authorization: Bearer T' (TRITON_TOKEN)
  --api-key K          sends 'x-api-key: K' (TRITON_API_KEY)
  --header 'k: v'      any other request header; repeatable (TRITON_HEADERS='k: v; k2: v2')
  --timeout MS         deadline for unary calls, default 10000 (TRITON_TIMEOUT_MS)
  --max-message-mb N   largest gRPC message, default 64 (TRITON_MAX_MESSAGE_MB)
  --keepalive-ms MS    HTTP/2 ping interval during calls, default 330000; 0 turns it off (TRITON_KEEPALIVE_MS)
  --authority HOST     the :authority (Host) of every call, for an ingress or mesh that routes by host (TRITON_AUTHORITY)`

export const TRANSPORT_HELP = `transport (stream, bench and infer; the URL's scheme picks gRPC or HTTP):
  --streaming | --unary  gRPC: requests on one bidirectional stream (a session's, or each bench
                       worker's; the default), or one call per request (TRITON_UNARY=1). HTTP
                       is one request per call, so --streaming with http(s):// is refused
  --shared-memory M    system: tensors in /dev/shm regions, over gRPC or HTTP, when Triton runs
                       on this host (Triton 26.04+ needs --allow-client-shm=true; a server that
                       refuses them gets bytes, with one note saying why); none (default)
                       (TRITON_SHARED_MEMORY)`

export interface ConnectionFlagValues {
  url?: string
  tls?: boolean
  ca?: string
  cert?: string
  key?: string
  insecure?: boolean
  'server-name'?: string
  token?: string
  'api-key'?: string
  header?: string[]
  timeout?: string
  'max-message-mb'?: string
  'keepalive-ms'?: string
  'shared-memory'?: string
  unary?: boolean
  streaming?: boolean
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

/** Headers as 'name: value'; a problem names the header by its position, never its value. */
function parseHeaders(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  list.forEach((h, n) => {
    const i = h.indexOf(':')
    if (i <= 0) throw new CliUsageError(`header ${n + 1} must look like 'name: value'`)
    const name = h.slice(0, i).trim()
    const problem =
      headerNameProblem(name) ?? headerValueProblem(h.slice(i + 1).trim(), `header '${name}'`)
    if (problem) throw new CliUsageError(problem)
    out[name] = h.slice(i + 1).trim()
  })
  return out
}

/** A credential is refused where it is entered, by a message that does not repeat it. */
function credential(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const problem = headerValueProblem(value, `the value of ${flag}`)
  if (problem) throw new CliUsageError(problem)
  return value
}

const TLS_FLAGS = ['--tls', '--ca', '--cert', '--key', '--insecure', '--server-name'] as const

/** grpc:// says plaintext; a TLS flag beside it is a contradiction, not a hint to switch TLS on. */
function checkNoTlsFlagsOnPlaintext(url: string, given: readonly boolean[]): void {
  const scheme = /^(grpc|http):\/\//i.exec(url.trim())
  if (!scheme) return
  const flags = TLS_FLAGS.filter((_, i) => given[i])
  if (flags.length === 0) return
  const rest = url.trim().slice(scheme[0].length)
  throw new CliUsageError(
    `${flags.join(', ')} ${flags.length === 1 ? 'applies' : 'apply'} only to TLS, but ${scheme[1]}:// is plaintext: ` +
      `use grpcs://${rest} to connect with TLS, or drop ${flags.length === 1 ? 'it' : 'them'}`,
  )
}

/**
 * Connection options from flags and their environment twins. `warn` gets one line when a
 * credential would travel without TLS to another machine.
 */
export function connectionFromFlags(
  flags: ConnectionFlagValues,
  env: NodeJS.ProcessEnv = process.env,
  defaultUrl?: string,
  warn: (line: string) => void = (line) => process.stderr.write(`triton-live: warning: ${line}\n`),
): ConnectionOptions {
  const url = flags.url ?? env.TRITON_URL ?? defaultUrl
  if (!url) throw new CliUsageError('no Triton URL: pass --url host:port or set TRITON_URL')
  const ca = flags.ca ?? env.TRITON_CA
  const cert = flags.cert ?? env.TRITON_CERT
  const key = flags.key ?? env.TRITON_KEY
  const insecure = flags.insecure ?? truthy(env.TRITON_INSECURE)
  const wantTls = flags.tls ?? truthy(env.TRITON_TLS)
  const serverName = flags['server-name'] ?? env.TRITON_SERVER_NAME
  checkNoTlsFlagsOnPlaintext(url, [wantTls, !!ca, !!cert, !!key, insecure, !!serverName])
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
    ca || cert || key || insecure || serverName
      ? { caFile: ca, certFile: cert, keyFile: key, insecureSkipVerify: insecure, serverName }
      : undefined
  const options: ConnectionOptions = {
    url,
    tls: tlsDetails ?? (wantTls ? true : undefined),
    bearerToken: credential('--token', flags.token ?? env.TRITON_TOKEN),
    apiKey: credential('--api-key', flags['api-key'] ?? env.TRITON_API_KEY),
    headers: parseHeaders([...envHeaders, ...(flags.header ?? [])]),
    timeoutMs: timeout,
    maxMessageBytes: maxMb ? Math.round(maxMb * 1024 * 1024) : undefined,
    keepaliveMs: keepalive(flags['keepalive-ms'] ?? env.TRITON_KEEPALIVE_MS),
    authority: flags.authority ?? (env.TRITON_AUTHORITY || undefined),
  }
  const warning = plaintextCredentialWarning(
    options.url,
    Boolean(options.tls),
    credentialName(options),
  )
  if (warning) warn(warning)
  return options
}

function isSharedMemoryMode(v: string): v is SharedMemoryMode {
  return (SHARED_MEMORY_MODES as readonly string[]).includes(v)
}

/** How requests travel, from --streaming/--unary and --shared-memory (perf_analyzer's names). */
export function transportFromFlags(
  flags: ConnectionFlagValues,
  env: NodeJS.ProcessEnv = process.env,
): TransportChoice {
  if (flags.unary && flags.streaming) {
    throw new CliUsageError('--unary and --streaming exclude each other; give one')
  }
  const mode = flags.unary
    ? 'unary'
    : flags.streaming
      ? 'stream'
      : truthy(env.TRITON_UNARY)
        ? 'unary'
        : undefined
  const shm = flags['shared-memory'] ?? env.TRITON_SHARED_MEMORY ?? 'none'
  if (shm === 'cuda') {
    throw new CliUsageError(
      '--shared-memory cuda needs CUDA IPC handles, which this client cannot make; use system or none',
    )
  }
  if (!isSharedMemoryMode(shm)) {
    throw new CliUsageError(
      `--shared-memory must be ${SHARED_MEMORY_MODES.join(' or ')}, got '${shm}'`,
    )
  }
  return { ...(mode ? { mode } : {}), sharedMemory: shm }
}
