import { inferRequestHead, type InferRequestSpec } from './infer-messages'
import { writeRequestHead } from './request-head-writer'
import { encodeTensorInto, ownBytes, tensorByteLength } from './tensor-codec'

/** raw_input_contents: field 7, length-delimited. The last field of ModelInferRequest. */
const RAW_INPUT_CONTENTS_TAG = (7 << 3) | 2

function varintLength(n: number): number {
  let length = 1
  for (let v = n; v >= 0x80; v = Math.floor(v / 0x80)) length++
  return length
}

function writeVarint(out: Buffer, at: number, n: number): number {
  let v = n
  while (v >= 0x80) {
    out[at++] = (v % 0x80) | 0x80
    v = Math.floor(v / 0x80)
  }
  out[at++] = v
  return at
}

/**
 * Tensors at least this large whose memory already holds their raw contents are sent from that
 * memory; smaller ones are copied next to their field's tag, which costs less than a write of
 * their own.
 */
export const INLINE_BELOW = 16 * 1024

/** A request message as the pieces written to the wire one after another, and its length. */
export interface RequestParts {
  parts: Buffer[]
  length: number
  /** The pieces written here, in memory from `alloc` (the rest are the tensors' own memory). */
  own: Buffer[]
}

/** How a request is written: which tensors are copied, and into what memory. */
export interface RequestWriting {
  /** Tensors smaller than this are copied next to their tag (default INLINE_BELOW). */
  inlineBelow?: number
  /** Memory for the pieces written here (default `Buffer.allocUnsafe`). */
  alloc?: (size: number) => Buffer
}

/**
 * A ModelInferRequest as the bytes on the wire, byte for byte what protobufjs writes for
 * `buildInferRequest(spec)`, in pieces: what is written here (the small fields, each tensor's
 * field 7 tag and length, the tensors smaller than `inlineBelow` or that need converting) and,
 * between them, each large tensor's own memory, never copied. The small fields are written by
 * hand as protobufjs writes them (request-head-writer.ts); each tensor follows its tag and
 * length, where protobufjs puts it too. Every tensor's size is checked against its shape before
 * anything is allocated. The pieces hold the tensors' memory: keep it unchanged until they are
 * written. `alloc` gives the memory for the pieces written here (`own`).
 */
export function inferRequestParts(
  spec: InferRequestSpec,
  { inlineBelow = INLINE_BELOW, alloc = (size) => Buffer.allocUnsafe(size) }: RequestWriting = {},
): RequestParts {
  const lengths = spec.inputs.map(tensorByteLength)
  const head = writeRequestHead(inferRequestHead(spec))
  const views = spec.inputs.map((t, i) => (lengths[i] >= inlineBelow ? ownBytes(t) : undefined))
  // The written pieces' sizes: each ends where a tensor follows from its own memory.
  const sizes = [head.length]
  let length = head.length
  lengths.forEach((n, i) => {
    const field = 1 + varintLength(n)
    length += field + n
    sizes[sizes.length - 1] += field
    if (views[i]) sizes.push(0)
    else sizes[sizes.length - 1] += n
  })
  const parts: Buffer[] = []
  let piece = 0
  let out = alloc(sizes[0])
  const own = [out]
  let at = head.copyTo(out)
  spec.inputs.forEach((tensor, i) => {
    out[at++] = RAW_INPUT_CONTENTS_TAG
    at = writeVarint(out, at, lengths[i])
    const view = views[i]
    if (!view) {
      at = encodeTensorInto(tensor, out, at)
      return
    }
    parts.push(out, view)
    out = alloc(sizes[++piece])
    own.push(out)
    at = 0
  })
  if (out.length > 0) parts.push(out)
  return { parts, length, own }
}

/** The whole request in one buffer (unary calls): every tensor copied once, into it. */
export function serializeInferRequest(spec: InferRequestSpec): Buffer {
  return inferRequestParts(spec, { inlineBelow: Infinity }).parts[0] ?? Buffer.alloc(0)
}
