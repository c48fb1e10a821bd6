import { status, type ServiceError } from '@grpc/grpc-js'
import { MESSAGE_MAX_CHARS, safeLine } from '../../shared/safe-text'
import type { CredentialName } from '../../shared/credential-exposure'
import { redactSecrets } from './secret-redaction'
import { explainTlsFailure, reduceTlsText, type TlsContext } from './tls-failure'

/** Why a call failed, in words a user can act on: `message` names the cause, `hint` what to do. */
export type TritonErrorKind =
  | 'unreachable'
  | 'tls'
  | 'timeout'
  | 'auth'
  | 'not-found'
  | 'invalid-argument'
  | 'unsupported'
  | 'model-error'
  | 'cancelled'
  | 'too-large'
  | 'internal'

export class TritonError extends Error {
  readonly kind: TritonErrorKind
  readonly hint: string
  readonly grpcCode?: number
  constructor(kind: TritonErrorKind, message: string, hint: string, grpcCode?: number) {
    // One clean line whatever went into it: server text is data, and no secret is repeated.
    super(safeLine(redactSecrets(message), 2 * MESSAGE_MAX_CHARS))
    this.name = 'TritonError'
    this.kind = kind
    this.hint = safeLine(redactSecrets(hint), MESSAGE_MAX_CHARS)
    this.grpcCode = grpcCode
  }
  /** One line for a terminal or a banner. */
  toUserString(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message
  }
}

function isServiceError(e: unknown): e is ServiceError {
  return typeof e === 'object' && e !== null && 'code' in e && 'details' in e
}

/** grpc-js wraps socket errors in a long sentence; keep the part a person can act on. */
export function connectionCause(details: string): string {
  if (/ECONNREFUSED/.test(details)) return 'connection refused'
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo|Name resolution failed/i.test(details))
    return 'host name not found'
  if (/ETIMEDOUT|timed out/i.test(details)) return 'connection timed out'
  if (/EHOSTUNREACH|ENETUNREACH/.test(details)) return 'host unreachable'
  if (/ECONNRESET|socket hang up/i.test(details)) return 'connection reset by the server'
  // grpc-js's words for an HTTP/1.1 answer to its HTTP/2 greeting.
  if (/Protocol error/i.test(details))
    return "the port does not speak HTTP/2, so not gRPC (Triton's HTTP port 8000 or metrics port 8002?)"

  return (
    details
      .replace(/Resolution note:.*$/s, '')
      .replace(/^No connection established\.\s*Last error:\s*(Error:\s*)?/, '')
      .trim() || 'connection failed'
  )
}

/** What the server said, as one capped line without control characters or secrets. */
function serverText(details: string): string {
  return safeLine(redactSecrets(details), MESSAGE_MAX_CHARS)
}

function tlsCause(details: string): string {
  return /SSL routines:/.test(details) ? reduceTlsText(details) : connectionCause(details)
}

const TLS_PATTERN = /ssl|tls|certificate|handshake|self.signed|CERT_|unable to verify|alert/i

/** What the client sent with its calls, so a refusal can say whether a credential was missing or wrong. */
export interface SentCredentials {
  /** The credential sent with every call; undefined when none was. */
  credential?: CredentialName
}

const CREDENTIAL_FLAG: Record<CredentialName, string> = {
  'the token': '--token',
  'the API key': '--api-key',
  'a credential header': '--header',
}

/**
 * A server (or the proxy before it) that refused a call for its credentials: a missing one
 * and a wrong one are different mistakes with different fixes. `sent` undefined: not known.
 */
