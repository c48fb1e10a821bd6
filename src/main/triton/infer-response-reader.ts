import type { InferParameter__Output } from './generated/inference/InferParameter'
import type { InferTensorContents__Output } from './generated/inference/InferTensorContents'
import type {
  ModelInferResponse__Output,
  _inference_ModelInferResponse_InferOutputTensor__Output as OutputTensor,
} from './generated/inference/ModelInferResponse'
import type { ModelStreamInferResponse__Output } from './generated/inference/ModelStreamInferResponse'
import { END_GROUP, I32, I64, LEN, START_GROUP, VARINT } from './wire-types'

/**
 * Reads ModelStreamInferResponse and ModelInferResponse from their wire bytes straight into the
 * plain objects @grpc/proto-loader would give (PROTO_LOADER_OPTIONS: field names as in the
 * proto, 64-bit integers as decimal strings, defaults filled in, the oneof's name set), without
 * protobufjs's two passes (decode to message instances, then toObject). Every answer of every
 * stream comes through here; in a CPU profile of 64 audio streams those two passes were 18 %
 * of the transport's CPU.
 *
 * Bytes fields are views of the message, as protobufjs's are, so a tensor the message reader
 * placed on an aligned offset is still read in place. Where protobufjs reads a message this
 * gives the same object, keys in the same order (tested against it), except where this follows
 * the protobuf spec instead: varints are read to their last byte (protobufjs skips a long one's
 * tail blind), a bool is true if any of its 64 bits is (protobufjs looks at the low 32), and
 * field number 0, a known field with the wrong wire type, a parameter without a value and
 * unknown groups nested over 100 deep are errors. https://protobuf.dev/programming-guides/encoding/
 */

/** How deep unknown groups may nest, as protobufjs's recursion limit. */
const MAX_GROUP_DEPTH = 100

/** InferParameter's oneof members, in field-number order (1 to 5). */
const PARAMETER_CHOICES = [
  'bool_param',
  'int64_param',
  'string_param',
  'double_param',
  'uint64_param',
] as const

function malformed(what: string, at: number): RangeError {
  return new RangeError(`${what} at byte ${at}`)
}

/**
 * The texts one field held lately (a model's name, an output's name and datatype, a parameter's
 * name): the same in nearly every answer, so the bytes are compared instead of decoded again.
 */
class TextMemo {
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

const MODEL_NAMES = new TextMemo()
const VERSIONS = new TextMemo()
const OUTPUT_NAMES = new TextMemo()
const DATATYPES = new TextMemo()
const PARAMETER_NAMES = new TextMemo()

class WireReader {
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

  /** A known string field (after its key): its wire type checked, its text read. */
  stringField(wire: number, end: number, memo?: TextMemo): string {
    expect(this, wire, LEN)
    return this.string(end, memo)
  }

  /** A known bytes field (after its key): its wire type checked, a view of its bytes. */
  bytesField(wire: number, end: number): Buffer {
    expect(this, wire, LEN)
    return this.bytes(end)
  }

  /** A known embedded message (after its key): its wire type checked; returns where it ends. */
  messageEnd(wire: number, end: number): number {
    expect(this, wire, LEN)
    return this.limit(end)
  }

  string(end: number, memo?: TextMemo): string {
    const stop = this.limit(end)
    const s = memo ? memo.text(this.buf, this.pos, stop) : this.buf.toString('utf8', this.pos, stop)
    this.pos = stop
    return s
  }

