/** Parses what a user types as a Triton address into what the gRPC and HTTP clients need. */
export type EndpointProtocol = 'grpc' | 'http'

export interface ParsedEndpoint {
  /** host:port (IPv6 in brackets), as grpc-js and undici want it. */
  target: string
  host: string
  port: number
  tls: boolean
  /** The scheme chooses it: grpc:// and grpcs:// (and a bare host:port) are gRPC, http:// and https:// KServe v2 REST. */
  protocol: EndpointProtocol
  /** HTTP only: a path prefix a gateway puts before /v2 ('' or '/triton'). */
  basePath: string
}

export const DEFAULT_GRPC_PORT = 8001
export const DEFAULT_HTTP_PORT = 8000
/** Triton serves no TLS on its HTTP port; https:// means a proxy in front, on the usual port. */
export const DEFAULT_HTTPS_PORT = 443

export class EndpointError extends Error {
  readonly hint: string
  constructor(message: string, hint: string) {
    super(message)
    this.name = 'EndpointError'
    this.hint = hint
  }
}

const EXAMPLES =
  'use host:port, grpc://host:port, grpcs://host:port, http://host:port or https://host (for example 127.0.0.1:8001 or http://127.0.0.1:8000)'

const SCHEMES: Record<string, { protocol: EndpointProtocol; tls: boolean; port: number }> = {
  grpc: { protocol: 'grpc', tls: false, port: DEFAULT_GRPC_PORT },
  grpcs: { protocol: 'grpc', tls: true, port: DEFAULT_GRPC_PORT },
  http: { protocol: 'http', tls: false, port: DEFAULT_HTTP_PORT },
  https: { protocol: 'http', tls: true, port: DEFAULT_HTTPS_PORT },
}

function splitPath(raw: string, rest: string, protocol: EndpointProtocol): [string, string] {
  const slash = rest.indexOf('/')
  if (slash < 0) return [rest, '']
  const path = rest.slice(slash).replace(/\/+$/, '')
  if (protocol === 'grpc' && path) {
    throw new EndpointError(`'${raw}' has a path; a gRPC endpoint is only host and port`, EXAMPLES)
  }
  if (/\/v2(\/|$)/.test(path) || !/^(\/[A-Za-z0-9._~-]+)*$/.test(path)) {
    throw new EndpointError(
      `'${raw}' has a path that is not a gateway prefix`,
      `give the server address without /v2/..., ${EXAMPLES}`,
    )
  }
  return [rest.slice(0, slash), path]
}

function splitHostPort(raw: string, rest: string): [string, string | undefined] {
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d+))?$/i.exec(rest)
  if (v6) return [v6[1], v6[2]]
  const parts = rest.split(':')
  if (parts.length > 2) {
    throw new EndpointError(
      `'${raw}' is not a valid address`,
      'write IPv6 addresses in brackets, like [::1]:8001',
    )
  }
  return [parts[0], parts[1]]
}

export function parseEndpoint(input: string): ParsedEndpoint {
  const raw = input.trim()
  if (!raw) throw new EndpointError('no Triton URL given', EXAMPLES)
  let scheme = SCHEMES.grpc
  let rest = raw
  const match = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)
  if (match) {
    const s = match[1].toLowerCase()
    const known = SCHEMES[s]
    if (!known) throw new EndpointError(`unsupported scheme '${s}://' in '${raw}'`, EXAMPLES)
    scheme = known
    rest = raw.slice(match[0].length)
  }
  const [address, basePath] = splitPath(raw, rest, scheme.protocol)
  const [host, portText] = splitHostPort(raw, address)
  if (!host || !/^[a-z0-9.\-_:]+$/i.test(host)) {
    throw new EndpointError(`'${raw}' has no valid host name`, EXAMPLES)
  }
  let port = scheme.port
  if (portText !== undefined) {
    port = Number(portText)
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new EndpointError(`port '${portText}' in '${raw}' is not between 1 and 65535`, EXAMPLES)
    }
  }
  const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
  return { target, host, port, tls: scheme.tls, protocol: scheme.protocol, basePath }
}

/** The URL without secrets, for messages and reports. */
export function displayUrl(endpoint: ParsedEndpoint): string {
  const scheme =
    endpoint.protocol === 'grpc'
      ? endpoint.tls
        ? 'grpcs'
        : 'grpc'
      : endpoint.tls
        ? 'https'
        : 'http'
  return `${scheme}://${endpoint.target}${endpoint.basePath}`
}
