import { request as httpRequest } from 'node:http'
import { isIP, isIPv4, type Socket } from 'node:net'
import { Duplex } from 'node:stream'
import { connect as tlsConnect, type ConnectionOptions as TlsSocketOptions } from 'node:tls'
import type { ParsedEndpoint } from '../../shared/endpoint-url'

/**
 * The HTTP CONNECT proxy a gRPC channel to `endpoint` goes through, read from the environment
 * by grpc-js's rules (its http_proxy.ts), so the stream goes the way the unary calls go:
 * grpc_proxy, else https_proxy, else http_proxy, an http:// URL (port 80 by default, user and
 * password for Basic auth); none for a host that ends with an entry of no_grpc_proxy (else
 * no_proxy), or an IPv4 address inside one of its CIDR ranges. Loopback is no exception.
 */
export interface HttpProxy {
  /** host:port of the proxy. */
  address: string
  host: string
  port: number
  /** user:password, for Proxy-Authorization: Basic. */
  credentials?: string
}

export function proxyFor(
  endpoint: Pick<ParsedEndpoint, 'host'>,
  env: NodeJS.ProcessEnv = process.env,
): HttpProxy | undefined {
  const value = env.grpc_proxy || env.https_proxy || env.http_proxy
  if (!value) return undefined
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:') return undefined
  if (matchesNoProxy(endpoint.host, env)) return undefined
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const port = Number(url.port || 80)
  const credentials = url.username
    ? decoded(url.password ? `${url.username}:${url.password}` : url.username)
    : undefined
  return { address: `${url.hostname}:${port}`, host, port, ...(credentials ? { credentials } : {}) }
}

/** Percent-decoded user:password; as typed when it is not valid percent-encoding. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

function matchesNoProxy(host: string, env: NodeJS.ProcessEnv): boolean {
  const list = env.no_grpc_proxy || env.no_proxy
  if (!list) return false
  return list.split(',').some((entry) => {
    const cidr = parseCidr(entry)
    if (cidr && isIPv4(host)) {
      const mask = cidr.bits === 0 ? 0 : -1 << (32 - cidr.bits)
      return (ipv4(host) & mask) === (cidr.ip & mask)
    }
    return host.endsWith(entry)
  })
}

function parseCidr(entry: string): { ip: number; bits: number } | undefined {
  const [ip, bits, ...rest] = entry.split('/')
  const n = Number.parseInt(bits ?? '', 10)
  if (rest.length > 0 || !isIPv4(ip) || Number.isNaN(n) || n < 0 || n > 32) return undefined
  return { ip: ipv4(ip), bits: n }
}

const ipv4 = (ip: string): number =>
  ip.split('.').reduce((acc, octet) => (acc << 8) + Number(octet), 0)

/**
 * A socket to `endpoint` through `proxy`: CONNECT to the target, then TLS over the tunnel when
 * `tls` is given (ALPN h2, the server name as node:http2 would send it). Rejects with an Error
 * that names the proxy and what went wrong.
 */
export function tunnel(
  proxy: HttpProxy,
  endpoint: Pick<ParsedEndpoint, 'host' | 'port'>,
  tls: TlsSocketOptions | undefined,
): Promise<Duplex> {
  const target = `${isIP(endpoint.host) === 6 ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`
  return new Promise<Socket>((resolve, reject) => {
    const req = httpRequest({
      host: proxy.host,
      port: proxy.port,
      method: 'CONNECT',
      path: target,
      headers: {
        Host: target,
        ...(proxy.credentials
          ? { 'Proxy-Authorization': `Basic ${Buffer.from(proxy.credentials).toString('base64')}` }
          : {}),
      },
    })
    req.once('connect', (res, socket, head) => {
      req.removeAllListeners()
      if (res.statusCode !== 200) {
        socket.destroy()
        return reject(
          new Error(`proxy ${proxy.address} answered ${res.statusCode} to CONNECT ${target}`),
        )
      }
      // Bytes of the server's that came with the proxy's answer belong to the connection.
      if (head.length > 0) socket.unshift(head)
      resolve(socket)
    })
    req.once('error', (e) => reject(new Error(`proxy ${proxy.address}: ${e.message}`)))
    req.end()
  }).then((socket) => {
    if (!tls) return socket
    return new Promise<Duplex>((resolve, reject) => {
      const secure = tlsConnect({
        ...tls,
        socket,
        // The name the certificate is checked against: the server's, never the proxy's (which
        // Node would take from the tunnel's socket when neither servername nor host is given).
        host: endpoint.host,
        ALPNProtocols: ['h2'],
        servername: tls.servername ?? (isIP(endpoint.host) ? undefined : endpoint.host),
      })
      secure.once('secureConnect', () => {
        secure.off('error', reject)
        if (secure.alpnProtocol === 'h2') return resolve(secure)
        secure.destroy()
        reject(new Error(`${target} did not agree to HTTP/2 (ALPN h2) through the proxy`))
      })
      secure.once('error', reject)
    })
  })
}

/**
 * What node:http2 gets at once as its connection (connect's createConnection cannot wait):
 * bytes written before `socket` settles are held (one write at a time, as Writable calls), then
 * everything passes through both ways; a failed `socket` destroys this with its error.
 */
export class PendingSocket extends Duplex {
  private socket: Duplex | undefined
  private held: { chunk: Buffer; done: (e?: Error | null) => void } | undefined
  private heldFinal: ((e?: Error | null) => void) | undefined

  constructor(socket: Promise<Duplex>) {
    super()
    socket.then(
      (s) => this.attach(s),
      (e: Error) => this.destroy(e),
    )
  }

  private attach(s: Duplex): void {
    if (this.destroyed) return void s.destroy()
    this.socket = s
    s.on('data', (d: Buffer) => {
      if (!this.push(d)) s.pause()
    })
    s.on('end', () => this.push(null))
    s.on('error', (e) => this.destroy(e))
    s.on('close', () => this.destroy())
    const held = this.held
    this.held = undefined
    if (held) s.write(held.chunk, held.done)
    const final = this.heldFinal
    this.heldFinal = undefined
    if (final) s.end(final)
  }

  override _read(): void {
    this.socket?.resume()
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (e?: Error | null) => void,
  ): void {
    if (this.socket) this.socket.write(chunk, done)
    else this.held = { chunk, done }
  }

  override _final(done: (e?: Error | null) => void): void {
    if (this.socket) this.socket.end(done)
    else this.heldFinal = done
  }

  override _destroy(error: Error | null, done: (e?: Error | null) => void): void {
    this.socket?.destroy()
    done(error)
  }
}