  bytes(end: number): Buffer {
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
function expect(r: WireReader, wire: number, want: number): void {
  if (wire !== want) throw malformed(`a field of wire type ${wire} where ${want} belongs`, r.pos)
}

type Read<T> = (r: WireReader, end: number) => T
const readBool: Read<boolean> = (r, end) => r.bool(end)
const readInt32: Read<number> = (r, end) => r.int32(end)
const readUint32: Read<number> = (r, end) => r.varint(end)
const readInt64: Read<string> = (r, end) => r.int64(end, true)
const readUint64: Read<string> = (r, end) => r.int64(end, false)
const readFloat: Read<number> = (r, end) => r.float(end)
const readDouble: Read<number> = (r, end) => r.double(end)

/**
 * Adds a repeated scalar field's values to `out`: packed (one length-delimited run) or a single
 * value in its own field of wire type `one`.
 */
function readRepeated<T>(
  r: WireReader,
  wire: number,
  end: number,
  one: number,
  out: T[],
  read: Read<T>,
): void {
  if (wire !== LEN) {
    expect(r, wire, one)
    out.push(read(r, end))
    return
  }
  const stop = r.limit(end)
  while (r.pos < stop) out.push(read(r, stop))
}

function readParameter(r: WireReader, end: number): InferParameter__Output {
  const p: InferParameter__Output = {}
  // protobufjs keeps every member it read and names the last in field order as the choice.
  let last = 0
  while (r.pos < end) {
    const key = r.key(end)
    const n = key >>> 3
    const wire = key & 7
    switch (n) {
      case 1:
        expect(r, wire, VARINT)
        p.bool_param = r.bool(end)
        break
      case 2:
        expect(r, wire, VARINT)
        p.int64_param = r.int64(end, true)
        break
      case 3:
        p.string_param = r.stringField(wire, end)
        break
      case 4:
        expect(r, wire, I64)
        p.double_param = r.double(end)
        break
      case 5:
        expect(r, wire, VARINT)
        p.uint64_param = r.int64(end, false)
        break
      default:
        r.skip(wire, end)
        continue
    }
    if (n > last) last = n
  }
  if (last > 0) p.parameter_choice = PARAMETER_CHOICES[last - 1]
  return p
}

/** One map<string, InferParameter> entry, added to `into`. */
function readParameterEntry(
  r: WireReader,
  wire: number,
  end: number,
  into: Record<string, InferParameter__Output>,
): void {
  const at = r.pos
  const stop = r.messageEnd(wire, end)
  let name = ''
  let value: InferParameter__Output | undefined
  while (r.pos < stop) {
    const key = r.key(stop)
    const w = key & 7
    if (key >>> 3 === 1) name = r.stringField(w, stop, PARAMETER_NAMES)
    else if (key >>> 3 === 2) value = readParameter(r, r.messageEnd(w, stop))
    else r.skip(w, stop)
  }
  if (!value) throw malformed(`parameter '${name}' has no value`, at)
  // An own property even for "__proto__", as protobufjs makes it: no prototype changes.
  if (name === '__proto__') {
    Object.defineProperty(into, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  } else into[name] = value
}

function readContents(r: WireReader, end: number): InferTensorContents__Output {
  const c: InferTensorContents__Output = {
    bool_contents: [],
    int_contents: [],
    int64_contents: [],
    uint_contents: [],
    uint64_contents: [],
    fp32_contents: [],
    fp64_contents: [],
    bytes_contents: [],
  }
  while (r.pos < end) {
    const key = r.key(end)
    const wire = key & 7
    switch (key >>> 3) {
      case 1:
        readRepeated(r, wire, end, VARINT, c.bool_contents, readBool)
        break
      case 2:
        readRepeated(r, wire, end, VARINT, c.int_contents, readInt32)
        break
      case 3:
        readRepeated(r, wire, end, VARINT, c.int64_contents, readInt64)
        break
      case 4:
        readRepeated(r, wire, end, VARINT, c.uint_contents, readUint32)
        break
      case 5:
        readRepeated(r, wire, end, VARINT, c.uint64_contents, readUint64)
        break
      case 6:
        readRepeated(r, wire, end, I32, c.fp32_contents, readFloat)
        break
      case 7:
        readRepeated(r, wire, end, I64, c.fp64_contents, readDouble)
        break
      case 8:
        c.bytes_contents.push(r.bytesField(wire, end))
        break
      default:
        r.skip(wire, end)
    }
  }
  return c
}

function readOutput(r: WireReader, end: number): OutputTensor {
  const o: OutputTensor = { shape: [], parameters: {}, name: '', datatype: '', contents: null }
  while (r.pos < end) {
    const key = r.key(end)
    const wire = key & 7
    switch (key >>> 3) {
      case 1:
        o.name = r.stringField(wire, end, OUTPUT_NAMES)
        break
      case 2:
        o.datatype = r.stringField(wire, end, DATATYPES)
        break
      case 3:
        readRepeated(r, wire, end, VARINT, o.shape, readInt64)
        break
      case 4:
        readParameterEntry(r, wire, end, o.parameters)
        break
      case 5:
        o.contents = readContents(r, r.messageEnd(wire, end))
        break
      default:
        r.skip(wire, end)
    }
  }
  return o
}

function readResponse(r: WireReader, end: number): ModelInferResponse__Output {
  // Keys in protobufjs's order (lists, maps, then fields by number), so JSON reads the same.
  const m: ModelInferResponse__Output = {
    outputs: [],
    raw_output_contents: [],
    parameters: {},
    model_name: '',
    model_version: '',
    id: '',
  }
  while (r.pos < end) {
    const key = r.key(end)
    const wire = key & 7
    switch (key >>> 3) {
      case 1:
        m.model_name = r.stringField(wire, end, MODEL_NAMES)
        break
      case 2:
        m.model_version = r.stringField(wire, end, VERSIONS)
        break
      case 3:
        m.id = r.stringField(wire, end)
        break
      case 4:
        readParameterEntry(r, wire, end, m.parameters)
        break
      case 5:
        m.outputs.push(readOutput(r, r.messageEnd(wire, end)))
        break
      case 6:
        m.raw_output_contents.push(r.bytesField(wire, end))
        break
      default:
        r.skip(wire, end)
    }
  }
  return m
}

/** A ModelInferResponse (a unary ModelInfer's answer). Throws a RangeError on malformed bytes. */
export function readInferResponse(bytes: Buffer): ModelInferResponse__Output {
  return readResponse(new WireReader(bytes), bytes.length)
}

/** A ModelStreamInferResponse (one answer on a stream). Throws a RangeError on malformed bytes. */
export function readStreamInferResponse(bytes: Buffer): ModelStreamInferResponse__Output {
  const r = new WireReader(bytes)
  const end = bytes.length
  const m: ModelStreamInferResponse__Output = { error_message: '', infer_response: null }
  while (r.pos < end) {
    const key = r.key(end)
    const wire = key & 7
    switch (key >>> 3) {
      case 1:
        m.error_message = r.stringField(wire, end)
        break
      case 2:
        m.infer_response = readResponse(r, r.messageEnd(wire, end))
        break
      default:
        r.skip(wire, end)
    }
  }
  return m
}
