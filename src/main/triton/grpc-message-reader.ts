/**
 * gRPC's length-prefixed messages (a compressed flag byte, a 4-byte big-endian length, the
 * message), read from the DATA frames of one HTTP/2 stream however they are cut: a message split
 * across frames, several in one frame, a prefix split in two.
 * https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md#requests (Length-Prefixed-Message)
 *
 * Each message is copied once, into a buffer of its announced length allocated when its prefix
 * arrives, and handed out as that buffer: decoded tensors can then be views of it for as long as
 * anyone holds them, and no socket read buffer is kept alive by a small answer. `placeAt` may
 * name an offset inside the message (seen from its first bytes) that the buffer puts on an
 * 8-byte boundary, so a tensor there can be read in place as any typed array.
 */

/** Why a stream's bytes cannot be read as gRPC messages: the call ends with this. */
export class GrpcFramingError extends Error {
  constructor(
    message: string,
    /** The gRPC status code the call ends with (grpc-js's for the same problem). */
    readonly code: number,
  ) {
    super(message)
    this.name = 'GrpcFramingError'
  }
}

const RESOURCE_EXHAUSTED = 8
const INTERNAL = 13
const PREFIX_BYTES = 5

export interface GrpcMessageReaderOptions {
  /** Largest message accepted; a larger announced length fails before anything is allocated. */
  maxBytes: number
  onMessage: (message: Buffer) => void
  /**
   * The offset within the message to align to 8 bytes, from its first bytes (`head`, possibly
   * not all of it); undefined when it cannot tell.
   */
  placeAt?: (head: Buffer) => number | undefined
}

export class GrpcMessageReader {
  private readonly prefix = Buffer.alloc(PREFIX_BYTES)
  private prefixHave = 0
  private message: Buffer | undefined
  private messageHave = 0

  constructor(private readonly options: GrpcMessageReaderOptions) {}

  /** Reads one DATA chunk; throws a GrpcFramingError when the bytes cannot be a message. */
  push(chunk: Buffer): void {
    let at = 0
    while (at < chunk.length) {
      if (this.message === undefined) {
        const n = Math.min(PREFIX_BYTES - this.prefixHave, chunk.length - at)
        chunk.copy(this.prefix, this.prefixHave, at, at + n)
        this.prefixHave += n
        at += n
        if (this.prefixHave < PREFIX_BYTES) return
        this.begin(chunk.subarray(at))
        if (this.message === undefined) continue
      }
      const message: Buffer = this.message
      const n = Math.min(message.length - this.messageHave, chunk.length - at)
      chunk.copy(message, this.messageHave, at, at + n)
      this.messageHave += n
      at += n
      if (this.messageHave === message.length) this.deliver(message)
    }
  }

  /** A prefix is complete: checks it and allocates the message, placed for `head`. */
  private begin(head: Buffer): void {
    this.prefixHave = 0
    if (this.prefix[0] !== 0) {
      // We ask for identity only (grpc-accept-encoding), so a compressed message is a server bug.
      throw new GrpcFramingError(
        'the server sent a compressed message, and this client accepts only uncompressed ones',
        INTERNAL,
      )
    }
    const length = this.prefix.readUInt32BE(1)
    const max = this.options.maxBytes
    if (length > max) {
      throw new GrpcFramingError(
        `Received message larger than max (${length} vs ${max})`,
        RESOURCE_EXHAUSTED,
      )
    }
    if (length === 0) {
      this.options.onMessage(Buffer.alloc(0))
      return
    }
    // Buffers start on 8-byte boundaries (fresh memory, or Node's pool, which aligns to 8).
    const room = Buffer.allocUnsafe(length + 7)
    const place = this.options.placeAt?.(head.subarray(0, length))
    const pad = place === undefined ? 0 : (8 - ((room.byteOffset + place) % 8)) % 8
    this.message = room.subarray(pad, pad + length)
    this.messageHave = 0
  }

  private deliver(message: Buffer): void {
    this.message = undefined
    this.messageHave = 0
    this.options.onMessage(message)
  }
}
