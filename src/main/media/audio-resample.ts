function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}

/**
 * Linear-interpolation resampler that can be fed in pieces (microphone buffers) and gives
 * bit-for-bit the output of resampling the whole concatenated input at once.
 *
 * Output sample k sits at input position k * fromRate / toRate. Positions are kept as exact
 * integers in units of 1/toRate (after reducing the ratio), so no rounding drift builds up
 * over a long stream and chunk boundaries cannot change a single value. An output is emitted
 * once both of its neighbours have arrived, so the input's final sample position bounds the
 * output: n input samples give floor((n - 1) * toRate / fromRate) + 1 outputs.
 *
 * Linear interpolation does not low-pass first, so downsampling aliases content above the new
 * Nyquist; speech from a microphone at 48 kHz to 16 kHz is the intended use.
 */
export class StreamingResampler {
  private readonly step: number
  private readonly unit: number
  /** Position of the next output, in 1/unit input samples, relative to `prev` (index 0). */
  private pos = 0
  /** The last input sample seen, needed to interpolate across a chunk boundary. */
  private prev: number | undefined

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    for (const [name, rate] of [
      ['fromRate', fromRate],
      ['toRate', toRate],
    ] as const) {
      if (!Number.isInteger(rate) || rate <= 0) {
        throw new RangeError(`${name} must be a positive integer, got ${rate}`)
      }
    }
    const g = gcd(fromRate, toRate)
    this.step = fromRate / g
    this.unit = toRate / g
  }

  push(input: Float32Array): Float32Array {
    const hasPrev = this.prev !== undefined
    // A virtual buffer [prev?, ...input]; index `last` is its final sample.
    const length = input.length + (hasPrev ? 1 : 0)
    if (length === 0) return new Float32Array(0)
    const last = length - 1
    const limit = last * this.unit
    const count = this.pos > limit ? 0 : Math.floor((limit - this.pos) / this.step) + 1
    const out = new Float32Array(count)
    const prev = this.prev ?? 0
    const at = (i: number): number => (hasPrev ? (i === 0 ? prev : input[i - 1]) : input[i])
    let pos = this.pos
    for (let k = 0; k < count; k++, pos += this.step) {
      const i = Math.floor(pos / this.unit)
      const rem = pos - i * this.unit
      const x0 = at(i)
      out[k] = rem === 0 ? x0 : x0 + (at(i + 1) - x0) * (rem / this.unit)
    }
    // Re-anchor on the last sample, which becomes `prev` for the next call.
    this.pos = pos - limit
    this.prev = at(last)
    return out
  }

  /** Forgets all state, as if newly constructed (e.g. when the microphone restarts). */
  reset(): void {
    this.pos = 0
    this.prev = undefined
  }
}

/** One-shot linear resampling; identical to feeding the input to a StreamingResampler. */
export function resampleLinear(
  input: Float32Array,
  fromRate: number,
  toRate: number,
): Float32Array {
  return new StreamingResampler(fromRate, toRate).push(input)
}
