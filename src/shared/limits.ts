/**
 * The bounds on everything that crosses IPC, comes from a profile or comes from a server, in
 * one place. Each is far above what a real model or device uses and far below what would
 * exhaust memory, so a hostile or broken peer gets a clear refusal instead of an allocation
 * failure (`Invalid typed array length`) or a frozen window.
 */

export const MIN_SAMPLE_RATE = 1000
export const MAX_SAMPLE_RATE = 192_000
/** Samples per request: 60 s at 16 kHz. */
export const MIN_CHUNK_SAMPLES = 160
export const MAX_CHUNK_SAMPLES = 960_000
/** Samples in one IPC audio message: 10 s at the highest rate. */
export const MAX_AUDIO_MESSAGE_SAMPLES = 1_920_000
/** Longest hop, window or silence a profile may ask for, in seconds. */
export const MAX_AUDIO_SECONDS = 600
/** Width or height of a model's input image. */
export const MAX_VISION_SIZE = 4096
/** Width or height of a camera frame or a video (8K is 7680). */
export const MAX_SOURCE_SIZE = 16_384

/** An endpoint's deadline for unary calls, in milliseconds. */
export const TIMEOUT_MS = { min: 100, max: 600_000 } as const
/** How long one streamed request may wait for its answer, in milliseconds (up to an hour). */
export const ANSWER_DEADLINE_MS = { min: 100, max: 3_600_000 } as const

/** Model, tensor, version and header names. */
export const MAX_NAME_CHARS = 256
/** A constant or prompt value in a profile. */
export const MAX_VALUE_CHARS = 16_384
export const MAX_LABELS = 100_000
export const MAX_LABEL_CHARS = 256
export const MAX_PATH_CHARS = 4096
/** One transcript: a 30 s window of fast speech is about 600 characters. */
export const MAX_TRANSCRIPT_CHARS = 10_000
/** A token or header value (a JWT is about 1 kB; 8 kB is the common header-size limit). */
export const MAX_HEADER_VALUE_CHARS = 8192

/** Inputs or outputs of one model, in metadata, config, a profile or a response. */
export const MAX_TENSORS_PER_MODEL = 256
export const MAX_TENSOR_RANK = 16
/** Elements of one tensor (256 MB of FP32); also the largest single dimension. */
export const MAX_TENSOR_ELEMENTS = 2 ** 26

/** Elements of a shape whose dims are all concrete; NaN when a dim is not a whole number >= 0. */
export function concreteElementCount(shape: readonly number[]): number {
  let n = 1
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) return NaN
    n *= d
  }
  return n
}

/**
 * Why a shape cannot be used, or undefined when it can: rank, each dimension (-1 allowed when
 * `variable`), and the element count of its concrete dims, all checked before anything is
 * allocated from it.
 */
export function shapeProblem(shape: readonly number[], variable: boolean): string | undefined {
  if (shape.length > MAX_TENSOR_RANK) return `rank ${shape.length} is above ${MAX_TENSOR_RANK}`
  let n = 1
  // Indexed rather than for-of: checked for every tensor of every request and answer, and an
  // unoptimised for-of makes an iterator result per dimension.
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]
    if (variable && d === -1) continue
    if (!Number.isInteger(d) || d < 0) {
      return `dimension ${d} is not ${variable ? '-1 or ' : ''}a whole number >= 0`
    }
    if (d > MAX_TENSOR_ELEMENTS) return `dimension ${d} is above ${MAX_TENSOR_ELEMENTS}`
    n *= d
  }
  if (n > MAX_TENSOR_ELEMENTS) return `${n} elements is above ${MAX_TENSOR_ELEMENTS}`
  return undefined
}
