import { constants, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2'
import type { CallLink, ConnectionCall, GrpcHttp2Connection } from './grpc-http2-connection'
import { GrpcFramingError, GrpcMessageReader } from './grpc-message-reader'

/**
 * One bidirectional gRPC call on node:http2: requests written as length-prefixed messages from
 * the caller's pieces (no copy), answers read from the DATA frames (one copy each), and the
 * call's end as a gRPC status, worked out from trailers, HTTP status, RST_STREAM codes and the
 * connection as grpc-js works it out (its subchannel-call.ts), so every failure reads as before.
 * https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md
 */

/** The gRPC status codes this file gives (the rest come from the server as numbers). */
export const Status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
  PERMISSION_DENIED: 7,
  UNIMPLEMENTED: 12,
} as const

/** A call's end as grpc-js reports it (a ServiceError's `code` and `details`). */
export interface GrpcStatus {
  code: number
  details: string
}

/** A status as an error of the shape grpc-js gives (ServiceError), for toTritonError's words. */
export function serviceError(status: GrpcStatus): Error {
  return Object.assign(new Error(`${status.code} ${status.details}`), status)
}

export interface GrpcCallHandlers {
  onMessage(message: Buffer): void
  /** Once, when the call is over: code 0 when the server ended it cleanly. */
  onStatus(status: GrpcStatus): void
}

export interface GrpcCallOptions {
  maxMessageBytes: number
  /** See GrpcMessageReader: the offset in each answer to put on an 8-byte boundary. */
  placeAt?: (head: Buffer) => number | undefined
}

