import { MAX_LABEL_CHARS, MAX_LABELS } from '../../shared/limits'
import { safeLine } from '../../shared/safe-text'

/**
 * Class names for detection models: the COCO default, Ultralytics export metadata (the
 * `metadata` parameter of a model config) and Triton label files.
 */

/** The 80 COCO classes in the order Ultralytics models emit them (coco.yaml). */
// prettier-ignore
export const COCO_LABELS: readonly string[] = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat',
  'traffic light', 'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog',
  'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella',
  'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball', 'kite',
  'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
  'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant',
  'bed', 'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone',
  'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors',
  'teddy bear', 'hair drier', 'toothbrush',
]

// A class table this large is a parsing accident, not a model.
const MAX_CLASS_ID = 100_000

// --- A small literal parser -------------------------------------------------------------
// Ultralytics writes its metadata with Python's str(dict) (single quotes, True/None, int
// keys); others write JSON or YAML flow style. One forgiving reader covers all three without
// eval: unknown bare words become strings, calls like PosixPath('x') become their argument.

type Literal = string | number | boolean | null | Literal[] | LiteralDict
interface LiteralDict {
  entries: Array<[Literal, Literal]>
}

class ParseError extends Error {}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  v: '\v',
  a: '\x07',
  '0': '\0',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '/': '/',
}

class LiteralReader {
  pos: number

  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.pos = start
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++
  }

  private peek(): string {
    this.skipSpace()
    return this.text[this.pos] ?? ''
  }

  private expect(ch: string): void {
    if (this.peek() !== ch) throw new ParseError(`expected '${ch}' at ${this.pos}`)
    this.pos++
  }

  value(): Literal {
    const ch = this.peek()
    if (ch === '') throw new ParseError('unexpected end')
    if (ch === '{') return this.dict()
    if (ch === '[') return this.sequence(']')
    if (ch === '(') return this.sequence(')')
    if (ch === "'" || ch === '"') return this.string()
    if (/[rRuUbB]/.test(ch) && /['"]/.test(this.text[this.pos + 1] ?? '')) {
      this.pos++
      return this.string()
    }
    const num = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?(?=[\s,:}\])]|$)/.exec(
      this.text.slice(this.pos, this.pos + 64),
    )
    if (num) {
      this.pos += num[0].length
      return Number(num[0])
    }
    return this.bareWord()
  }

  private dict(): LiteralDict {
    this.expect('{')
    const entries: Array<[Literal, Literal]> = []
    while (this.peek() !== '}') {
      const key = this.value()
      this.expect(':')
      entries.push([key, this.value()])
      if (this.peek() === ',') this.pos++
      else if (this.peek() !== '}') throw new ParseError(`expected ',' or '}' at ${this.pos}`)
    }
    this.pos++
    return { entries }
  }

  private sequence(close: string): Literal[] {
    this.pos++
    const items: Literal[] = []
    while (this.peek() !== close) {
      items.push(this.value())
      if (this.peek() === ',') this.pos++
      else if (this.peek() !== close)
        throw new ParseError(`expected ',' or '${close}' at ${this.pos}`)
    }
    this.pos++
    return items
  }

  private string(): string {
    const quote = this.text[this.pos++]
    let out = ''
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos++]
      if (ch === quote) return out
      if (ch !== '\\') {
        out += ch
        continue
      }
      const esc = this.text[this.pos++] ?? ''
      const hexLen = esc === 'x' ? 2 : esc === 'u' ? 4 : esc === 'U' ? 8 : 0
      if (hexLen > 0) {
        const hex = this.text.slice(this.pos, this.pos + hexLen)
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hexLen) throw new ParseError('bad escape')
        out += String.fromCodePoint(parseInt(hex, 16))
        this.pos += hexLen
      } else if (esc in SIMPLE_ESCAPES) {
        out += SIMPLE_ESCAPES[esc]
      } else {
        // Python keeps unknown escapes verbatim.
        out += `\\${esc}`
      }
    }
    throw new ParseError('unterminated string')
  }

  private bareWord(): Literal {
    const m = /^[^,:{}[\]()'"]+/.exec(this.text.slice(this.pos))
    if (!m) throw new ParseError(`unexpected '${this.text[this.pos]}' at ${this.pos}`)
    this.pos += m[0].length
    const word = m[0].trim()
    if (this.peek() === '(') {
      const args = this.sequence(')')
      return args.length > 0 ? args[0] : word
    }
    switch (word) {
      case 'True':
      case 'true':
        return true
      case 'False':
      case 'false':
        return false
      case 'None':
      case 'null':
        return null
      default:
        return word
    }
  }
}

