import { readFileSync } from 'node:fs'
import {
  checkServerIdentity,
  type ConnectionOptions as TlsSocketOptions,
  type PeerCertificate,
} from 'node:tls'
import * as grpc from '@grpc/grpc-js'
import { headerNameProblem, headerValueProblem } from '../../shared/header-rules'
import { displayUrl, parseEndpoint, type ParsedEndpoint } from '../../shared/endpoint-url'
import {
  credentialName,
  isSecretHeader,
  type CredentialName,
} from '../../shared/credential-exposure'
import { registerSecret } from './secret-redaction'
import type { Http2ChannelSettings } from './grpc-http2-connection'
import { proxyFor } from './grpc-http2-proxy'
import { certificateNames, nameMismatchText, type TlsContext } from './tls-failure'
import { TritonError } from './triton-error'

export interface TlsOptions {
  /** PEM file with the CA that signed the server certificate; the system roots when absent. */
  caFile?: string
  /** Client certificate and key for mutual TLS. */
  certFile?: string
  keyFile?: string
  /** Skip server certificate verification. Only on explicit request. */
  insecureSkipVerify?: boolean
  /** Expected name on the server certificate when it differs from the host dialled. */
  serverName?: string
}

export interface ConnectionOptions {
  url: string
  /** Forces TLS even when the URL has no grpcs:// scheme. */
  tls?: TlsOptions | boolean
  /** Sent as `authorization: Bearer <token>`. */
  bearerToken?: string
  /** Sent as `x-api-key`. */
  apiKey?: string
  /** Any other request metadata. */
  headers?: Record<string, string>
  /** Deadline for unary calls. */
  timeoutMs?: number
  /** Largest message sent or received. */
  maxMessageBytes?: number
  /** HTTP/2 keepalive ping interval; 0 turns it off. */
  keepaliveMs?: number
  /** How long a keepalive ping may go unanswered before the link counts as dead. */
  keepaliveTimeoutMs?: number
  /** The :authority (Host) sent on every call, for proxies that route by host (ingress, Istio). */
  authority?: string
}

export const DEFAULT_TIMEOUT_MS = 10_000
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024
/**
 * Triton's gRPC server (gRPC core defaults) accepts a ping at most every 5 minutes while it sends
 * no data, and drops the connection after 2 early pings; so we ping no more often than that, and
 * only during calls. Dead links on live streams are caught by the stream's answer watchdog.
 */
export const DEFAULT_KEEPALIVE_MS = 330_000

/**
 * How soon a channel dials again after a failed attempt, for grpc-js's channels and the stream's
 * node:http2 connection alike. grpc-js waits up to 120 s by default: after an outage the app
 * would sit idle long after the server is back. Half a second at most keeps a session back
 * within a second of the server; sessions keep their own backoff for how long they wait and
 * when they give up.
 */
export const REDIAL_BACKOFF_MS = { initial: 250, max: 500 } as const
/**
 * The HTTP/2 receive window of each channel (stream and connection). Node's default of 64 KiB
 * makes the server stop every 64 KiB of a multi-megabyte answer (a raw YOLOv8 head is 2.8 MB)
 * until we acknowledge it; 16 MiB lets a frame's answer arrive in one go. No larger than the
 * largest message, so a channel for small messages holds no more than it must.
 */
export const MAX_FLOW_CONTROL_WINDOW = 16 * 1024 * 1024

export interface ResolvedConnection {
  endpoint: ParsedEndpoint
  credentials: grpc.ChannelCredentials
  channelOptions: grpc.ChannelOptions
  metadata: grpc.Metadata
  timeoutMs: number
  /** For display: the URL without secrets. */
  displayUrl: string
  /** How the client dials, so failures can name the side at fault. */
  tlsContext: TlsContext
  tlsOptions?: TlsOptions
  /** The credential every call carries, so a refusal can say whether it was missing or wrong. */
  sent: { credential?: CredentialName }
  /** The same channel for ModelStreamInfer, which runs on node:http2 (grpc-http2-connection.ts). */
  http2: Http2ChannelSettings
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path)
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? String(e)
    throw new TritonError(
      'tls',
      `cannot read the ${what} file '${path}' (${reason})`,
      `check the path of the ${what} in the endpoint settings`,
    )
  }
}