/** gRPC's mapping of an HTTP status that is not 200 (a proxy answered, not the server). */
function httpStatus(code: number): GrpcStatus {
  const byHttp: Record<number, number> = {
    400: Status.INTERNAL,
    401: Status.UNAUTHENTICATED,
    403: Status.PERMISSION_DENIED,
    404: Status.UNIMPLEMENTED,
    429: Status.UNAVAILABLE,
    502: Status.UNAVAILABLE,
    503: Status.UNAVAILABLE,
    504: Status.UNAVAILABLE,
  }
  return { code: byHttp[code] ?? Status.UNKNOWN, details: `Received HTTP status code ${code}` }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** grpc-status and grpc-message (percent-encoded) from trailers, or the HTTP status's meaning. */
function trailerStatus(headers: IncomingHttpHeaders, http: number | undefined): GrpcStatus {
  const code = header(headers, 'grpc-status')
  if (code !== undefined) {
    const message = header(headers, 'grpc-message') ?? ''
    let details = message
    try {
      details = decodeURI(message)
    } catch {
      // Not valid percent-encoding: the text as sent.
    }
    return { code: Number(code), details }
  }
  if (http) return httpStatus(http)
  return { code: Status.UNKNOWN, details: 'No status information received' }
}

/** One message as written: its prefix and its pieces. */
interface Written {
  prefix: Buffer
  parts: readonly Buffer[]
  /** Called once its write has completed, for a message that can never be written again. */
  onWritten?: () => void
}

export class GrpcHttp2Call implements ConnectionCall {
  private stream!: ClientHttp2Stream
  private link!: CallLink
  private readonly reader: GrpcMessageReader
  /**
   * The messages written while the call can still be opened again: until the response headers
   * arrive, and only once. The pieces are the caller's own memory, which stays unchanged until
   * the answer anyway, so keeping them costs no copy.
   */
  private written: Written[] | undefined = []
  private halfClosed = false
  private drainListener: (() => void) | undefined
  private httpStatus: number | undefined
  private finalStatus: GrpcStatus | undefined
  private statusOutput = false
  private readsClosed = false
  private serverEnded = false
  private connectionDropped = false
  private internalError: NodeJS.ErrnoException | undefined

  constructor(
    private readonly connection: GrpcHttp2Connection,
    private readonly path: string,
    private readonly handlers: GrpcCallHandlers,
    private readonly options: GrpcCallOptions,
  ) {
    this.reader = new GrpcMessageReader({
      maxBytes: options.maxMessageBytes,
      placeAt: options.placeAt,
      onMessage: (m) => {
        if (!this.statusOutput) this.handlers.onMessage(m)
      },
    })
    this.open()
  }

  /** Starts the call's stream on the current connection. */
  private open(): void {
    const { stream, link } = this.connection.request(this.path, this)
    this.stream = stream
    this.link = link
    stream.on('response', (headers, flags) => {
      // The server has the call: from here on it is never opened again.
      this.written = undefined
      this.httpStatus = Number(headers[constants.HTTP2_HEADER_STATUS])
      if (flags & constants.NGHTTP2_FLAG_END_STREAM) this.onTrailers(headers)
    })
    stream.on('trailers', (headers) => this.onTrailers(headers))
    stream.on('data', (chunk: Buffer) => this.onData(chunk))
    stream.on('end', () => {
      this.readsClosed = true
      this.maybeOutputStatus()
    })
    stream.on('error', (e: NodeJS.ErrnoException) => {
      // Errors made from the server's RST_STREAM are read from its code on 'close'.
      if (e.code !== 'ERR_HTTP2_STREAM_ERROR') this.internalError = e
    })
    // After any 'error' of the same moment, so its words can be used.
    stream.on('close', () => process.nextTick(() => this.onClose(stream)))
  }

  /**
   * Writes one message: its 5-byte prefix, then `parts` (`length` bytes in all) as they are.
   * Returns false when the stream wants 'drain' before more (HTTP/2 flow control).
   * `onWritten` is called once node:http2 has written the pieces to the socket, so their memory
   * may be used again; never for a message kept to be written again (see `written`), for one
   * whose write failed, nor once the stream is destroyed (node then reports cancelled writes,
   * which nghttp2 may still be sending part of, as written).
   */
  write(parts: readonly Buffer[], length: number, onWritten?: () => void): boolean {
    const max = this.options.maxMessageBytes
    if (length > max) {
      this.endCall({
        code: Status.RESOURCE_EXHAUSTED,
        details: `Attempted to send message with a size larger than ${max}`,
      })
      return true
    }
    if (this.finalStatus) return true
    const prefix = Buffer.allocUnsafe(5)
    prefix[0] = 0
    prefix.writeUInt32BE(length, 1)
    const message: Written = { prefix, parts, onWritten: this.written ? undefined : onWritten }
    this.written?.push(message)
    return this.writeTo(this.stream, message)
  }

  private writeTo(stream: ClientHttp2Stream, { prefix, parts, onWritten }: Written): boolean {
    // One writev: the pieces go to nghttp2 as they are, the tensors straight from their memory.
    // Its callback comes once nghttp2 has written them to the socket (node's ClearOutgoing), or
    // with the stream destroyed, which says nothing about what nghttp2 still holds.
    stream.cork()
    stream.write(prefix)
    let ok = true
    parts.forEach((p, i) => {
      ok =
        i === parts.length - 1
          ? stream.write(p, (e) => {
              if (e) this.onWriteError(stream, e)
              else if (!stream.destroyed) onWritten?.()
            })
          : stream.write(p)
    })
    stream.uncork()
    return ok
  }

  /** Calls `listener` once the call can take more, on whichever stream it then runs. */
  onceDrain(listener: () => void): void {
    this.drainListener = listener
    this.stream.once('drain', this.drained)
  }

  private readonly drained = (): void => {
    const listener = this.drainListener
    this.drainListener = undefined
    listener?.()
  }

  /** Half-closes: no more requests; the server ends the call when it has answered. */
  end(): void {
    this.halfClosed = true
    if (!this.stream.destroyed && !this.stream.writableEnded) this.stream.end()
  }

  cancel(): void {
    this.endCall({ code: Status.CANCELLED, details: 'Cancelled on client' })
  }

  /** The connection went: the call ends with that unless it ends otherwise first. */
  onDisconnect(): void {
    const stream = this.stream
    this.connectionDropped = true
    // Unless the call was opened again on another connection meanwhile.
    setImmediate(() => stream === this.stream && this.endCall(this.connectionStatus()))
  }

  private connectionStatus(): GrpcStatus {
    if (this.link.established) return { code: Status.UNAVAILABLE, details: 'Connection dropped' }
    const cause = (this.internalError as { cause?: unknown } | undefined)?.cause
    const why =
      this.link.lastError ??
      (cause instanceof Error ? cause.message : undefined) ??
      this.internalError?.message ??
      'Failed to connect'
    return { code: Status.UNAVAILABLE, details: `No connection established. Last error: ${why}` }
  }

  private onData(chunk: Buffer): void {
    if (this.statusOutput) return
    try {
      this.reader.push(chunk)
    } catch (e) {
      // A proxy's error page is no gRPC message: its HTTP status says more than the framing.
      if (this.httpStatus !== undefined && this.httpStatus !== 200) {
        this.endCall(httpStatus(this.httpStatus))
      } else {
        const framing = e instanceof GrpcFramingError ? e : undefined
        this.endCall({
          code: framing?.code ?? Status.INTERNAL,
          details: e instanceof Error ? e.message : String(e),
        })
      }
    }
  }

  private onTrailers(headers: IncomingHttpHeaders): void {
    this.serverEnded = true
    this.endCall(trailerStatus(headers, this.httpStatus))
  }

  private onWriteError(stream: ClientHttp2Stream, e: Error): void {
    // A refused stream's writes fail with it: its close says what happened.
    if (stream !== this.stream || stream.rstCode === constants.NGHTTP2_REFUSED_STREAM) return
    const afterEnd = (e as NodeJS.ErrnoException).code === 'ERR_STREAM_WRITE_AFTER_END'
    this.endCall({
      code: afterEnd ? Status.INTERNAL : Status.UNAVAILABLE,
      details: `Write error: ${e.message}`,
    })
  }

  /**
   * A stream the server refused before answering (RST_STREAM REFUSED_STREAM, which is also how
   * a stream above a GOAWAY's last-stream-id ends) was never processed: as grpc-js does, the
   * call is opened once more, on the current connection (a new one after GOAWAY), and what
   * was written is written again. Nothing is retried once the server has answered.
   */
  private mayOpenAgain(stream: ClientHttp2Stream): boolean {
    // (Only while `written` is kept: before the response headers, and once.)
    return (
      stream.rstCode === constants.NGHTTP2_REFUSED_STREAM &&
      this.httpStatus === undefined &&
      this.finalStatus === undefined &&
      this.link.established
    )
  }

  private openAgain(written: Written[]): void {
    this.stream.off('drain', this.drained)
    this.link.release(this)
    this.written = undefined
    this.connectionDropped = false
    this.internalError = undefined
    this.readsClosed = false
    try {
      this.open()
    } catch {
      // The channel was shut down meanwhile: the refusal stands.
      return this.endCall({ code: Status.UNAVAILABLE, details: 'Stream refused by server' })
    }
    let ok = true
    for (const message of written) ok = this.writeTo(this.stream, message)
    if (this.halfClosed) this.stream.end()
    if (this.drainListener) {
      if (ok) process.nextTick(this.drained)
      else this.stream.once('drain', this.drained)
    }
  }

  /** The stream closed: without a status yet, its RST_STREAM code or the connection says why. */
  private onClose(stream: ClientHttp2Stream): void {
    if (stream !== this.stream) return
    const written = this.written
    if (written && this.mayOpenAgain(stream)) return this.openAgain(written)
    this.serverEnded = true
    if (this.finalStatus?.code === Status.OK) {
      // Closed streams read nothing more, whether or not 'end' came.
      this.readsClosed = true
      return this.maybeOutputStatus()
    }
    if (!this.link.established) return this.endCall(this.connectionStatus())
    const rst = this.stream.rstCode
    switch (rst) {
      case constants.NGHTTP2_NO_ERROR:
        if (this.finalStatus) return
        if (this.httpStatus && this.httpStatus !== 200)
          return this.endCall(httpStatus(this.httpStatus))
        return this.endCall({
          code: Status.INTERNAL,
          details: `Received RST_STREAM with code ${rst} (Call ended without gRPC status)`,
        })
      case constants.NGHTTP2_REFUSED_STREAM:
        return this.endCall({ code: Status.UNAVAILABLE, details: 'Stream refused by server' })
      case constants.NGHTTP2_CANCEL:
        // Node reports a dropped connection as CANCEL too.
        return this.endCall(
          this.connectionDropped
            ? { code: Status.UNAVAILABLE, details: 'Connection dropped' }
            : { code: Status.CANCELLED, details: 'Call cancelled' },
        )
      case constants.NGHTTP2_ENHANCE_YOUR_CALM:
        return this.endCall({
          code: Status.RESOURCE_EXHAUSTED,
          details: 'Bandwidth exhausted or memory limit exceeded',
        })
      case constants.NGHTTP2_INADEQUATE_SECURITY:
        return this.endCall({
          code: Status.PERMISSION_DENIED,
          details: 'Protocol not secure enough',
        })
      case constants.NGHTTP2_INTERNAL_ERROR: {
        const e = this.internalError
        if (!e) {
          return this.endCall({
            code: Status.INTERNAL,
            details: `Received RST_STREAM with code ${rst} (Internal server error)`,
          })
        }
        if (e.code === 'ECONNRESET' || e.code === 'ETIMEDOUT')
          return this.endCall({ code: Status.UNAVAILABLE, details: e.message })
        return this.endCall({
          code: Status.INTERNAL,
          details: `Received RST_STREAM with code ${rst} triggered by internal client error: ${e.message}`,
        })
      }
      default:
        return this.endCall({
          code: Status.INTERNAL,
          details: `Received RST_STREAM with code ${rst}`,
        })
    }
  }

  /** The first status wins (an OK from trailers yields to a later failure, as in grpc-js). */
  private endCall(status: GrpcStatus): void {
    if (this.finalStatus === undefined || this.finalStatus.code === Status.OK) {
      this.finalStatus = status
      this.maybeOutputStatus()
    }
    this.closeStream()
  }

  /** A failure is reported at once; a clean end once every answer before it was read. */
  private maybeOutputStatus(): void {
    const status = this.finalStatus
    if (!status || this.statusOutput) return
    if (status.code !== Status.OK || this.readsClosed) {
      this.statusOutput = true
      this.link.release(this)
      this.handlers.onStatus(status)
      // Let whatever is still arriving drain, so the stream can close.
      this.stream.resume()
    }
  }

  private closeStream(): void {
    const stream = this.stream
    if (stream.destroyed) return
    // The server ended the call: half-close our side. Otherwise tell it we are gone.
    if (this.serverEnded) {
      if (!stream.writableEnded) stream.end()
    } else {
      stream.close(
        this.finalStatus?.code === Status.OK
          ? constants.NGHTTP2_NO_ERROR
          : constants.NGHTTP2_CANCEL,
      )
    }
  }
}
