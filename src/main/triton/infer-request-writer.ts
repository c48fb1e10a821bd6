import { inferRequestHead, type InferRequestSpec } from './infer-messages'
import { loadTritonProto } from './proto-loader'
import { encodeTensorInto, tensorByteLength } from './tensor-codec'

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
 * Buffers for large request messages, reused from one request to the next: a 4.9 MB frame then
 * costs no fresh allocation (page faults, and garbage the collector must sweep). A buffer is
 * given back from the write callback of its call: grpc-js frames each message into a buffer of
 * its own (its compression filter) before it passes it on, and calls back only after that, so
 * the message's bytes are never read again. One set per stream; small messages are not kept.
 */
export class MessageBuffers {
  private readonly free: Buffer[] = []

  constructor(
    private readonly keep = 4,
    private readonly minBytes = 64 * 1024,
  ) {}

  take(size: number): Buffer {
    if (size < this.minBytes) return Buffer.allocUnsafe(size)
    const i = this.free.findIndex((b) => b.length === size)
    return i >= 0 ? this.free.splice(i, 1)[0] : Buffer.allocUnsafeSlow(size)
  }

  give(buffer: Buffer): void {
    if (buffer.length >= this.minBytes && this.free.length < this.keep) this.free.push(buffer)
  }
}

/**
 * A ModelInferRequest as the bytes on the wire, byte for byte what protobufjs writes for
 * `buildInferRequest(spec)`, with each tensor's bytes copied once, straight into the message.
 * protobufjs writes every field but raw_input_contents (the small ones); each tensor then
 * follows its field 7 tag and length, which is where protobufjs puts them too. Every tensor's
 * size is checked against its shape before the message is allocated (from `buffers` when
 * given; the caller gives the buffer back once the message has been written).
 */
export function serializeInferRequest(spec: InferRequestSpec, buffers?: MessageBuffers): Buffer {
  const lengths = spec.inputs.map(tensorByteLength)
  const head = loadTritonProto().inference.GRPCInferenceService.service.ModelInfer.requestSerialize(
    inferRequestHead(spec),
  )
  let total = head.length
  for (const n of lengths) total += 1 + varintLength(n) + n
  const out = buffers ? buffers.take(total) : Buffer.allocUnsafe(total)
  let at = head.copy(out, 0)
  spec.inputs.forEach((tensor, i) => {
    out[at++] = RAW_INPUT_CONTENTS_TAG
    at = writeVarint(out, at, lengths[i])
    at = encodeTensorInto(tensor, out, at)
  })
  return out
}
