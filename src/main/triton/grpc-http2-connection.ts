import {
  connect,
  constants,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type OutgoingHttpHeaders,
} from 'node:http2'
import type { ConnectionOptions as TlsSocketOptions } from 'node:tls'
import type { ParsedEndpoint } from '../../shared/endpoint-url'
import { PendingSocket, tunnel, type HttpProxy } from './grpc-http2-proxy'

/** What a gRPC channel on node:http2 needs; connection-options.ts makes it from the user's options. */
export interface Http2ChannelSettings {
  endpoint: ParsedEndpoint
  /** TLS socket options (CA, client identity, expected name, verification); absent for plaintext. */
  tls?: TlsSocketOptions
  /** The :authority of every call: the target, or the --authority a proxy routes on. */
  authority: string
  /** Auth and custom headers, checked and lowercase (connectionHeaders). */
  headers: Record<string, string>
  maxMessageBytes: number
  /** The HTTP/2 receive window, of each stream and of the connection. */
  windowBytes: number
  /** Ping interval during calls; 0 for none. */
  keepaliveMs: number
  keepaliveTimeoutMs: number
  /** The HTTP CONNECT proxy the unary channel goes through too (proxyFor), if any. */
  proxy?: HttpProxy
  /** The pause before dialling again after a failed attempt: doubles from `initial` to `max`. */
  redialMs: { initial: number; max: number }
}

/** A call on a connection: told when the connection goes, so it can end with the reason. */
export interface ConnectionCall {
  onDisconnect(): void
}

const USER_AGENT = `triton-live node-http2/${process.versions.node}`

/**
 * One HTTP/2 connection (a ClientHttp2Session) and the calls on it. It holds the process open
 * only while calls run, pings during calls as grpc-js would with the same options (Triton
 * tolerates a ping every 5 minutes), and remembers why it failed so calls can say so.
 */
class Link {
  readonly session: ClientHttp2Session
  private readonly calls = new Set<ConnectionCall>()
  /** The server's SETTINGS arrived: the connection was established, as grpc-js counts it. */
  established = false
  /** No new calls: the server sent GOAWAY, or the connection closed or failed. */
  retired = false
  /** Why the connection failed, as Node or OpenSSL said it. */
  lastError: string | undefined
  /** Settles once: undefined when established, the reason when it failed first. */
  readonly up: Promise<string | undefined>
  private settleUp: (error: string | undefined) => void = () => undefined
  private keepalive: NodeJS.Timeout | undefined
  private disconnected = false

  constructor(private readonly settings: Http2ChannelSettings) {
    const { endpoint, tls, windowBytes, proxy } = settings
    const scheme = endpoint.tls ? 'https' : 'http'
    this.session = connect(`${scheme}://${endpoint.target}`, {
      ...tls,
      // Through the proxy: CONNECT, then TLS over the tunnel; the session starts writing at once.
      ...(proxy && { createConnection: () => new PendingSocket(tunnel(proxy, endpoint, tls)) }),
      settings: { initialWindowSize: windowBytes, enablePush: false },
      // grpc-js lifts these limits too: Node degrades badly when session memory runs out.
      maxSessionMemory: Number.MAX_SAFE_INTEGER,
      maxSendHeaderBlockLength: Number.MAX_SAFE_INTEGER,
    })
    this.up = new Promise((resolve) => (this.settleUp = resolve))
    const session = this.session
    session.unref()
    session.once('remoteSettings', () => {
      this.established = true
      this.settleUp(undefined)
      // The connection's own window, which SETTINGS do not set: 64 KiB until told otherwise.
      if (windowBytes > 65_535) session.setLocalWindowSize(windowBytes)
    })
    session.on('goaway', () => (this.retired = true))
    session.on('error', (e: Error) => {
      this.lastError ??= e.message
      this.disconnect()
    })
    session.once('close', () => this.disconnect())
  }

  get usable(): boolean {
    return !this.retired && !this.session.closed && !this.session.destroyed
  }

  get callCount(): number {
    return this.calls.size
  }

  /** Starts a stream; throws when the session can take no more (then a new link is used). */
  request(path: string, call: ConnectionCall): ClientHttp2Stream {
    const headers: OutgoingHttpHeaders = {
      ...this.settings.headers,
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: path,
      [constants.HTTP2_HEADER_AUTHORITY]: this.settings.authority,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      [constants.HTTP2_HEADER_TE]: 'trailers',
      [constants.HTTP2_HEADER_USER_AGENT]: USER_AGENT,
      'grpc-accept-encoding': 'identity',
    }
    const stream = this.session.request(headers)
    this.calls.add(call)
    if (this.calls.size === 1) {
      this.session.ref()
      this.scheduleKeepalive()
    }
    return stream
  }

