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
export function transcriptOf(result: InferResult, outputName?: string): string {
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

/** Root-mean-square level of the first `n` samples; used to find silence between utterances. */
export function rms(samples: Float32Array, n = samples.length): number {
  if (n <= 0) return 0
  let sum = 0
  for (let i = 0; i < n; i++) sum += samples[i] * samples[i]
  return Math.sqrt(sum / n)
}
