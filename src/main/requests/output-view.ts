import {
  MAX_OUTPUT_TEXT_CHARS,
  MAX_OUTPUT_VALUES_SHOWN,
  type OutputView,
  type ResponseView,
} from '../../shared/single-request'
import { capText } from '../../shared/safe-text'
import type { InferResult, ParsedParameter } from '../triton/infer-messages'
import type { DecodedTensor } from '../triton/tensor-codec'

/**
 * A response's outputs as plain values a window or a terminal can show: numbers, text for BYTES
 * (server text, shown as data, never interpreted), booleans for BOOL; at most `maxValues` per
 * output, the rest counted.
 */

/** BYTES as UTF-8 when it is valid UTF-8, else with each byte outside ASCII as \xNN. */
export function bytesText(bytes: Uint8Array, maxChars = MAX_OUTPUT_TEXT_CHARS): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes)
  if (!text.includes('\ufffd')) return capText(text, maxChars)
  let out = ''
  for (const b of bytes) {
    out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`
    if (out.length > maxChars) break
  }
  return capText(out, maxChars)
}

function value(t: DecodedTensor, i: number): number | string | boolean {
  const v = (t.data as ArrayLike<unknown>)[i]
  if (t.datatype === 'BYTES') return bytesText(v as Uint8Array)
  if (t.datatype === 'BOOL') return v !== 0
  if (typeof v === 'bigint') {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(v)
      : v.toString()
  }
  return v as number
}

export function outputView(t: DecodedTensor, maxValues = MAX_OUTPUT_VALUES_SHOWN): OutputView {
  const count = t.data.length
  const shown = Math.min(count, maxValues)
  const values = new Array<number | string | boolean>(shown)
  for (let i = 0; i < shown; i++) values[i] = value(t, i)
  return {
    name: t.name,
    datatype: t.datatype,
    shape: [...t.shape],
    count,
    values,
    truncated: shown < count,
  }
}

function parameterText(v: ParsedParameter): string {
  return v === undefined ? '' : String(v)
}

/** One response as the view shows it; the final flag Triton adds is `final`, not a parameter. */
export function responseView(
  result: InferResult,
  index: number,
  final: boolean,
  atMs: number,
  maxValues = MAX_OUTPUT_VALUES_SHOWN,
): ResponseView {
  const parameters: Record<string, string> = {}
  for (const [k, v] of Object.entries(result.parameters)) {
    if (k !== 'triton_final_response') parameters[k] = parameterText(v)
  }
  return {
    index,
    final,
    atMs,
    outputs: [...result.outputs.values()].map((t) => outputView(t, maxValues)),
    parameters,
  }
}