export interface TlsMaterial {
  ca: Buffer | null
  key: Buffer | null
  cert: Buffer | null
}

/** Reads the CA, client certificate and key once, with one error per unreadable file. */
export function readTlsMaterial(tls: TlsOptions | undefined): TlsMaterial {
  const opts = tls ?? {}
  if (Boolean(opts.certFile) !== Boolean(opts.keyFile)) {
    throw new TritonError(
      'tls',
      'mutual TLS needs both a client certificate and its key',
      'set both the certificate and key files, or neither',
    )
  }
  return {
    ca: opts.caFile ? readPem(opts.caFile, 'CA certificate') : null,
    key: opts.keyFile ? readPem(opts.keyFile, 'client key') : null,
    cert: opts.certFile ? readPem(opts.certFile, 'client certificate') : null,
  }
}

export function buildCredentials(
  endpoint: ParsedEndpoint,
  tls: TlsOptions | undefined,
  material?: TlsMaterial,
): grpc.ChannelCredentials {
  if (!endpoint.tls) return grpc.credentials.createInsecure()
  const opts = tls ?? {}
  const { ca, key, cert } = material ?? readTlsMaterial(tls)
  const verify: grpc.VerifyOptions = opts.insecureSkipVerify
    ? { rejectUnauthorized: false, checkServerIdentity: () => undefined }
    : { checkServerIdentity: identityCheckNamingBothNames }
  try {
    return grpc.credentials.createSsl(ca, key, cert, verify)
  } catch (e) {
    throw new TritonError(
      'tls',
      `the TLS files are not valid PEM: ${e instanceof Error ? e.message : String(e)}`,
      'check that the CA, certificate and key files are PEM encoded and that the key matches the certificate',
    )
  }
}

/**
 * The same TLS choices as `buildCredentials`, for a socket of our own (node:tls, undici, the
 * node:http2 stream): the CA or the system roots, the client identity, the expected name, and
 * verification unless it is turned off.
 */
export function tlsSocketOptions(
  tls: TlsOptions | undefined,
  material: TlsMaterial = readTlsMaterial(tls),
): TlsSocketOptions {
  const { ca, cert, key } = material
  return {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(tls?.serverName ? { servername: tls.serverName } : {}),
    rejectUnauthorized: !tls?.insecureSkipVerify,
    ...(tls?.insecureSkipVerify ? {} : { checkServerIdentity: identityCheckNamingBothNames }),
  }
}

/**
 * Node's own check, with an error that carries the certificate's names and the name expected,
 * so the user learns both (Node's text lists only the names of the kind dialled).
 */
export function identityCheckNamingBothNames(
  host: string,
  cert: PeerCertificate,
): Error | undefined {
  const error = checkServerIdentity(host, cert)
  if (!error) return undefined
  return Object.assign(new Error(nameMismatchText(certificateNames(cert), host)), {
    code: 'ERR_TLS_CERT_ALTNAME_INVALID',
  })
}

function refuse(problem: string): never {
  throw new TritonError('invalid-argument', problem, 'fix it in the endpoint settings or flags')
}

/**
 * The auth and custom headers every transport sends (gRPC metadata or HTTP headers alike), each
 * name and value checked against HTTP's rules first: grpc-js would otherwise refuse a bad value
 * with a message that quotes it, secret and all. Secrets are registered for redaction.
 */
