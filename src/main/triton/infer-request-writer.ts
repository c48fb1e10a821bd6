import { inferRequestHead, type InferRequestSpec } from './infer-messages'
import { writeRequestHead } from './request-head-writer'
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
  /** Room of whole 64 KiB steps, so requests a few bytes apart (longer ids) share buffers. */
  private static readonly STEP = 64 * 1024
  private readonly free: ArrayBuffer[] = []
  private readonly ours = new WeakSet<ArrayBuffer>()

  constructor(private readonly keep = 4) {}

  take(size: number): Buffer {
    if (size < MessageBuffers.STEP) return Buffer.allocUnsafe(size)
    const room = Math.ceil(size / MessageBuffers.STEP) * MessageBuffers.STEP
    const i = this.free.findIndex((b) => b.byteLength === room)
    let memory: ArrayBuffer
    if (i >= 0) memory = this.free.splice(i, 1)[0]
    else {
      memory = Buffer.allocUnsafeSlow(room).buffer as ArrayBuffer
      this.ours.add(memory)
    }
    return Buffer.from(memory, 0, size)
  }

  give(buffer: Buffer): void {
    const memory = buffer.buffer as ArrayBuffer
    if (!this.ours.has(memory) || this.free.includes(memory)) return
    // The newest are kept: a stream whose requests changed size lets the old ones go.
    this.free.push(memory)
    if (this.free.length > this.keep) this.free.shift()
  }
}

/**
 * A ModelInferRequest as the bytes on the wire, byte for byte what protobufjs writes for
 * `buildInferRequest(spec)`, with each tensor's bytes copied once, straight into the message.
 * The small fields (everything but raw_input_contents) are written by hand as protobufjs writes
 * them (request-head-writer.ts); each tensor then follows its field 7 tag and length, which is
 * where protobufjs puts them too. Every tensor's
 * size is checked against its shape before the message is allocated (from `buffers` when
 * given; the caller gives the buffer back once the message has been written).
 */
export function serializeInferRequest(spec: InferRequestSpec, buffers?: MessageBuffers): Buffer {
  const lengths = spec.inputs.map(tensorByteLength)
  const head = writeRequestHead(inferRequestHead(spec))
  let total = head.length
  for (const n of lengths) total += 1 + varintLength(n) + n
  const out = buffers ? buffers.take(total) : Buffer.allocUnsafe(total)
  let at = head.copyTo(out)
  spec.inputs.forEach((tensor, i) => {
    out[at++] = RAW_INPUT_CONTENTS_TAG
    at = writeVarint(out, at, lengths[i])
    at = encodeTensorInto(tensor, out, at)
  })
  return out
}
