import { I32, I64, LEN, VARINT } from './wire-types'

/**
 * Where the bytes of the first output tensor start in an encoded ModelStreamInferResponse, read
 * from the message's first bytes: the reader puts that offset on an 8-byte boundary, so the
 * tensor (a 2.8 MB YOLOv8 head) is decoded as a view of the message instead of being copied to
 * an aligned buffer. Fields are skipped by their lengths, so only the tags and lengths before
 * the tensor need to be there. https://protobuf.dev/programming-guides/encoding/
 *
 * It reads on its own rather than through wire-reader.ts: its input is cut off by design (the
 * first DATA frame of an answer), and the strict reader says so by throwing, which cost a cut
 * head 6.8 µs against 0.15 here, once per answer.
 */

/** ModelStreamInferResponse.infer_response, and in it ModelInferResponse.raw_output_contents. */
const INFER_RESPONSE_FIELD = 2
const RAW_OUTPUT_CONTENTS_FIELD = 6

/** Where the last `varint` read ended; a module slot, so reading allocates nothing. */
let after = 0

/** The varint at `at` (its end goes to `after`), or -1 when it runs past `end`. */
function varint(buf: Buffer, at: number, end: number): number {
  let value = 0
  let scale = 1
  for (let i = at; i < end && i < at + 8; i++) {
    value += (buf[i] & 0x7f) * scale
    if (buf[i] < 0x80) {
      after = i + 1
      return value
    }
    scale *= 128
  }
  return -1
}

/** The offset after the field at `at` whose key is `key`, or -1. */
function skip(buf: Buffer, key: number, at: number, end: number): number {
  switch (key & 7) {
    case VARINT:
      return varint(buf, at, end) < 0 ? -1 : after
    case I64:
      return at + 8
    case I32:
      return at + 4
    case LEN: {
      const length = varint(buf, at, end)
      return length < 0 ? -1 : after + length
    }
    default:
      return -1
  }
}

/**
 * The offset of the first raw_output_contents' bytes in a ModelStreamInferResponse whose first
 * bytes are `head`, or undefined when `head` ends before it or the response has none.
 */
export function firstRawOutputOffset(head: Buffer): number | undefined {
  const end = head.length
  let at = 0
  // Top level: skip error_message, enter infer_response (which ends at `inner`).
  let inside = false
  let inner = end
  while (at < Math.min(end, inner)) {
    const key = varint(head, at, end)
    if (key < 0) return undefined
    at = after
    const field = Math.floor(key / 8)
    if (!inside && field === INFER_RESPONSE_FIELD && (key & 7) === LEN) {
      const length = varint(head, at, end)
      if (length < 0) return undefined
      at = after
      inside = true
      inner = at + length
      continue
    }
    if (inside && field === RAW_OUTPUT_CONTENTS_FIELD && (key & 7) === LEN) {
      return varint(head, at, end) < 0 ? undefined : after
    }
    const next = skip(head, key, at, end)
    if (next < 0) return undefined
    at = next
  }
  return undefined
}
