import { lookup } from 'node:dns/promises'
import { isIP, Socket, connect as netConnect } from 'node:net'
import {
  checkServerIdentity,
  connect as tlsConnect,
  type PeerCertificate,
  type TLSSocket,
} from 'node:tls'
import {
  certificateNames,
  explainTlsFailure,
  reduceTlsText,
  type TlsContext,
} from '../triton/tls-failure'

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
          'check that Triton runs and that the port is right: gRPC 8001, HTTP 8000 by default',
        ),
      )
    })
  })
}

export interface TlsProbeOptions {
  host: string
  port: number
  /** host:port as the user wrote it, for messages. */
  target: string
  /** How the client dials, so a failed handshake is told in the clients' words. */
  context: TlsContext
  /** ALPN protocols offered: h2 for gRPC, http/1.1 for the HTTP/REST API. */
  alpn: string[]
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
  /** The certificate is signed by a trusted CA (the given one or the system's) and in date. */
  trusted: boolean
  trustError?: string
  /** The names on the certificate (certificateNames). */
  names: string
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
      ALPNProtocols: o.alpn,
      rejectUnauthorized: false,
      // The name is judged below, so authorizationError speaks of the chain alone.
      checkServerIdentity: () => undefined,
    })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(
        new ProbeError(
          `no TLS handshake with ${o.target} in ${o.timeoutMs} ms`,
          `the port may not speak TLS: try ${o.context.protocol === 'http' ? 'http' : 'grpc'}:// instead`,
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
        names: certificateNames(cert),
        nameMatches: checkServerIdentity(name, cert) === undefined,
        alpn: socket.alpnProtocol ?? false,
      })
    })
    socket.once('error', (e) => {
      clearTimeout(timer)
      socket.destroy()
      const text = e instanceof Error ? e.message : String(e)
      const known = explainTlsFailure(text, o.target, o.context)
      reject(
        known
          ? new ProbeError(known.message, known.hint)
          : new ProbeError(
              `TLS handshake with ${o.target} failed: ${reduceTlsText(text)}`,
              'check the client certificate and key, and that the server uses TLS on this port',
            ),
      )
    })
  })
}
