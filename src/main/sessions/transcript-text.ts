import { MAX_TRANSCRIPT_CHARS } from '../../shared/limits'
import { safeLine } from '../../shared/safe-text'
import { DecodeError } from '../triton/decode-error'
import type { InferResult } from '../triton/infer-messages'
import { bytesToStrings } from '../triton/tensor-codec'

/**
 * The transcript in a response: the named BYTES output, or the first BYTES output. sherpa's
 * streaming scorer returns the hypothesis as several elements (tokens or words), joined here.
 * It is text for people: control characters and escape sequences are dropped and its length
 * capped here, so no panel, export or terminal receives them.
 */
export function transcriptOf(result: InferResult | undefined, outputName?: string): string {
  if (!result) throw new Error("the server's answer carried no response")
  const tensor =
    (outputName ? result.outputs.get(outputName) : undefined) ??
    [...result.outputs.values()].find((t) => t.datatype === 'BYTES')
  if (!tensor) {
    throw new DecodeError(
      `the server's output has no text output${outputName ? ` named '${outputName}'` : ''}; ` +
        `outputs: ${[...result.outputs.keys()].join(', ') || 'none'}`,
      { tensor: outputName },
    )
  }
  return safeLine(bytesToStrings(tensor).join(' ').replace(/\s+/g, ' '), MAX_TRANSCRIPT_CHARS)
}
