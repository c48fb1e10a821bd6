/**
 * How every JSON writer of ours rounds numbers, so no float noise (198.72160899999994) reaches
 * a file or a pipe. The key says the unit: `…Ms` to 0.01 ms, `…Sec` to the millisecond;
 * anything else keeps 6 significant digits. Integers pass through untouched.
 */
export function roundJsonNumber(key: string, value: number): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) return value
  if (key.endsWith('Ms')) return roundTo(value, 2)
  if (key.endsWith('Sec')) return roundTo(value, 3)
  return Number(value.toPrecision(6))
}

/** Half away from zero at `digits` decimals; the epsilon keeps 1.005 from rounding down. */
function roundTo(value: number, digits: number): number {
  const f = 10 ** digits
  const r = Math.round(Math.abs(value) * f * (1 + Number.EPSILON)) / f
  return r === 0 ? 0 : Math.sign(value) * r
}

/** A JSON.stringify replacer that applies `roundJsonNumber`; array items take their array's key. */
export function roundingReplacer(): (this: unknown, key: string, value: unknown) => unknown {
  const arrayKeys = new WeakMap<object, string>()
  return function (this: unknown, key: string, value: unknown): unknown {
    const holder = this as object
    const effectiveKey = Array.isArray(holder) ? (arrayKeys.get(holder) ?? '') : key
    if (Array.isArray(value)) arrayKeys.set(value, effectiveKey)
    return typeof value === 'number' ? roundJsonNumber(effectiveKey, value) : value
  }
}

/** JSON text with every number rounded by `roundJsonNumber`; one line unless `indent` is given. */
export function toRoundedJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, roundingReplacer(), indent)
}
