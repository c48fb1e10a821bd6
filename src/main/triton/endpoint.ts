/** Parses what a user types as a Triton address into what grpc-js needs. */
export interface ParsedEndpoint {
  /** host:port as grpc-js wants it (IPv6 in brackets). */
  target: string
  host: string
  port: number
  tls: boolean
}

export const DEFAULT_GRPC_PORT = 8001

export class EndpointError extends Error {
  readonly hint: string
  constructor(message: string, hint: string) {
    super(message)
    this.name = 'EndpointError'
    this.hint = hint
  }
}

const EXAMPLES = 'use host:port, grpc://host:port or grpcs://host:port (for example 127.0.0.1:8001)'

export function parseEndpoint(input: string): ParsedEndpoint {
  const raw = input.trim()
  if (!raw) throw new EndpointError('no Triton URL given', EXAMPLES)
  let tls = false
  let rest = raw
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)
  if (scheme) {
    const s = scheme[1].toLowerCase()
    if (s === 'grpcs' || s === 'https') tls = true
    else if (s !== 'grpc' && s !== 'http') {
      throw new EndpointError(`unsupported scheme '${s}://' in '${raw}'`, EXAMPLES)
    }
    rest = raw.slice(scheme[0].length)
  }
  rest = rest.replace(/\/+$/, '')
  if (rest.includes('/')) {
    throw new EndpointError(`'${raw}' has a path; a gRPC endpoint is only host and port`, EXAMPLES)
  }
  let host: string
  let portText: string | undefined
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d+))?$/i.exec(rest)
  if (v6) {
    host = v6[1]
    portText = v6[2]
  } else {
    const parts = rest.split(':')
    if (parts.length > 2) {
      throw new EndpointError(
        `'${raw}' is not a valid address`,
        'write IPv6 addresses in brackets, like [::1]:8001',
      )
    }
    host = parts[0]
    portText = parts[1]
  }
  if (!host || !/^[a-z0-9.\-_:]+$/i.test(host)) {
    throw new EndpointError(`'${raw}' has no valid host name`, EXAMPLES)
  }
  let port = DEFAULT_GRPC_PORT
  if (portText !== undefined) {
    port = Number(portText)
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new EndpointError(`port '${portText}' in '${raw}' is not between 1 and 65535`, EXAMPLES)
    }
  }
  const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
  return { target, host, port, tls }
}
