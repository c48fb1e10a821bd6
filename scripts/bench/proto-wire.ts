// The few protobuf wire rules the bench's own peers need (the sink server's answers and the
// hand-framed http2 client): varints, tags, length-delimited fields, and a field scanner.
// https://protobuf.dev/programming-guides/encoding/

// Not imported from src/main/triton/wire-types.ts: ab.ts runs these scripts against older
// checkouts, which do not all have that file.
export const VARINT = 0
export const I64 = 1
export const LEN = 2

export function varintLength(n: number): number {
  let len = 1
  while (n >= 0x80) {
    n = Math.floor(n / 128)
    len++
  }
  return len
}

/** Writes a non-negative integer below 2^53 as a varint at `at`; returns the next offset. */
export function writeVarint(buf: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n % 128) | 0x80
    n = Math.floor(n / 128)
  }
  buf[at++] = n
  return at
}

/** Reads a varint (below 2^53) at `at`; returns [value, next offset]. */
export function readVarint(buf: Uint8Array, at: number): [number, number] {
  let value = 0
  let mul = 1
  for (;;) {
    if (at >= buf.length) throw new Error('truncated varint')
    const b = buf[at++]
    value += (b & 0x7f) * mul
    if (b < 0x80) return [value, at]
    mul *= 128
  }
}

/** A small protobuf message writer: enough for tags, varints, strings and nested messages. */
export class MessageWriter {
  private readonly parts: Buffer[] = []
  private length = 0

  private push(b: Buffer): this {
    this.parts.push(b)
    this.length += b.length
    return this
  }

  tag(field: number, wire: number): this {
    const b = Buffer.allocUnsafe(varintLength(field * 8 + wire))
    writeVarint(b, 0, field * 8 + wire)
    return this.push(b)
  }

  varint(field: number, n: number): this {
    const b = Buffer.allocUnsafe(varintLength(n))
    writeVarint(b, 0, n)
    return this.tag(field, VARINT).push(b)
  }

  /** The tag and length of a length-delimited field whose `length` bytes the caller adds. */
  lengthOf(field: number, length: number): this {
    const b = Buffer.allocUnsafe(varintLength(length))
    writeVarint(b, 0, length)
    return this.tag(field, LEN).push(b)
  }

  bytes(field: number, bytes: Uint8Array): this {
    return this.lengthOf(field, bytes.length).push(Buffer.from(bytes))
  }

  string(field: number, s: string): this {
    return this.bytes(field, Buffer.from(s, 'utf8'))
  }

  message(field: number, m: MessageWriter): this {
    return this.bytes(field, m.finish())
  }

  /** Packed repeated int64 (non-negative values). */
  packed(field: number, values: readonly number[]): this {
    const w = new MessageWriter()
    for (const v of values) {
      const b = Buffer.allocUnsafe(varintLength(v))
      writeVarint(b, 0, v)
      w.push(b)
    }
    return this.message(field, w)
  }

  raw(b: Uint8Array): this {
    return this.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
  }

  finish(): Buffer {
    return Buffer.concat(this.parts, this.length)
  }
}

export interface Field {
  field: number
  wire: number
  /** The varint's value, or the length of a LEN field. */
  value: number
  /** Where a LEN field's bytes start and end. */
  start: number
  end: number
}

/** Visits the top-level fields of a message in `buf[start, end)`, without copying anything. */
export function scanFields(
  buf: Uint8Array,
  visit: (f: Field) => void,
  start = 0,
  end = buf.length,
): void {
  let at = start
  while (at < end) {
    const [key, afterKey] = readVarint(buf, at)
    const field = Math.floor(key / 8)
    const wire = key & 7
    at = afterKey
    if (wire === VARINT) {
      const [value, next] = readVarint(buf, at)
      visit({ field, wire, value, start: at, end: next })
      at = next
    } else if (wire === LEN) {
      const [len, next] = readVarint(buf, at)
      if (next + len > end) throw new Error(`field ${field} runs past the message`)
      visit({ field, wire, value: len, start: next, end: next + len })
      at = next + len
    } else if (wire === I64) {
      visit({ field, wire, value: 0, start: at, end: at + 8 })
      at += 8
    } else if (wire === 5) {
      visit({ field, wire, value: 0, start: at, end: at + 4 })
      at += 4
    } else {
      throw new Error(`unsupported wire type ${wire}`)
    }
  }
}

export function utf8(buf: Uint8Array, f: Field): string {
  return Buffer.from(buf.buffer, buf.byteOffset + f.start, f.end - f.start).toString('utf8')
}
