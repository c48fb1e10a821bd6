import { END_GROUP, I32, I64, LEN, START_GROUP, VARINT } from './wire-types'

/**
 * Protobuf's wire format read strictly, for the hand-written readers of Triton's messages
 * (infer-response-reader.ts): every read stays within the message or field it is in, and
 * malformed bytes are a RangeError that names the byte. https://protobuf.dev/programming-guides/encoding/
 */

/** How deep unknown groups may nest, as protobufjs's recursion limit. */
const MAX_GROUP_DEPTH = 100

export function malformed(what: string, at: number): RangeError {
  return new RangeError(`${what} at byte ${at}`)
}

/**
 * The texts one field held lately (a model's name, an output's name and datatype, a parameter's
 * name): the same in nearly every answer, so the bytes are compared instead of decoded again.
 */
export class TextMemo {
  private static readonly SIZE = 8
  private static readonly LONGEST = 64
  private readonly bytes: Buffer[] = []
  private readonly texts: string[] = []
  private next = 0

  text(buf: Buffer, start: number, stop: number): string {
    const n = stop - start
    if (n > TextMemo.LONGEST) return buf.toString('utf8', start, stop)
    for (let k = 0; k < this.bytes.length; k++) {
      const b = this.bytes[k]
      if (b.length !== n) continue
      let i = 0
      while (i < n && buf[start + i] === b[i]) i++
      if (i === n) return this.texts[k]
    }
    const text = buf.toString('utf8', start, stop)
    this.bytes[this.next] = Buffer.from(buf.subarray(start, stop))
    this.texts[this.next] = text
    this.next = (this.next + 1) % TextMemo.SIZE
    return text
  }
}

export class WireReader {
  pos = 0
  /** The high 32 bits of the last varint read. */
  private hi = 0

  constructor(private readonly buf: Buffer) {}

  /** A varint up to `end`; returns its low 32 bits (unsigned) and keeps the high ones in `hi`. */
  varint(end: number): number {
    const b = this.buf
    let p = this.pos
    if (p >= end) throw malformed('a varint is cut off', p)
    let byte = b[p++]
    if (byte < 0x80) {
      this.pos = p
      this.hi = 0
      return byte
    }
    let lo = byte & 0x7f
    for (let shift = 7; shift < 28; shift += 7) {
      if (p >= end) throw malformed('a varint is cut off', p)
      byte = b[p++]
      lo |= (byte & 0x7f) << shift
      if (byte < 0x80) {
        this.pos = p
        this.hi = 0
        return lo >>> 0
      }
    }
    if (p >= end) throw malformed('a varint is cut off', p)
    byte = b[p++]
    lo |= (byte & 0x0f) << 28
    let hi = (byte & 0x7f) >> 4
    for (let shift = 3; byte >= 0x80; shift += 7) {
      if (shift > 31) throw malformed('a varint runs past 10 bytes', p)
      if (p >= end) throw malformed('a varint is cut off', p)
      byte = b[p++]
      hi |= (byte & 0x7f) << shift
    }
    this.pos = p
    this.hi = hi >>> 0
    return lo >>> 0
  }

  /** A length prefix; returns where the field it announces ends, within `end`. */
  limit(end: number): number {
    const at = this.pos
    const length = this.varint(end)
    if (this.hi !== 0 || length > end - this.pos)
      throw malformed('a field runs past its message', at)
    return this.pos + length
  }

  /** A known embedded message (after its key): its wire type checked; returns where it ends. */
  messageEnd(wire: number, end: number): number {
    expect(this, wire, LEN)
    return this.limit(end)
  }

  /** A known string field (after its key): its wire type checked, its text read. */
  stringField(wire: number, end: number, memo?: TextMemo): string {
    expect(this, wire, LEN)
    const stop = this.limit(end)
    const s = memo ? memo.text(this.buf, this.pos, stop) : this.buf.toString('utf8', this.pos, stop)
    this.pos = stop
    return s
  }

  /** A known bytes field (after its key): its wire type checked, a view of its bytes. */
  bytesField(wire: number, end: number): Buffer {
    expect(this, wire, LEN)
    const stop = this.limit(end)
    // An empty one is its own (as protobufjs makes it), so it keeps no message alive.
    const b = stop === this.pos ? Buffer.alloc(0) : this.buf.subarray(this.pos, stop)
    this.pos = stop
    return b
  }

  bool(end: number): boolean {
    return (this.varint(end) | this.hi) !== 0
  }

  int32(end: number): number {
    return this.varint(end) | 0
  }

  /** A 64-bit integer as a decimal string, as proto-loader's `longs: String` gives it. */
  int64(end: number, signed: boolean): string {
    const lo = this.varint(end)
    const hi = this.hi
    if (hi === 0) return String(lo)
    // Below 2^53 (and not negative) a double holds it exactly.
    if (hi < 0x200000) return String(hi * 0x100000000 + lo)
    const u = (BigInt(hi) << 32n) | BigInt(lo)
    return String(signed ? BigInt.asIntN(64, u) : u)
  }

  float(end: number): number {
    if (end - this.pos < 4) throw malformed('a float is cut off', this.pos)
    const v = this.buf.readFloatLE(this.pos)
    this.pos += 4
    return v
  }

  double(end: number): number {
    if (end - this.pos < 8) throw malformed('a double is cut off', this.pos)
    const v = this.buf.readDoubleLE(this.pos)
    this.pos += 8
    return v
  }

  /** Skips a field this reader does not know; groups are walked to their end. */
  skip(wire: number, end: number, depth = 0): void {
    const at = this.pos
    switch (wire) {
      case VARINT:
        this.varint(end)
        return
      case I64:
      case I32: {
        const n = wire === I64 ? 8 : 4
        if (end - at < n) throw malformed('a field runs past its message', at)
        this.pos = at + n
        return
      }
      case LEN:
        this.pos = this.limit(end)
        return
      case START_GROUP:
        if (depth >= MAX_GROUP_DEPTH) throw malformed('groups nest too deep', at)
        for (;;) {
          const key = this.varint(end)
          if ((key & 7) === END_GROUP) return
          this.skip(key & 7, end, depth + 1)
        }
      default:
        throw malformed(`wire type ${wire} is not protobuf's`, at)
    }
  }

  /** The next field's key (its number times 8 plus its wire type). */
  key(end: number): number {
    const at = this.pos
    const key = this.varint(end)
    if (key < 8) throw malformed('field number 0', at)
    return key
  }
}

/** Known fields must come with their wire type; protobufjs would read them as garbage. */
export function expect(r: WireReader, wire: number, want: number): void {
  if (wire !== want) throw malformed(`a field of wire type ${wire} where ${want} belongs`, r.pos)
}
