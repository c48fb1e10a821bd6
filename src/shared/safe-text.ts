/**
 * Text that came from a server or a file is data, never instructions to a terminal. A
 * transcript, an error_message or a model name may carry escape sequences that clear the
 * screen, retitle the window or write the clipboard (OSC 52), C1 controls that some terminals
 * read as escapes, or bidi overrides that make text read differently from what it is. These
 * helpers remove all of them before anything is printed, and cap a message so one answer
 * cannot flood a screen or a log.
 */

/* eslint-disable no-control-regex -- finding control characters is this module's job */

/** A message is cut here, then "… (N more)". */
export const MESSAGE_MAX_CHARS = 500

// ECMA-48 string controls (OSC, DCS, SOS, PM, APC) run to BEL or ST; an unterminated one to the end.
const STRING_SEQUENCE = /(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[\s\S]*?(?:\x07|\x1b\\|\x9c|$)/g
// CSI: parameter bytes, intermediate bytes, one final byte (absent when the text is cut short).
const CSI_SEQUENCE = /(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?/g
// Any other escape: intermediates then a final byte.
const ESC_SEQUENCE = /\x1b[\x20-\x2f]*[\x30-\x7e]?/g
// Line-like whitespace that would break "one line".
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g
// C0 and C1 controls, DEL, and the bidi embedding, override, isolate and mark characters.
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g
const UNSAFE =
  /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/

// Printable ASCII words, one space between them: text every step of safeLine leaves as it is.
const PLAIN_LINE = /^(?:[!-~]+ )*[!-~]+$/

function stripSequences(text: string): string {
  return text.replace(STRING_SEQUENCE, '').replace(CSI_SEQUENCE, '').replace(ESC_SEQUENCE, '')
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof Error) return value.message
  return String(value)
}

/** Cuts at `max` UTF-16 units without splitting a surrogate pair. */
export function capText(text: string, max = MESSAGE_MAX_CHARS): string {
  if (text.length <= max) return text
  let end = max
  const code = text.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end--
  return `${text.slice(0, end)}… (${text.length - end} more)`
}

/**
 * One line a terminal shows as it is: escape sequences and controls removed, line breaks and
 * tabs turned into single spaces, capped at `max` characters (Infinity for no cap).
 */
export function safeLine(value: unknown, max = MESSAGE_MAX_CHARS): string {
  const raw = asText(value)
  // Most transcripts: one test instead of six passes (every answer of every stream comes here).
  if (raw.length <= max && PLAIN_LINE.test(raw)) return raw
  const text = stripSequences(raw).replace(LINE_BREAKS, ' ').replace(CONTROLS, '')
  return capText(text.replace(/ {2,}/g, ' ').trim(), max)
}

/** Like safeLine for each line, keeping the line breaks; for multi-line output such as tables. */
export function safeText(value: unknown): string {
  return stripSequences(asText(value))
    .split(/\r\n|\n/)
    .map((line) => line.replace(/[\t\v\f\r\u0085\u2028\u2029]/g, ' ').replace(CONTROLS, ''))
    .join('\n')
}

/**
 * JSON whose text holds no character a terminal acts on. JSON.stringify escapes C0 controls
 * but passes C1 controls, bidi marks and U+2028/2029 through; those are escaped here, so the
 * data arrives whole and a program reading it gets the exact strings.
 */
export function safeJson(value: unknown): string {
  return escapeJsonText(JSON.stringify(value))
}

/** `safeJson` for JSON text already written (by a replacer that rounds numbers, say). */
export function escapeJsonText(json: string): string {
  return json.replace(
    /[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** True when the text holds a control character, an escape or a bidi override (tabs and \n aside). */
export function hasUnsafeCharacters(text: string): boolean {
  return UNSAFE.test(text)
}
