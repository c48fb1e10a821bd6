import { WireReader } from './wire-reader'
import { LEN } from './wire-types'

/**
 * Where the bytes of the first output tensor start in an encoded ModelStreamInferResponse, read
 * from the message's first bytes: the reader puts that offset on an 8-byte boundary, so the
 * tensor (a 2.8 MB YOLOv8 head) is decoded as a view of the message instead of being copied to
 * an aligned buffer. Fields are skipped by their lengths, so only the tags and lengths before
 * the tensor need to be there. https://protobuf.dev/programming-guides/encoding/
 */

/** ModelStreamInferResponse.infer_response, and in it ModelInferResponse.raw_output_contents. */
const INFER_RESPONSE_KEY = (2 << 3) | LEN
const RAW_OUTPUT_CONTENTS_KEY = (6 << 3) | LEN

/**
 * The offset of the first raw_output_contents' bytes in a ModelStreamInferResponse whose first
 * bytes are `head`, or undefined when `head` ends before it or the response has none.
 */
export function firstRawOutputOffset(head: Buffer): number | undefined {
  const r = new WireReader(head)
  const end = head.length
  try {
    // Top level: skip error_message, enter infer_response (which may run on past `head`).
    let inner = -1
    while (r.pos < (inner < 0 ? end : Math.min(end, inner))) {
      const key = r.key(end)
      if (inner < 0 && key === INFER_RESPONSE_KEY) {
        const length = r.varint(end)
        inner = r.pos + length
      } else if (inner >= 0 && key === RAW_OUTPUT_CONTENTS_KEY) {
        r.varint(end)
        return r.pos
      } else r.skip(key & 7, end)
    }
  } catch {
    // `head` ends inside a field before the tensor (or is not a response): not placeable.
  }
  return undefined
}
