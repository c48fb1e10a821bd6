import { describe, expect, it } from 'vitest'
import {
  capText,
  hasUnsafeCharacters,
  safeJson,
  safeLine,
  safeText,
} from '../../../src/shared/safe-text'

const CLEAR_SCREEN = '\x1b[2J\x1b[H'
const TITLE = '\x1b]0;pwned\x07'
const CLIPBOARD = '\x1b]52;c;ZWNobyBldmls\x1b\\'

describe('safeLine', () => {
  it('removes CSI, OSC (window title, OSC 52 clipboard) and DCS sequences, keeping the text', () => {
    expect(safeLine(`${CLEAR_SCREEN}hello ${TITLE}world${CLIPBOARD}!`)).toBe('hello world!')
    expect(safeLine('a\x1bP1$r0m\x1b\\b')).toBe('ab')
    expect(safeLine('red \x1b[31;1mtext\x1b[0m')).toBe('red text')
  })

  it('removes 8-bit C1 controls, including the single-byte CSI and OSC', () => {
    expect(safeLine('a\x9b2Jb\x9d0;title\x9cc\x85d')).toBe('abc d')
  })

  it('drops an escape sequence cut off at the end of the text', () => {
    expect(safeLine('ok\x1b]52;c;AAAA')).toBe('ok')
    expect(safeLine('ok\x1b[')).toBe('ok')
  })

  it('turns line breaks and tabs into single spaces and strips bidi overrides', () => {
    expect(safeLine('one\r\ntwo\tthree\u2028four')).toBe('one two three four')
    expect(safeLine('file\u202Egnp.exe')).toBe('filegnp.exe')
    expect(safeLine('\u2066x\u2069 \u200Fy')).toBe('x y')
  })

  it('caps a message at 500 characters and says how many more there were', () => {
    const line = safeLine('x'.repeat(5_000_000))
    expect(line).toBe(`${'x'.repeat(500)}… (4999500 more)`)
  })

  it('never splits a surrogate pair when it caps', () => {
    expect(capText(`${'a'.repeat(9)}😀b`, 10)).toBe(`${'a'.repeat(9)}… (3 more)`)
  })

  it('keeps ordinary Unicode text as it is', () => {
    expect(safeLine('héllo 文字 ✓')).toBe('héllo 文字 ✓')
  })

  it('gives plain ASCII words back as they are, and still cleans text that only looks plain', () => {
    expect(safeLine('HELLO WORLD 42, ok?')).toBe('HELLO WORLD 42, ok?')
    expect(safeLine(' two  spaces ')).toBe('two spaces')
    expect(safeLine('a\x7fb')).toBe('ab')
    expect(safeLine('red\x1b[31m text')).toBe('red text')
    expect(safeLine('x'.repeat(11), 10)).toBe(`${'x'.repeat(10)}… (1 more)`)
  })
})

describe('safeText and safeJson', () => {
  it('keeps line breaks between lines but nothing a terminal acts on', () => {
    expect(safeText(`a${CLEAR_SCREEN}\nb\r\nc\rd`)).toBe('a\nb\nc d')
  })

  it('escapes C1 controls and bidi marks in JSON so the data arrives whole', () => {
    const text = safeJson({ t: 'a\x9b2J\u202Eb\u2028' })
    expect(text).toBe('{"t":"a\\u009b2J\\u202eb\\u2028"}')
    expect(JSON.parse(text)).toEqual({ t: 'a\x9b2J\u202Eb\u2028' })
    expect(hasUnsafeCharacters(text)).toBe(false)
  })

  it('finds what it would remove', () => {
    expect(hasUnsafeCharacters('plain text\twith tab')).toBe(false)
    expect(hasUnsafeCharacters('bell\x07')).toBe(true)
    expect(hasUnsafeCharacters('cr\r')).toBe(true)
    expect(hasUnsafeCharacters('rlo\u202E')).toBe(true)
  })
})
