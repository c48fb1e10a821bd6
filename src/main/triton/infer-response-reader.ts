import type { InferParameter__Output } from './generated/inference/InferParameter'
import type { InferTensorContents__Output } from './generated/inference/InferTensorContents'
import type {
  ModelInferResponse__Output,
  _inference_ModelInferResponse_InferOutputTensor__Output as OutputTensor,
} from './generated/inference/ModelInferResponse'
import type { ModelStreamInferResponse__Output } from './generated/inference/ModelStreamInferResponse'
import { expect, malformed, TextMemo, WireReader } from './wire-reader'
import { I32, I64, LEN, VARINT } from './wire-types'

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

/** InferParameter's oneof members, in field-number order (1 to 5). */
const PARAMETER_CHOICES = [
  'bool_param',
  'int64_param',
  'string_param',
  'double_param',
  'uint64_param',
] as const

const MODEL_NAMES = new TextMemo()
const VERSIONS = new TextMemo()
const OUTPUT_NAMES = new TextMemo()
const DATATYPES = new TextMemo()
const PARAMETER_NAMES = new TextMemo()

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
