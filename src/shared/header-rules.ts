import { MAX_HEADER_VALUE_CHARS, MAX_NAME_CHARS } from './limits'

/**
 * What a request header (gRPC metadata) may hold. HTTP/2 wants lowercase token names and
 * gRPC allows only [0-9a-z_.-] in them; a text value is printable ASCII (RFC 9110 field-value
 * without obs-text, which grpc-js refuses). A token with a CR/LF could smuggle a second
 * header, so it is refused where it is entered. Problems never quote the value: it is
 * usually a secret.
 */

const NAME = /^[0-9a-z_.-]+$/
// Set by the gRPC library or the transport itself; a user value would clash or be ignored.
const RESERVED = new Set(['content-type', 'te', 'user-agent', 'host', 'connection'])
// Connection-specific headers HTTP/2 forbids (RFC 9113, 8.2.2): no request could carry them.
const HOP_BY_HOP = new Set([
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
])

export function headerNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a header name is empty'
  if (name.length > MAX_NAME_CHARS)
    return `a header name is longer than ${MAX_NAME_CHARS} characters`
  const lower = name.toLowerCase()
  if (!NAME.test(lower)) {
    return `header name '${lower.replace(/[^0-9a-z_.-]/g, '?')}' may hold only letters, digits, '-', '_' and '.'`
  }
  if (lower.startsWith('grpc-') || RESERVED.has(lower)) {
    return `header '${lower}' is set by gRPC itself and cannot be given`
  }
  if (HOP_BY_HOP.has(lower)) {
    return `header '${lower}' belongs to one HTTP/1 connection and cannot be sent over HTTP/2`
  }
  if (lower.endsWith('-bin'))
    return `header '${lower}' is a binary header; only text headers can be given`
  return undefined
}

function describeCharacter(code: number): string {
  if (code === 0x0a || code === 0x0d) return 'a line break'
  if (code < 0x20 || code === 0x7f) return 'a control character'
  return 'not printable ASCII'
}

/** `what` names the value in the message ("the token", "header 'x-key'"), never the value itself. */
export function headerValueProblem(value: string, what: string): string | undefined {
  if (value.length > MAX_HEADER_VALUE_CHARS)
    return `${what} is longer than ${MAX_HEADER_VALUE_CHARS} characters`
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code < 0x20 || code > 0x7e) {
      return `${what} holds ${describeCharacter(code)} at character ${i + 1}; it must be one line of printable ASCII (paste it again without it)`
    }
  }
  if (value !== value.trim()) return `${what} starts or ends with a space`
  return undefined
}
