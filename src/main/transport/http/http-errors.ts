import {
  TritonError,
  authFailure,
  connectionCause,
  type SentCredentials,
} from '../../triton/triton-error'
import { explainTlsFailure, type TlsContext } from '../../triton/tls-failure'

const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|HOSTNAME|ALTNAME/i

function causeOf(e: unknown): { code: string; message: string } {
  const err = e as { code?: unknown; message?: unknown; cause?: unknown }
  const inner = err?.cause as { code?: unknown; message?: unknown } | undefined
  const code = String(inner?.code ?? err?.code ?? '')
  const message = String(inner?.message ?? err?.message ?? e)
  return { code, message }
}

/** A socket, DNS or TLS failure under an HTTP call, in the words the gRPC path uses. */
export function httpTransportError(
  e: unknown,
  target: string,
  operation: string,
  tls?: TlsContext,
): TritonError {
  if (e instanceof TritonError) return e
  const { code, message } = causeOf(e)
  if (tls?.tls) {
    // The same causes as gRPC's (untrusted CA, expired, name mismatch, client certificate).
    const known = explainTlsFailure(`${code} ${message}`, target, tls)
    if (known) return new TritonError('tls', known.message, known.hint)
  }
  if (TLS_CODE.test(code) || /certificate|handshake|ssl|tls/i.test(message)) {
    return new TritonError(
      'tls',
      `TLS handshake with ${target} failed: ${oneLine(message)}`,
      'check the CA certificate, client certificate and key, or use http:// if the server does not use TLS',
    )
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new TritonError(
      'timeout',
      `${operation} on ${target} got no answer in time`,
      'the server or the link is slow or down; raise the timeout or check the connection',
    )
  }
  // undici's words when a forward proxy refuses the tunnel: "Proxy response (403) !== 200 …".
  const refused = /Proxy response \((\d+)\)/.exec(message)
  if (refused) {
    return new TritonError(
      'unreachable',
      `cannot reach Triton at ${target}: the proxy answered ${refused[1]} to CONNECT`,
      'check http_proxy / https_proxy, or name this host in no_proxy to go direct',
    )
  }
  const cause =
    code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED'
      ? 'the server closed the connection'
      : connectionCause(`${code} ${message}`.trim())
  return new TritonError(
    'unreachable',
    `cannot reach Triton at ${target}: ${cause}`,
    'check that the server is running and the host and HTTP port (default 8000) are right',
  )
}

function oneLine(text: string, max = 200): string {
  const flat = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** Triton answers errors as {"error": "..."}; OpenAI-style servers as {"error": {"message": "..."}}. */
export function errorBodyText(body: Buffer): string {
  const text = body.toString('utf8')
  try {
    const parsed = JSON.parse(text) as { error?: unknown; detail?: unknown; message?: unknown }
    const err = parsed.error ?? parsed.detail ?? parsed.message
    if (typeof err === 'string') return oneLine(err)
    if (err && typeof err === 'object' && 'message' in err) {
      return oneLine(String((err as { message: unknown }).message))
    }
    if (err !== undefined) return oneLine(JSON.stringify(err))
  } catch {
    // Not JSON: a proxy's HTML page or plain text.
  }
  return oneLine(text)
}

/**
 * An HTTP error status as the same TritonError kind gRPC gives for the same failure. Triton maps
 * INTERNAL to 500, NOT_FOUND 404, UNAVAILABLE 503, UNSUPPORTED 501, everything else 400
 * (server/src/http_server.cc HttpCodeFromError); the rest come from proxies in front of it.
 */
export function httpStatusError(
  status: number,
  body: Buffer,
  target: string,
  operation: string,
  sent?: SentCredentials,
): TritonError {
  const detail = errorBodyText(body) || `HTTP ${status}`
  if (/decoupled/i.test(detail)) {
    return new TritonError(
      'unsupported',
      `${operation}: ${detail}`,
      'a decoupled model answers only over a gRPC stream; use a grpc:// URL for it',
    )
  }
  switch (status) {
    case 400:
      return new TritonError(
        'invalid-argument',
        `${operation} rejected: ${detail}`,
        'check the input names, shapes and datatypes against the model metadata, or fix the model profile',
      )
    case 401:
    case 403:
      return authFailure(target, `${operation} (HTTP ${status})`, detail, sent)
    case 404:
      return /model|version/i.test(detail)
        ? new TritonError(
            'not-found',
            `${operation}: ${detail}`,
            'list the models with `triton-live models` and check the name and version',
          )
        : new TritonError(
            'not-found',
            `${target} has no ${operation} endpoint (HTTP 404: ${detail})`,
            'check that the URL points at Triton’s HTTP port (default 8000) and any gateway path is right',
          )
    case 405:
    case 501:
      return new TritonError(
        'unsupported',
        `${target} does not support ${operation}: ${detail}`,
        'this server lacks the extension; the rest of the app still works',
      )
    case 408:
    case 504:
      return new TritonError(
        'timeout',
        `${operation} on ${target} got no answer in time (HTTP ${status})`,
        'the server or a proxy in front of it gave up; raise the timeout or check the server load',
      )
    case 413:
      return new TritonError(
        'too-large',
        `${operation}: the request is too large for ${target} (HTTP 413)`,
        'raise the server’s --http-max-input-size or the proxy’s body limit, or send smaller inputs',
      )
    case 429:
    case 502:
    case 503:
      return new TritonError(
        'unreachable',
        `${target} is not available for ${operation} (HTTP ${status}): ${detail}`,
        'the server is starting, overloaded or behind a failing gateway; try again shortly',
      )
    default:
      return new TritonError(
        'internal',
        `${operation} on ${target} failed (HTTP ${status}): ${detail}`,
        '',
      )
  }
}
