import type { Socket } from 'node:net'
import { connectTcp } from './socket-probes'

/**
 * What a port speaks, by greeting it as an HTTP/2 client would (RFC 9113 section 3.4: the
 * connection preface, then a SETTINGS frame) and reading the first bytes back. gRPC runs on
 * HTTP/2, so an HTTP/1.1 answer means a wrong port: most often Triton's HTTP (8000) or
 * metrics (8002) port, which a second, plain HTTP/1.1 request tells apart.
 */

export type Spoken =
  | { protocol: 'h2' }
  | { protocol: 'http1'; statusLine: string; looksLike?: 'triton-metrics' | 'triton-http' }
  | { protocol: 'silent' }
  | { protocol: 'unknown'; firstBytes: string }

const PREFACE = Buffer.concat([
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'),
  // An empty SETTINGS frame: length 0, type 0x4, flags 0, stream 0.
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
])

/** Reads what arrives until `enough` says so, the peer closes, or the time is up. */
export function readSome(
  socket: Socket,
  timeoutMs: number,
  enough: (b: Buffer) => boolean,
): Promise<Buffer> {
  return new Promise((resolve) => {
    let got = Buffer.alloc(0)
    const done = (): void => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('close', done)
      socket.off('error', done)
      resolve(got)
    }
    const onData = (d: Buffer): void => {
      got = Buffer.concat([got, d])
      if (enough(got) || got.length > 65536) done()
    }
    const timer = setTimeout(done, timeoutMs)
    socket.on('data', onData)
    socket.once('close', done)
    socket.once('error', done)
  })
}

/** Classifies the first bytes a server sent back to an HTTP/2 preface. */
export function classifyGreeting(bytes: Buffer): Spoken {
  if (bytes.length === 0) return { protocol: 'silent' }
  // An HTTP/2 server's first frame is SETTINGS (type 0x4) on stream 0.
  if (bytes.length >= 9 && bytes[3] === 0x04 && bytes.readUInt32BE(5) === 0)
    return { protocol: 'h2' }
  const text = bytes.toString('latin1')
  if (text.startsWith('HTTP/1.')) return { protocol: 'http1', statusLine: text.split('\r\n', 1)[0] }
  return { protocol: 'unknown', firstBytes: JSON.stringify(text.slice(0, 40)) }
}

/** Greets an open socket (plain, or TLS without ALPN h2) and says what answered. */
export async function sniffProtocol(socket: Socket, timeoutMs: number): Promise<Spoken> {
  socket.write(PREFACE)
  const bytes = await readSome(socket, timeoutMs, (b) => b.length >= 9 || b.includes('\r\n'))
  return classifyGreeting(bytes)
}

/** A plain HTTP/1.1 GET on a new connection: status code and body, for telling ports apart. */
async function httpGet(
  host: string,
  port: number,
  path: string,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  const socket = await connectTcp(host, port, timeoutMs)
  try {
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
    )
    const raw = (await readSome(socket, timeoutMs, () => false)).toString('utf8')
    const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(raw)?.[1] ?? 0)
    return { status, body: raw.slice(raw.indexOf('\r\n\r\n') + 4) }
  } finally {
    socket.destroy()
  }
}

/** Which Triton port an HTTP/1.1 server looks like: the metrics page, the HTTP/REST API, or neither. */
export async function identifyHttpPort(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<'triton-metrics' | 'triton-http' | undefined> {
  const metrics = await httpGet(host, port, '/metrics', timeoutMs).catch(() => undefined)
  if (metrics?.status === 200 && /^# (HELP|TYPE) nv_/m.test(metrics.body)) return 'triton-metrics'
  const api = await httpGet(host, port, '/v2', timeoutMs).catch(() => undefined)
  if (api?.status === 200 && /"extensions"\s*:/.test(api.body)) return 'triton-http'
  return undefined
}
