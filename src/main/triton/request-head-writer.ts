import type { InferParameter } from './generated/inference/InferParameter'
import type { ModelInferRequest } from './generated/inference/ModelInferRequest'
import { I64, LEN, VARINT } from './wire-types'

type Long = NonNullable<InferParameter['int64_param']>

/** A 64-bit integer field as protobufjs takes it: a number, a decimal string or a Long. */
function toBigInt(v: Long): bigint {
  if (typeof v === 'number') return BigInt(v)
  if (typeof v === 'string') return BigInt(v)
  return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0)
}

/** Decimal strings that are certainly safe integers (at most 15 digits). */
const SAFE_DECIMAL = /^[0-9]{1,15}$/

/**
 * Writes the small fields of a ModelInferRequest (everything but raw_input_contents) by hand,
 * byte for byte as protobufjs encodes them, into one scratch buffer reused from call to call: a
 * 100 ms audio request then makes no garbage here. Length-delimited fields get a 5-byte hole for
 * their length, closed up once the length is known.
 */
class HeadWriter {
  private buf = Buffer.allocUnsafe(4096)
  private at = 0

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n))
    bigger.set(this.buf.subarray(0, this.at))
    this.buf = bigger
  }

  private varint(n: number): void {
    this.room(10)
    let v = n
    while (v >= 0x80) {
      this.buf[this.at++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    this.buf[this.at++] = v
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire)
  }

  private int64(field: number, v: Long): void {
    this.tag(field, VARINT)
    this.int64Value(v)
  }

  /** int64 as protobufjs writes it: negative values as their 64-bit two's complement. */
  private int64Value(v: Long): void {
    if (typeof v === 'number' && v >= 0 && Number.isSafeInteger(v)) return this.varint(v)
    // A sequence id arrives as a decimal string on every request: no BigInt for the usual size.
    if (typeof v === 'string' && SAFE_DECIMAL.test(v)) return this.varint(Number(v))
    let u = BigInt.asUintN(64, toBigInt(v))
    this.room(10)
    while (u >= 0x80n) {
      this.buf[this.at++] = Number(u & 0x7fn) | 0x80
      u >>= 7n
    }
    this.buf[this.at++] = Number(u)
  }

  string(field: number, s: string): void {
    this.tag(field, LEN)
    const length = Buffer.byteLength(s)
    this.varint(length)
    this.room(length)
    this.at += this.buf.write(s, this.at, 'utf8')
  }

  /** Starts a length-delimited field; `close` writes its length. */
  open(field: number): number {
    this.tag(field, LEN)
    this.room(5)
    this.at += 5
    return this.at
  }

  close(start: number): void {
    const length = this.at - start
    let size = 1
    for (let v = length; v >= 0x80; v = Math.floor(v / 0x80)) size++
    // Move the contents back to just after the length's real size (copyWithin: a memmove that,
    // unlike Buffer#copy with offsets, allocates no view; this runs a dozen times a request).
    this.buf.copyWithin(start - 5 + size, start, this.at)
    let at = start - 5
    let v = length
    while (v >= 0x80) {
      this.buf[at++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    this.buf[at] = v
    this.at -= 5 - size
  }

  parameter(p: InferParameter): void {
    // Exactly one member of the oneof is set; protobufjs writes it (default value or not).
    if (p.bool_param !== undefined) {
      this.tag(1, VARINT)
      this.varint(p.bool_param ? 1 : 0)
    } else if (p.int64_param !== undefined) this.int64(2, p.int64_param)
    else if (p.string_param !== undefined) this.string(3, p.string_param)
    else if (p.double_param !== undefined) {
      this.tag(4, I64)
      this.room(8)
      this.buf.writeDoubleLE(Number(p.double_param), this.at)
      this.at += 8
    } else if (p.uint64_param !== undefined) this.int64(5, p.uint64_param)
  }

  /** A map<string, InferParameter> field: one entry message per key, in key order. */
  parameters(field: number, map: Record<string, InferParameter> | undefined): void {
    for (const key of Object.keys(map ?? {})) {
      const entry = this.open(field)
      this.string(1, key)
      const value = this.open(2)
      this.parameter((map as Record<string, InferParameter>)[key])
      this.close(value)
      this.close(entry)
    }
  }

  request(m: ModelInferRequest): number {
    this.at = 0
    if (m.model_name !== undefined) this.string(1, m.model_name)
    if (m.model_version !== undefined) this.string(2, m.model_version)
    if (m.id !== undefined) this.string(3, m.id)
    this.parameters(4, m.parameters)
    for (const input of m.inputs ?? []) {
      const start = this.open(5)
      if (input.name !== undefined) this.string(1, input.name)
      if (input.datatype !== undefined) this.string(2, input.datatype)
      const shape = input.shape
      if (shape?.length) {
        const dims = this.open(3)
        // Packed: the dims' varints without tags.
        for (let i = 0; i < shape.length; i++) this.int64Value(shape[i])
        this.close(dims)
      }
      this.parameters(4, input.parameters)
      this.close(start)
    }
    for (const output of m.outputs ?? []) {
      const start = this.open(6)
      if (output.name !== undefined) this.string(1, output.name)
      this.parameters(2, output.parameters)
      this.close(start)
    }
    return this.at
  }

  copyTo(out: Buffer): number {
    return this.buf.copy(out, 0, 0, this.at)
  }
}

const writer = new HeadWriter()

/**
 * The encoded small fields of `m` (no raw_input_contents): their length now, their bytes once
 * `copyTo` is called, before the next call. Tensors, contents and raw bytes are not written.
 */
export function writeRequestHead(m: ModelInferRequest): {
  length: number
  copyTo(out: Buffer): number
} {
  const length = writer.request(m)
  return { length, copyTo: (out) => writer.copyTo(out) }
}