export function connectionHeaders(options: ConnectionOptions): Record<string, string> {
  const out: Record<string, string> = {}
  const add = (key: string, value: string, what: string, secret: boolean): void => {
    const problem = headerNameProblem(key) ?? headerValueProblem(value, what)
    if (problem) refuse(problem)
    if (secret) registerSecret(value)
    out[key.toLowerCase()] = value
  }
  for (const [k, v] of Object.entries(options.headers ?? {})) {
    const key = k.trim()
    add(key, v, `header '${key.toLowerCase()}'`, isSecretHeader(key))
  }
  if (options.bearerToken) {
    const problem = headerValueProblem(options.bearerToken, 'the token')
    if (problem) refuse(problem)
    add('authorization', `Bearer ${options.bearerToken}`, 'the token', true)
    registerSecret(options.bearerToken)
  }
  if (options.apiKey) add('x-api-key', options.apiKey, 'the API key', true)
  return out
}

export function buildMetadata(options: ConnectionOptions): grpc.Metadata {
  return metadataOf(connectionHeaders(options))
}

function metadataOf(headers: Record<string, string>): grpc.Metadata {
  const md = new grpc.Metadata()
  for (const [k, v] of Object.entries(headers)) md.set(k, v)
  return md
}

/** The endpoint as the options give it: TLS forced on by `tls` even without a secure scheme. */
export function resolveEndpoint(options: ConnectionOptions): ParsedEndpoint {
  const parsed = parseEndpoint(options.url)
  return {
    ...parsed,
    tls: parsed.tls || options.tls === true || typeof options.tls === 'object',
  }
}

export function resolveConnection(options: ConnectionOptions): ResolvedConnection {
  const endpoint = resolveEndpoint(options)
  if (endpoint.protocol !== 'grpc') {
    throw new TritonError(
      'invalid-argument',
      `'${options.url}' is a KServe HTTP endpoint, and this needs gRPC`,
      "give the server's gRPC address instead (grpc://host:8001, Triton's default gRPC port)",
    )
  }
  const tlsOptions = typeof options.tls === 'object' ? options.tls : undefined
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  const keepalive = options.keepaliveMs ?? DEFAULT_KEEPALIVE_MS
  const keepaliveTimeout = options.keepaliveTimeoutMs ?? Math.min(20_000, keepalive)
  const window = Math.max(65_535, Math.min(maxBytes, MAX_FLOW_CONTROL_WINDOW))
  const material = endpoint.tls ? readTlsMaterial(tlsOptions) : undefined
  const headers = connectionHeaders(options)
  const channelOptions: grpc.ChannelOptions = {
    // grpc-js receives at most 4 MiB by default; a YOLOv8-seg answer is about 7 MB.
    'grpc.max_receive_message_length': maxBytes,
    'grpc.max_send_message_length': maxBytes,
    'grpc-node.flow_control_window': window,
    // (grpc-js adds 20 % jitter.)
    'grpc.initial_reconnect_backoff_ms': REDIAL_BACKOFF_MS.initial,
    'grpc.max_reconnect_backoff_ms': REDIAL_BACKOFF_MS.max,
    ...(keepalive > 0
      ? {
          'grpc.keepalive_time_ms': keepalive,
          'grpc.keepalive_timeout_ms': keepaliveTimeout,
          'grpc.keepalive_permit_without_calls': 0,
        }
      : {}),
    ...(tlsOptions?.serverName ? { 'grpc.ssl_target_name_override': tlsOptions.serverName } : {}),
    ...(options.authority ? { 'grpc.default_authority': options.authority } : {}),
  }
  return {
    endpoint,
    credentials: buildCredentials(endpoint, tlsOptions, material),
    channelOptions,
    metadata: metadataOf(headers),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    displayUrl: displayUrl(endpoint),
    tlsContext: {
      tls: endpoint.tls,
      clientCertificate: Boolean(tlsOptions?.certFile),
      serverName: tlsOptions?.serverName,
      protocol: 'grpc',
    },
    tlsOptions,
    sent: { credential: credentialName(options) },
    http2: {
      endpoint,
      tls: material && tlsSocketOptions(tlsOptions, material),
      authority: options.authority ?? endpoint.target,
      headers,
      maxMessageBytes: maxBytes,
      windowBytes: window,
      keepaliveMs: keepalive,
      keepaliveTimeoutMs: keepaliveTimeout,
      redialMs: REDIAL_BACKOFF_MS,
      proxy: proxyFor(endpoint),
    },
  }
}
