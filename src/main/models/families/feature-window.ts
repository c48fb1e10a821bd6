/**
 * The arithmetic of a streaming fbank front end (kaldifeat, as sherpa's and WeNet's Triton
 * feature extractors use it), so the app sends the first chunk those servers insist on.
 */

export interface FeatureWindow {
  sampleRate: number
  frameLengthMs: number
  frameShiftMs: number
  /** Samples the server consumes per later chunk. */
  chunkSamples: number
  /** Feature frames the encoder's first call needs (the feature extractor's output dims[-2]). */
  decodeWindow: number
}

/** Kaldi's NumFrames with snip_edges = true (kaldifeat's default): whole frames only. */
export function kaldiFrames(
  samples: number,
  w: Pick<FeatureWindow, 'sampleRate' | 'frameLengthMs' | 'frameShiftMs'>,
): number {
  const length = Math.trunc((w.frameLengthMs * w.sampleRate) / 1000)
  const shift = Math.trunc((w.frameShiftMs * w.sampleRate) / 1000)
  if (samples < length) return 0
  return 1 + Math.floor((samples - length) / shift)
}

/**
 * The first chunk the server accepts. Both feature extractors (k2-fsa/sherpa
 * `triton/model_repo_streaming/feature_extractor/1/model.py` and wenet-e2e/wenet
 * `runtime/gpu/model_repo_stateful/feature_extractor/1/model.py`) start from the chunk size and
 * add one frame shift of samples until the chunk yields `decodeWindow` frames; a shorter first
 * chunk raises "Invalid first chunk size".
 */
export function firstChunkSamples(w: FeatureWindow): number {
  const step = Math.trunc((w.frameShiftMs * w.sampleRate) / 1000)
  let samples = w.chunkSamples
  // Bounded: each step adds a frame, so decodeWindow steps always reach the window.
  for (let i = 0; i <= w.decodeWindow && kaldiFrames(samples, w) < w.decodeWindow; i++) {
    samples += step
  }
  return samples
}

/** icefall's encoder input window: (chunk + 2 + right context) x subsampling + 3 frames. */
export function icefallDecodeWindow(
  chunkFrames: number,
  rightContext: number,
  subsampling = 4,
): number {
  return (chunkFrames + 2 + rightContext) * subsampling + 3
}
