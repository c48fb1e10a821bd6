import type { InferParameter__Output } from './generated/inference/InferParameter'
import type { InferTensorContents__Output } from './generated/inference/InferTensorContents'
import type {
  ModelInferResponse__Output,
  _inference_ModelInferResponse_InferOutputTensor__Output as OutputTensor,
} from './generated/inference/ModelInferResponse'
import type { ModelStreamInferResponse__Output } from './generated/inference/ModelStreamInferResponse'

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
 * gives the same object (tested against it), except that varints are read to their last byte
 * where protobufjs skips a long one's tail blind; a known field with the wrong wire type and a
 * parameter without a value are errors. https://protobuf.dev/programming-guides/encoding/
 */

const VARINT = 0
const I64 = 1
const LEN = 2
const START_GROUP = 3
const END_GROUP = 4
const I32 = 5

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

  string(end: number, memo?: TextMemo): string {
    const stop = this.limit(end)
    const s = memo ? memo.text(this.buf, this.pos, stop) : this.buf.toString('utf8', this.pos, stop)
    this.pos = stop
    return s
  }

  bytes(end: number): Buffer {
    const stop = this.limit(end)
    const b = this.buf.subarray(this.pos, stop)
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

/**
 * Where the values of a repeated scalar end: packed (one length-delimited run) or one value
 * (its own field, wire type `one`).
 */
function runEnd(r: WireReader, wire: number, end: number, one: number): number {
  if (wire === LEN) return r.limit(end)
  expect(r, wire, one)
  return -1
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
        expect(r, wire, LEN)
        p.string_param = r.string(end)
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
  expect(r, wire, LEN)
  const at = r.pos
  const stop = r.limit(end)
  let name = ''
  let value: InferParameter__Output | undefined
  while (r.pos < stop) {
    const key = r.key(stop)
    if (key === ((1 << 3) | LEN)) name = r.string(stop, PARAMETER_NAMES)
    else if (key === ((2 << 3) | LEN)) value = readParameter(r, r.limit(stop))
    else if (key >>> 3 === 1 || key >>> 3 === 2) expect(r, key & 7, LEN)
    else r.skip(key & 7, stop)
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
    let stop: number
    switch (key >>> 3) {
      case 1:
        stop = runEnd(r, wire, end, VARINT)
        do c.bool_contents.push(r.bool(stop < 0 ? end : stop))
        while (r.pos < stop)
        break
      case 2:
        stop = runEnd(r, wire, end, VARINT)
        do c.int_contents.push(r.int32(stop < 0 ? end : stop))
        while (r.pos < stop)
        break
      case 3:
        stop = runEnd(r, wire, end, VARINT)
        do c.int64_contents.push(r.int64(stop < 0 ? end : stop, true))
        while (r.pos < stop)
        break
      case 4:
        stop = runEnd(r, wire, end, VARINT)
        do c.uint_contents.push(r.varint(stop < 0 ? end : stop))
        while (r.pos < stop)
        break
      case 5:
        stop = runEnd(r, wire, end, VARINT)
        do c.uint64_contents.push(r.int64(stop < 0 ? end : stop, false))
        while (r.pos < stop)
        break
      case 6:
        stop = runEnd(r, wire, end, I32)
        do c.fp32_contents.push(r.float(stop < 0 ? end : stop))
        while (r.pos < stop)
        break
      case 7:
        stop = runEnd(r, wire, end, I64)
        do c.fp64_contents.push(r.double(stop < 0 ? end : stop))
        while (r.pos < stop)
        break
      case 8:
        expect(r, wire, LEN)
        c.bytes_contents.push(r.bytes(end))
        break
      default:
        r.skip(wire, end)
    }
  }
  return c
}

function readOutput(r: WireReader, end: number): OutputTensor {
  const o: OutputTensor = { name: '', datatype: '', shape: [], parameters: {}, contents: null }
  while (r.pos < end) {
    const key = r.key(end)
    const wire = key & 7
    switch (key >>> 3) {
      case 1:
        expect(r, wire, LEN)
        o.name = r.string(end, OUTPUT_NAMES)
        break
      case 2:
        expect(r, wire, LEN)
        o.datatype = r.string(end, DATATYPES)
        break
      case 3: {
        const stop = runEnd(r, wire, end, VARINT)
        do o.shape.push(r.int64(stop < 0 ? end : stop, true))
        while (r.pos < stop)
        break
      }
      case 4:
        readParameterEntry(r, wire, end, o.parameters)
        break
      case 5:
        expect(r, wire, LEN)
        o.contents = readContents(r, r.limit(end))
        break
      default:
        r.skip(wire, end)
    }
  }
  return o
}

function readResponse(r: WireReader, end: number): ModelInferResponse__Output {
  const m: ModelInferResponse__Output = {
    model_name: '',
    model_version: '',
    id: '',
    parameters: {},
    outputs: [],
    raw_output_contents: [],
  }
  while (r.pos < end) {
    const key = r.key(end)
    const wire = key & 7
    switch (key >>> 3) {
      case 1:
        expect(r, wire, LEN)
        m.model_name = r.string(end, MODEL_NAMES)
        break
      case 2:
        expect(r, wire, LEN)
        m.model_version = r.string(end, VERSIONS)
        break
      case 3:
        expect(r, wire, LEN)
        m.id = r.string(end)
        break
      case 4:
        readParameterEntry(r, wire, end, m.parameters)
        break
      case 5:
        expect(r, wire, LEN)
        m.outputs.push(readOutput(r, r.limit(end)))
        break
      case 6:
        expect(r, wire, LEN)
        m.raw_output_contents.push(r.bytes(end))
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
        expect(r, wire, LEN)
        m.error_message = r.string(end)
        break
      case 2:
        expect(r, wire, LEN)
        m.infer_response = readResponse(r, r.limit(end))
        break
      default:
        r.skip(wire, end)
    }
  }
  return m
}
