import { createRequire } from 'node:module'
import type { Dispatcher, FormData } from 'undici'
import {
  connectionHeaders,
  resolveEndpoint,
  tlsSocketOptions,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  type ConnectionOptions,
  type TlsOptions,
} from '../../triton/connection-options'
import { displayUrl, type ParsedEndpoint } from '../../../shared/endpoint-url'
import { credentialName } from '../../../shared/credential-exposure'
import { TritonError, type SentCredentials } from '../../triton/triton-error'
import { httpTransportError } from './http-errors'
import { explainProbeVerdict, type TlsContext } from '../../triton/tls-failure'
import { probeTls } from '../../triton/tls-probe'

type Undici = typeof import('undici')
let loaded: Undici | undefined

/** undici loads with the first HTTP connection, so a gRPC-only run (most CLI calls) skips it. */
function undici(): Undici {
  // createRequire works from the ESM test run and the CJS bundle alike (see ffmpeg-path.ts).
  loaded ??= createRequire(import.meta.url)('undici') as Undici
  return loaded
}

export interface HttpResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

export interface HttpCall {
  method: 'GET' | 'POST'
  /** Path after the endpoint's base path, starting with /v2 or /v1. */
  path: string
  headers?: Record<string, string>
  body?: Buffer | string | FormData
  /** What the call is, for messages: 'ModelInfer(yolo)'. */
  operation: string
  timeoutMs?: number
  signal?: AbortSignal
}

const usesProxyEnv = (env = process.env): boolean =>
  Boolean(env.http_proxy || env.HTTP_PROXY || env.https_proxy || env.HTTPS_PROXY)

/**
 * One HTTP/1.1 connection pool to a server (undici, which Node's fetch is built on), with the
 * same TLS files, auth headers and deadlines as the gRPC channel. Each call has one deadline for
 * the whole exchange; a cancelled or late call is aborted on the socket, never left running.
 */
export class HttpConnection {
  readonly endpoint: ParsedEndpoint
  readonly displayUrl: string
  readonly timeoutMs: number
  readonly maxResponseBytes: number
  private readonly origin: string
  private readonly headers: Record<string, string>
  private readonly pool: Dispatcher
  private readonly tlsContext: TlsContext
  private readonly tlsOptions: TlsOptions | undefined
  /** The credential every call carries, so a refusal can say whether it was missing or wrong. */
  readonly sent: SentCredentials

  constructor(options: ConnectionOptions) {
    this.endpoint = resolveEndpoint(options)
    this.displayUrl = displayUrl(this.endpoint)
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.maxResponseBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    // An ingress routes by Host as it routes gRPC by :authority: --authority means both.
    this.headers = {
      ...connectionHeaders(options),
      ...(options.authority ? { host: options.authority } : {}),
    }
    const tls = typeof options.tls === 'object' ? options.tls : undefined
    this.tlsOptions = tls
    this.tlsContext = {
      tls: this.endpoint.tls,
      clientCertificate: Boolean(tls?.certFile),
      serverName: tls?.serverName,
      protocol: 'http',
    }
    this.sent = { credential: credentialName(options) }
    this.origin = `${this.endpoint.tls ? 'https' : 'http'}://${this.endpoint.target}`
    const connect = this.endpoint.tls ? tlsSocketOptions(tls) : undefined
    const poolOptions = { maxResponseSize: this.maxResponseBytes, keepAliveTimeout: 30_000 }
    // A forward proxy from the environment, by curl's rules (http_proxy for http://,
    // https_proxy for https://, no_proxy), tunnelled with CONNECT; TLS to Triton inside it.
    this.pool = usesProxyEnv()
      ? new (undici().EnvHttpProxyAgent)({ ...poolOptions, connect, requestTls: connect })
      : new (undici().Pool)(this.origin, { ...poolOptions, connect })
  }

  async call(call: HttpCall): Promise<HttpResponse> {
    const timeoutMs = call.timeoutMs ?? this.timeoutMs
    const abort = new AbortController()
    let timedOut = false
    // No timer for an unlimited deadline: Node fires over-long timers at once.
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          timedOut = true
          abort.abort()
        }, timeoutMs)
      : undefined
    const onAbort = (): void => abort.abort()
    call.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const res = await this.pool.request({
        origin: this.origin,
        path: `${this.endpoint.basePath}${call.path}`,
        method: call.method,
        headers: { ...this.headers, ...call.headers },
        body: call.body,
        signal: abort.signal,
      })
      const body = Buffer.from(await res.body.arrayBuffer())
      return { status: res.statusCode, headers: res.headers, body }
    } catch (e) {
      if (timedOut) {
        throw new TritonError(
          'timeout',
          `${call.operation} on ${this.displayUrl} got no answer in ${timeoutMs} ms`,
          'the server or the link is slow or down; raise the timeout or check the connection',
        )
      }
      if (abort.signal.aborted) {
        throw new TritonError('cancelled', `${call.operation} was cancelled`, '')
      }
      if (e instanceof undici().errors.ResponseExceededMaxSizeError) {
        throw new TritonError(
          'too-large',
          `${call.operation}: the answer is larger than ${this.maxResponseBytes} bytes`,
          'raise the maximum message size for this endpoint',
        )
      }
      throw await this.explain(
        httpTransportError(e, this.displayUrl, call.operation, this.tlsContext),
      )
    } finally {
      clearTimeout(timer)
      call.signal?.removeEventListener('abort', onAbort)
    }
  }

  /**
   * A connection the server closed without a word gets one TLS handshake of our own, as on the
   * gRPC path: a plaintext client at a TLS port and a refused client certificate read alike to
   * undici, and differently to the user.
   */
  private async explain(error: TritonError): Promise<TritonError> {
    if (error.kind !== 'unreachable' || !CLOSED_SILENTLY.test(error.message)) return error
    const verdict = await probeTls(this.endpoint, this.tlsOptions, TLS_PROBE_MS)
    const known = explainProbeVerdict(verdict, this.displayUrl, this.tlsContext)
    return known ? new TritonError('tls', known.message, known.hint) : error
  }

  close(): void {
    void this.pool.close().catch(() => undefined)
  }
}

/** httpTransportError's words for a socket closed or reset by the server. */
const CLOSED_SILENTLY = /the server closed the connection|connection reset by the server/
const TLS_PROBE_MS = 2000