  release(call: ConnectionCall): void {
    if (!this.calls.delete(call) || this.calls.size > 0) return
    this.stopKeepalive()
    if (!this.session.destroyed) this.session.unref()
  }

  private scheduleKeepalive(): void {
    const { keepaliveMs } = this.settings
    if (keepaliveMs <= 0 || this.keepalive) return
    this.keepalive = setTimeout(() => this.ping(), keepaliveMs)
    this.keepalive.unref()
  }

  private stopKeepalive(): void {
    clearTimeout(this.keepalive)
    this.keepalive = undefined
  }

  /** A ping that is not answered in time means the link is dead: the calls end at once. */
  private ping(): void {
    // Node cancels a ping sent before the connection is up: wait another interval instead.
    if (!this.established) {
      this.keepalive = undefined
      return this.scheduleKeepalive()
    }
    this.keepalive = setTimeout(
      () => this.drop('Keepalive timeout'),
      this.settings.keepaliveTimeoutMs,
    )
    this.keepalive.unref()
    const sent = this.session.ping((err) => {
      this.stopKeepalive()
      if (err) this.drop(`Keepalive failed: ${err.message}`)
      else if (this.calls.size > 0) this.scheduleKeepalive()
    })
    if (!sent) this.drop('Keepalive failed')
  }

  /** Gives the link up from our side: its calls end as a dropped connection, as in grpc-js. */
  private drop(reason: string): void {
    this.lastError ??= reason
    this.disconnect()
  }

  private disconnect(): void {
    if (this.disconnected) return
    this.disconnected = true
    this.retired = true
    this.settleUp(this.lastError ?? 'Failed to connect')
    this.stopKeepalive()
    for (const call of [...this.calls]) call.onDisconnect()
    if (!this.session.destroyed) setImmediate(() => this.session.destroy())
  }

  close(): void {
    this.retired = true
    this.stopKeepalive()
    this.session.close()
  }
}

/** node:http2's words for a session that can take no new stream. */
const SESSION_GONE = new Set([
  'ERR_HTTP2_INVALID_SESSION',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_OUT_OF_STREAMS',
])

/**
 * The node:http2 side of a gRPC channel: one connection at a time, dialled with the first call
 * and again after it failed or the server sent GOAWAY; calls already running keep theirs.
 */
export class GrpcHttp2Connection {
  private link: Link | undefined
  private closed = false

  constructor(readonly settings: Http2ChannelSettings) {}

  private current(): Link {
    if (this.closed) throw new Error('Channel has been shut down')
    if (!this.link?.usable) this.link = new Link(this.settings)
    return this.link
  }

  /**
   * Resolves with undefined once a connection is up, dialling again (with the pauses of the
   * unary channel, settings.redialMs) while it cannot be; by `deadline` (Date.now() ms) without
   * one, resolves with what the last attempt said.
   */
  async ready(deadline: number): Promise<string | undefined> {
    const { initial, max } = this.settings.redialMs
    for (let pause = initial; ; pause = Math.min(max, pause * 2)) {
      const link = this.current()
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('timed out'), Math.max(0, deadline - Date.now()))
      })
      const error = await Promise.race([link.up, late])
      clearTimeout(timer)
      if (error === undefined) return undefined
      const left = deadline - Date.now()
      if (left <= 0) return link.lastError ?? error
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)))
    }
  }

  /** A stream for `path` on the current connection, with the link it runs on. */
  request(path: string, call: ConnectionCall): { stream: ClientHttp2Stream; link: CallLink } {
    for (let attempt = 0; ; attempt++) {
      const link = this.current()
      try {
        return { stream: link.request(path, call), link }
      } catch (e) {
        // The session closed or was told to go between the check and the request: one more
        // try on a new one. Anything else (a header HTTP/2 refuses) is the request's own fault.
        if (!SESSION_GONE.has((e as NodeJS.ErrnoException).code ?? '')) throw e
        link.retired = true
        if (link.callCount === 0) link.close()
        if (attempt > 0) throw e
      }
    }
  }

  /** Ends the connection once its calls are done; no new call starts. */
  close(): void {
    this.closed = true
    this.link?.close()
  }
}

/** What a call may ask of its connection. */
export type CallLink = Pick<Link, 'session' | 'established' | 'lastError' | 'release'>
