import { lookup } from 'node:dns/promises'
import { isIP, Socket, connect as netConnect } from 'node:net'
import {
  checkServerIdentity,
  connect as tlsConnect,
  type PeerCertificate,
  type TLSSocket,
} from 'node:tls'

/**
 * The first three rungs of a connection, each on its own so a failure names its rung: the name
 * resolves, TCP connects, TLS completes with a certificate we can describe.
 */

export class ProbeError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message)
    this.name = 'ProbeError'
  }
}

export async function resolveName(host: string): Promise<string[]> {
  if (isIP(host)) return [host]
  try {
    const found = await lookup(host, { all: true })
    return found.map((a) => a.address)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e)
    throw new ProbeError(
      `'${host}' does not resolve (${code})`,
      'check the host name for typos, and the DNS or /etc/hosts of this machine',
    )
  }
}

function socketCause(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'ECONNREFUSED') return 'connection refused: nothing listens on that port'
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable'
  if (code === 'ECONNRESET') return 'connection reset by the server'
  return code ?? (e instanceof Error ? e.message : String(e))
}

/** Opens a TCP connection; the caller owns (and must destroy) the socket. */
export function connectTcp(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(
        new ProbeError(
          `no TCP answer from ${host}:${port} in ${timeoutMs} ms`,
          'a firewall may drop the packets; check the port and the network path',
        ),
      )
    }, timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      resolve(socket)
    })
    socket.once('error', (e) => {
      clearTimeout(timer)
      socket.destroy()
      reject(
        new ProbeError(
          `cannot connect to ${host}:${port}: ${socketCause(e)}`,
          'check that Triton runs and that the port is its gRPC port (default 8001)',
        ),
      )
    })
  })
}

export interface TlsProbeOptions {
  host: string
  port: number
  /** Name the certificate must carry; the host when absent. */
  serverName?: string
  ca?: Buffer
  cert?: Buffer
  key?: Buffer
  insecure?: boolean
  timeoutMs: number
}

export interface TlsFacts {
  socket: TLSSocket
  subject: string
  issuer: string
  validTo: string
  daysLeft: number
  /** The certificate is signed by a trusted CA (the given one or the system's). */
  trusted: boolean
  trustError?: string
  /** The certificate names the server name. */
  nameMatches: boolean
  /** The ALPN protocol the server chose: 'h2' for a gRPC server. */
  alpn: string | false
}

function dn(part: PeerCertificate['subject'] | undefined): string {
  if (!part) return '?'
  return Object.entries(part)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ')
}

/** Completes a TLS handshake without trusting it yet, so a bad certificate can be described. */
export function probeTls(o: TlsProbeOptions): Promise<TlsFacts> {
  const name = o.serverName ?? o.host
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: o.host,
      port: o.port,
      servername: isIP(name) ? undefined : name,
      ca: o.ca,
      cert: o.cert,
      key: o.key,
      ALPNProtocols: ['h2'],
      rejectUnauthorized: false,
    })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(
        new ProbeError(
          `no TLS handshake with ${o.host}:${o.port} in ${o.timeoutMs} ms`,
          'the port may not speak TLS: try grpc:// instead of grpcs://',
        ),
      )
    }, o.timeoutMs)
    socket.once('secureConnect', () => {
      clearTimeout(timer)
      const cert = socket.getPeerCertificate()
      const validTo = cert.valid_to ?? ''
      const left = Math.floor((Date.parse(validTo) - Date.now()) / 86_400_000)
      resolve({
        socket,
        subject: dn(cert.subject),
        issuer: dn(cert.issuer),
        validTo,
        daysLeft: Number.isFinite(left) ? left : 0,
        trusted: socket.authorized,
        trustError: socket.authorizationError ? String(socket.authorizationError) : undefined,
        nameMatches: checkServerIdentity(name, cert) === undefined,
        alpn: socket.alpnProtocol ?? false,
      })
    })
    socket.once('error', (e) => {
      clearTimeout(timer)
      socket.destroy()
      const text = e instanceof Error ? e.message : String(e)
      reject(
        new ProbeError(
          `TLS handshake with ${o.host}:${o.port} failed: ${text}`,
          /wrong version number|packet length/i.test(text)
            ? 'the port does not speak TLS: use grpc:// (plain) or the TLS port'
            : 'check the client certificate and key, and that the server uses TLS on this port',
        ),
      )
    })
  })
}
