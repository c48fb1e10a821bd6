/**
 * 16-bit PCM, the form microphone audio crosses from the page to main in: half the bytes of
 * float32 and what capture hardware delivers anyway. One scale both ways, so a sample survives
 * a round trip exactly.
 */
export const PCM16_FULL_SCALE = 32767

/** Float samples (clamped to ±1) as 16-bit PCM. */
export function toPcm16(samples: Float32Array, out = new Int16Array(samples.length)): Int16Array {
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]
    out[i] = Math.round((s > 1 ? 1 : s < -1 ? -1 : s) * PCM16_FULL_SCALE)
  }
  return out
}

/** Mono audio as a source hands it over: 16-bit PCM from the page, floats from a decoder. */
export type Pcm = Float32Array | Int16Array

/** Copies the first `n` samples of `src` into `out` at `at`, as floats. */
export function copyPcm(src: Pcm, n: number, out: Float32Array, at: number): void {
  if (src instanceof Float32Array) {
    out.set(src.subarray(0, n), at)
    return
  }
  for (let i = 0; i < n; i++) out[at + i] = src[i] / PCM16_FULL_SCALE
}
