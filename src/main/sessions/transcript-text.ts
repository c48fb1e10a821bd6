import type { InferResult } from '../triton/infer-messages'
import { bytesToStrings } from '../triton/tensor-codec'

/**
 * The transcript in a response: the named BYTES output, or the first BYTES output. sherpa's
 * streaming scorer returns the hypothesis as several elements (tokens or words), joined here.
 */
export function transcriptOf(result: InferResult | undefined, outputName?: string): string {
  if (!result) throw new Error("the server's answer carried no response")
  const tensor =
    (outputName ? result.outputs.get(outputName) : undefined) ??
    [...result.outputs.values()].find((t) => t.datatype === 'BYTES')
  if (!tensor) {
    throw new Error(
      `the server's answer has no text output${outputName ? ` named '${outputName}'` : ''}; ` +
        `outputs: ${[...result.outputs.keys()].join(', ') || 'none'}`,
    )
  }
  return bytesToStrings(tensor).join(' ').replace(/\s+/g, ' ').trim()
}
