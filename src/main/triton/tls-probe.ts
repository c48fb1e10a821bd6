import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { connect, type ConnectionOptions as NodeTlsOptions } from 'node:tls'
import type { TlsOptions } from './connection-options'
import type { ParsedEndpoint } from '../../shared/endpoint-url'

/**
 * When grpc-js reports only "Failed to connect" (the server closed the socket without a word),
 * one TLS handshake of our own tells why: a plaintext client at a TLS port, or a client
 * certificate the server refused after the handshake (Node and some proxies just hang up, in
 * TLS 1.3 after the client's Finished). Only run after a failure, with a short deadline.
 */
export type TlsProbeVerdict =
  /** The port completes a TLS handshake and then speaks HTTP/2. */
  | 'speaks-tls'
  /** The handshake completed, then the server closed without answering: it refused our certificate. */
  | 'closed-after-handshake'
  | 'client-certificate-required'
  | 'client-certificate-refused'
  | 'not-tls'
  | 'unknown'

const HTTP2_PREFACE = Buffer.concat([
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
  // An empty SETTINGS frame: length 0, type 4, no flags, stream 0.
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
])

function read(path: string | undefined): Buffer | undefined {
  if (!path) return undefined
  try {
    return readFileSync(path)
  } catch {
    return undefined
  }
}

function verdictOfError(message: string, handshakeDone: boolean): TlsProbeVerdict {
  if (/certificate required/i.test(message)) return 'client-certificate-required'
  if (
    /alert (bad certificate|unknown ca|certificate unknown|access denied|decrypt error)/i.test(
      message,
    )
  )
    return 'client-certificate-refused'
  if (/wrong version number|packet length too long|http request/i.test(message)) return 'not-tls'
  return handshakeDone ? 'closed-after-handshake' : 'unknown'
}

export function probeTls(
  endpoint: ParsedEndpoint,
  tls: TlsOptions | undefined,
  timeoutMs: number,
): Promise<TlsProbeVerdict> {
  const servername = tls?.serverName ?? (isIP(endpoint.host) ? undefined : endpoint.host)
  const options: NodeTlsOptions = {
    host: endpoint.host,
    port: endpoint.port,
    // We only ask whether TLS is spoken and our certificate accepted; trust is judged elsewhere.
    rejectUnauthorized: false,
    // A server that offers none of these ends the handshake: gRPC speaks h2, the REST API http/1.1.
    ALPNProtocols: endpoint.protocol === 'http' ? ['http/1.1'] : ['h2'],
    servername,
    cert: read(tls?.certFile),
    key: read(tls?.keyFile),
  }
  return new Promise((resolve) => {
    let handshakeDone = false
    let settled = false
    const socket = connect(options)
    const done = (verdict: TlsProbeVerdict): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve(verdict)
    }
    const timer = setTimeout(() => done('unknown'), timeoutMs)
    socket.once('secureConnect', () => {
      handshakeDone = true
      socket.write(HTTP2_PREFACE)
    })
    socket.once('data', () => done('speaks-tls'))
    socket.once('error', (e) => done(verdictOfError(e.message, handshakeDone)))
    socket.once('close', () => done(handshakeDone ? 'closed-after-handshake' : 'unknown'))
  })
}
