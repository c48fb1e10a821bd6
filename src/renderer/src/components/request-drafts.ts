import type { ModelDetails } from '../../../shared/ipc-contract'
import type { RequestInput } from '../../../shared/single-request'

/**
 * What the Request view holds for each input while the user edits it, and how that becomes the
 * request main validates and sends. Pure, so the rules are tested without a window.
 */

/** JSON array or scalar; a fill value with a shape; text (BYTES); a file picked in the dialog. */
export type DraftMode = 'json' | 'fill' | 'text' | 'file'

export interface InputDraftState {
  name: string
  datatype: string
  declaredShape: number[]
  optional: boolean
  /** Optional inputs are left out until the user ticks them. */
  include: boolean
  mode: DraftMode
  /** The JSON, the fill value or the text. */
  text: string
  /** Comma-separated dims; empty means the metadata's shape. */
  shape: string
  /** For 'file': the path the open dialog returned. */
  path?: string
}

export const modesFor = (datatype: string): DraftMode[] =>
  datatype === 'BYTES' ? ['text', 'json', 'file'] : ['fill', 'json', 'file']

export const MODE_LABELS: Record<DraftMode, string> = {
  json: 'JSON',
  fill: 'Fill',
  text: 'Text',
  file: 'File',
}

/** A starting value for every input: zeros (or false) over the shape, empty text for BYTES. */
export function initialDrafts(details: ModelDetails): InputDraftState[] {
  const optional = new Set(details.optionalInputs ?? [])
  return details.inputs.map((i) => {
    const bytes = i.datatype === 'BYTES'
    return {
      name: i.name,
      datatype: i.datatype,
      declaredShape: i.shape,
      optional: optional.has(i.name),
      include: !optional.has(i.name),
      mode: bytes ? 'text' : 'fill',
      text: bytes ? '' : i.datatype === 'BOOL' ? 'false' : '0',
      shape: bytes ? '' : i.shape.map((d) => (d === -1 ? 1 : d)).join(', '),
    }
  })
}

/** Dims from "1, 3"; undefined for an empty field; a message when it is not a list of sizes. */
export function parseShapeText(text: string): number[] | undefined | { problem: string } {
  const trimmed = text.trim().replace(/^\[|\]$/g, '')
  if (!trimmed) return undefined
  const dims = trimmed.split(',').map((d) => d.trim())
  if (dims.some((d) => !/^(-1|\d+)$/.test(d))) {
    return { problem: `shape "${text}" is not a list of sizes such as 1, 3` }
  }
  return dims.map(Number)
}

/** Why this input cannot be sent as it is; undefined when it can. */
export function draftProblem(d: InputDraftState): string | undefined {
  if (!d.include) return undefined
  const shape = parseShapeText(d.shape)
  if (shape && 'problem' in shape) return shape.problem
  if (d.mode === 'file' && !d.path) return 'choose a file'
  if (d.mode === 'fill') {
    if (!d.text.trim()) return 'give a fill value'
    if (!shape) return 'give the shape to fill'
    if (shape.includes(-1)) return 'a fill needs every size of the shape (no -1)'
  }
  return undefined
}

/** The inputs to send; a problem names the input it belongs to. */
export function toRequestInputs(
  drafts: readonly InputDraftState[],
): { inputs: RequestInput[] } | { problem: string } {
  const inputs: RequestInput[] = []
  for (const d of drafts) {
    if (!d.include) continue
    const problem = draftProblem(d)
    if (problem) return { problem: `${d.name}: ${problem}` }
    const parsed = parseShapeText(d.shape)
    const shape = Array.isArray(parsed) ? parsed : undefined
    const value: RequestInput['value'] =
      d.mode === 'file'
        ? { kind: 'file', path: d.path ?? '' }
        : d.mode === 'text'
          ? { kind: 'text', text: d.text }
          : { kind: 'json', text: d.text }
    inputs.push({ name: d.name, value, ...(shape ? { shape } : {}) })
  }
  return { inputs }
}
