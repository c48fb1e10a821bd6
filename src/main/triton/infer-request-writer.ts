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
 * A ModelInferRequest as the bytes on the wire, byte for byte what protobufjs writes for
 * `buildInferRequest(spec)`, with each tensor's bytes copied once, straight into the message.
 * protobufjs writes every field but raw_input_contents (the small ones); each tensor then
 * follows its field 7 tag and length, which is where protobufjs puts them too. Every tensor's
 * size is checked against its shape before the message is allocated.
 *
 * Not pooled: grpc-js may keep a written message (its retry buffer holds messages of up to
 * 1 MiB until the call commits), so each request gets its own buffer.
 */
export function serializeInferRequest(spec: InferRequestSpec): Buffer {
  const lengths = spec.inputs.map(tensorByteLength)
  const head = loadTritonProto().inference.GRPCInferenceService.service.ModelInfer.requestSerialize(
    inferRequestHead(spec),
  )
  let total = head.length
  for (const n of lengths) total += 1 + varintLength(n) + n
  const out = Buffer.allocUnsafe(total)
  let at = head.copy(out, 0)
  spec.inputs.forEach((tensor, i) => {
    out[at++] = RAW_INPUT_CONTENTS_TAG
    at = writeVarint(out, at, lengths[i])
    at = encodeTensorInto(tensor, out, at)
  })
  return out
}
