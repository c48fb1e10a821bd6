import type { OutputView } from './single-request'
import { safeLine } from './safe-text'

/**
 * An output as one line, in the CLI and the Request view alike: a single text element as the
 * text itself, a small tensor nested by its shape, a large one as its first values and a
 * count. Server text passes through safeLine: it is data, and must not drive a terminal.
 */

/** Tensors up to this many elements are printed whole, nested by shape. */
export const WHOLE_TENSOR_VALUES = 64
/** Of a larger tensor, this many values are printed before the count. */
const HEAD_VALUES = 16
const TEXT_CHARS = 2000

function scalar(v: number | string | boolean): string {
  if (typeof v === 'string') return JSON.stringify(safeLine(v, TEXT_CHARS))
  if (typeof v === 'number' && !Number.isInteger(v)) return String(Number(v.toPrecision(6)))
  return String(v)
}

function nested(values: readonly (number | string | boolean)[], shape: readonly number[]): string {
  if (shape.length <= 1) return `[${values.map(scalar).join(', ')}]`
  const rows = shape[0]
  const size = rows === 0 ? 0 : values.length / rows
  const parts: string[] = []
  for (let r = 0; r < rows; r++)
    parts.push(nested(values.slice(r * size, (r + 1) * size), shape.slice(1)))
  return `[${parts.join(', ')}]`
}

/** The values of one output, as short as they can be told. */
export function valuesText(o: OutputView): string {
  if (o.datatype === 'BYTES' && o.count === 1 && typeof o.values[0] === 'string') {
    return safeLine(o.values[0], TEXT_CHARS) || '""'
  }
  if (o.count <= WHOLE_TENSOR_VALUES && !o.truncated) {
    return o.shape.length === 0 ? scalar(o.values[0] ?? '') : nested(o.values, o.shape)
  }
  const head = o.values.slice(0, HEAD_VALUES).map(scalar).join(', ')
  return `[${head}, … ${o.count} values]`
}

/** "WORD BYTES [1]: hello" (prefixed with the response number when a model answers in parts). */
export function outputLine(o: OutputView, responseIndex?: number): string {
  const head = `${safeLine(o.name, 256)} ${o.datatype} [${o.shape.join(', ')}]`
  return `${responseIndex !== undefined ? `#${responseIndex} ` : ''}${head}: ${valuesText(o)}`
}