export function authFailure(
  target: string,
  operation: string,
  details: string,
  sent: SentCredentials | undefined,
  grpcCode?: number,
): TritonError {
  const why = details ? `: ${details}` : ''
  if (sent && !sent.credential) {
    return new TritonError(
      'auth',
      `${target} refused ${operation} without credentials${why}`,
      'it requires a credential: pass the token with --token, or --api-key or --header for another scheme',
      grpcCode,
    )
  }
  if (sent?.credential) {
    const flag = CREDENTIAL_FLAG[sent.credential]
    return new TritonError(
      'auth',
      `${target} refused ${sent.credential} on ${operation}${why}`,
      `check ${sent.credential} (${flag}): it may be wrong, expired or meant for another server`,
      grpcCode,
    )
  }
  return new TritonError(
    'auth',
    `${target} refused ${operation}${why}`,
    'check the token (--token), API key (--api-key) or auth header configured for this endpoint',
    grpcCode,
  )
}

/**
 * Translates a grpc-js failure into a TritonError for the given endpoint and operation; `tls`
 * says how the client dialled, so TLS failures can name the side at fault, and `sent` what
 * credential it sent, so an auth failure can say whether it was missing or wrong.
 */
export function toTritonError(
  error: unknown,
  target: string,
  operation: string,
  tls?: TlsContext,
  sent?: SentCredentials,
): TritonError {
  if (error instanceof TritonError) return error
  if (!isServiceError(error)) {
    const message = error instanceof Error ? error.message : String(error)
    return new TritonError('internal', `${operation} failed: ${message}`, '')
  }
  const raw = (error.details || error.message || '').trim()
  const details = serverText(raw)
  // grpc-js reports a non-gRPC HTTP answer (a proxy, an ingress without a route) by its status.
  const http = /Received HTTP status code (\d+)/.exec(raw)
  if (http) {
    return new TritonError(
      'unreachable',
      `${target} answered HTTP ${http[1]} instead of gRPC to ${operation}: a proxy or ingress is in the way and does not route Triton's gRPC service here`,
      'check the URL and port, the route for gRPC, and --authority (the host the proxy routes on); `triton-live doctor --url U` shows each step',
      error.code,
    )
  }
  switch (error.code) {
    case status.UNAVAILABLE: {
      const known = explainTlsFailure(raw, target, tls ?? { tls: true, clientCertificate: false })
      if (known) return new TritonError('tls', known.message, known.hint, error.code)
      if (TLS_PATTERN.test(raw)) {
        return new TritonError(
          'tls',
          `TLS handshake with ${target} failed: ${serverText(tlsCause(raw))}`,
          'check the CA certificate, client certificate and key, or use grpc:// if the server does not use TLS',
          error.code,
        )
      }
      return new TritonError(
        'unreachable',
        `cannot reach Triton at ${target}: ${serverText(connectionCause(raw))}`,
        'check that the server is running and the host and gRPC port (default 8001) are right',
        error.code,
      )
    }
    case status.DEADLINE_EXCEEDED:
      return new TritonError(
        'timeout',
        `${operation} on ${target} got no answer in time`,
        'the server or the link is slow or down; raise the timeout or check the connection',
        error.code,
      )
    case status.UNAUTHENTICATED:
    case status.PERMISSION_DENIED:
      return authFailure(target, operation, details, sent, error.code)
    case status.NOT_FOUND:
      return new TritonError(
        'not-found',
        `${operation}: ${details}`,
        'list the models with `triton-live models` and check the name and version',
        error.code,
      )
    case status.INVALID_ARGUMENT:
      return new TritonError(
        'invalid-argument',
        `${operation} rejected: ${details}`,
        'check the input names, shapes and datatypes against the model metadata, or fix the model profile',
        error.code,
      )
    case status.UNIMPLEMENTED:
      return new TritonError(
        'unsupported',
        `${target} does not support ${operation}: ${details}`,
        'this server lacks the extension; the rest of the app still works',
        error.code,
      )
    case status.RESOURCE_EXHAUSTED:
      return new TritonError(
        'too-large',
        `${operation}: ${details}`,
        'raise the maximum message size for this endpoint',
        error.code,
      )
    case status.CANCELLED:
      return new TritonError('cancelled', `${operation} was cancelled`, '', error.code)
    default:
      return new TritonError(
        'internal',
        `${operation} on ${target} failed: ${details || status[error.code]}`,
        '',
        error.code,
      )
  }
}