function isDict(v: Literal): v is LiteralDict {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function toLabel(v: Literal): string | undefined {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return undefined
}

/** A names dict ({0: 'a', 1: 'b'}) or list as a dense array; gaps become "class N". */
function namesFromLiteral(v: Literal): string[] | undefined {
  if (Array.isArray(v)) {
    const names = v.map(toLabel)
    return names.length > 0 && names.every((n) => n !== undefined) ? (names as string[]) : undefined
  }
  if (!isDict(v) || v.entries.length === 0) return undefined
  const byId = new Map<number, string>()
  for (const [k, val] of v.entries) {
    const id =
      typeof k === 'number' ? k : typeof k === 'string' && /^\s*\d+\s*$/.test(k) ? Number(k) : NaN
    const label = toLabel(val)
    if (!Number.isInteger(id) || id < 0 || id > MAX_CLASS_ID || label === undefined)
      return undefined
    byId.set(id, label)
  }
  const size = Math.max(...byId.keys()) + 1
  return Array.from({ length: size }, (_, i) => byId.get(i) ?? `class ${i}`)
}

function unquoteYamlScalar(raw: string): string {
  const s = raw.trim()
  if (s.length >= 2 && s.startsWith("'") && s.endsWith("'"))
    return s.slice(1, -1).replace(/''/g, "'")
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) {
    try {
      return new LiteralReader(s, 0).value() as string
    } catch {
      return s.slice(1, -1)
    }
  }
  // An unquoted scalar ends at a comment.
  return s.replace(/\s+#.*$/, '')
}

/** YAML block style: `names:` followed by indented `0: person` or `- person` lines. */
function namesFromYamlBlock(lines: string[]): string[] | undefined {
  const entries: Array<[Literal, Literal]> = []
  const list: string[] = []
  for (const line of lines) {
    if (line.trim() === '' || /^\s*#/.test(line)) continue
    const keyed = /^\s+(\d+)\s*:\s*(.*)$/.exec(line)
    const item = /^\s*-\s+(.*)$/.exec(line)
    if (keyed && list.length === 0) entries.push([Number(keyed[1]), unquoteYamlScalar(keyed[2])])
    else if (item && entries.length === 0) list.push(unquoteYamlScalar(item[1]))
    else break
  }
  if (entries.length > 0) return namesFromLiteral({ entries })
  return list.length > 0 ? list : undefined
}

/**
 * Class names from Ultralytics export metadata, in Python-literal, JSON or YAML form.
 * Looks at each `names` key and parses only its value, so odd values elsewhere in the
 * metadata (paths, dates, nested args) cannot spoil the result. Undefined when absent.
 */
export function parseUltralyticsMetadataNames(metadata: string): string[] | undefined {
  const keyPattern = /(?<![\w'"])(['"]?)names\1\s*:/g
  for (let m = keyPattern.exec(metadata); m !== null; m = keyPattern.exec(metadata)) {
    const start = m.index + m[0].length
    const restOfLine = metadata.slice(start).split(/\r?\n/, 1)[0]
    if (restOfLine.trim() === '' || restOfLine.trim().startsWith('#')) {
      const names = namesFromYamlBlock(metadata.slice(start).split(/\r?\n/).slice(1))
      if (names) return names
      continue
    }
    try {
      const names = namesFromLiteral(new LiteralReader(metadata, start).value())
      if (names) return names
    } catch (err) {
      if (!(err instanceof ParseError)) throw err
    }
  }
  return undefined
}

/**
 * A Triton label file: line N names class N. Blank lines in the middle keep their place (as
 * ''); trailing blank lines are dropped.
 */
export function parseLabelFile(text: string): string[] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/, MAX_LABELS + 1)
    .map((l) => l.trim())
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  if (lines.length > MAX_LABELS) {
    throw new Error(`a labels file may name at most ${MAX_LABELS} classes`)
  }
  return lines
}

/**
 * Class id to display name. Without labels, COCO names are the best guess (most detection
 * models are COCO-trained); with labels, COCO is not consulted, since mixing would mislabel.
 */
export function makeLabeler(labels: readonly string[] | undefined): (classId: number) => string {
  // Names come from a server's config or a file: shown as plain one-line text, never as escapes.
  const table =
    labels !== undefined && labels.length > 0
      ? labels.map((l) => safeLine(l, MAX_LABEL_CHARS))
      : COCO_LABELS
  return (classId) => {
    const label = Number.isInteger(classId) && classId >= 0 ? table[classId] : undefined
    return label ? label : `class ${classId}`
  }
}
