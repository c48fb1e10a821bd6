import { describe, expect, it } from 'vitest'
import {
  toSrt,
  toTranscriptJson,
  toTxt,
  toWebVtt,
} from '../../../src/main/exports/transcript-export'
import type { TranscriptEvent } from '../../../src/shared/results'

interface Cue {
  index?: number
  startMs: number
  endMs: number
  text: string
}

const ms = (h: string, m: string, s: string, frac: string): number =>
  ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(frac)

/**
 * A strict SubRip reader: blocks separated by exactly one blank line, numbered from 1, a
 * `HH:MM:SS,mmm --> HH:MM:SS,mmm` line, at least one non-empty text line, and a blank line
 * after the last block. Anything else throws.
 */
function parseSrt(text: string): Cue[] {
  if (text === '') return []
  if (!text.endsWith('\n\n')) throw new Error('SRT must end with a blank line')
  const blocks = text.slice(0, -2).split('\n\n')
  return blocks.map((block, i) => {
    const lines = block.split('\n')
    if (lines[0] !== String(i + 1)) throw new Error(`cue ${i + 1} is numbered '${lines[0]}'`)
    const t = /^(\d{2}):([0-5]\d):([0-5]\d),(\d{3}) --> (\d{2}):([0-5]\d):([0-5]\d),(\d{3})$/.exec(
      lines[1] ?? '',
    )
    if (!t) throw new Error(`cue ${i + 1} has a bad timing line '${lines[1]}'`)
    const textLines = lines.slice(2)
    if (textLines.length === 0 || textLines.some((l) => l.trim() === '')) {
      throw new Error(`cue ${i + 1} has empty text`)
    }
    return {
      index: i + 1,
      startMs: ms(t[1], t[2], t[3], t[4]),
      endMs: ms(t[5], t[6], t[7], t[8]),
      text: textLines.join('\n'),
    }
  })
}

/** A strict WebVTT reader for what we write: header, then timing + text blocks, entities decoded. */
function parseVtt(text: string): Cue[] {
  if (!text.startsWith('WEBVTT\n\n')) throw new Error('WebVTT must start with the WEBVTT header')
  const body = text.slice('WEBVTT\n\n'.length)
  if (body === '') return []
  if (!body.endsWith('\n\n')) throw new Error('WebVTT must end with a blank line')
  return body
    .slice(0, -2)
    .split('\n\n')
    .map((block, i) => {
      const [timing, ...textLines] = block.split('\n')
      const t =
        /^(\d{2}):([0-5]\d):([0-5]\d)\.(\d{3}) --> (\d{2}):([0-5]\d):([0-5]\d)\.(\d{3})$/.exec(
          timing,
        )
      if (!t) throw new Error(`cue ${i + 1} has a bad timing line '${timing}'`)
      const raw = textLines.join('\n')
      if (raw.trim() === '' || /[<>]|-->|&(?!amp;|lt;|gt;)/.test(raw)) {
        throw new Error(`cue ${i + 1} has empty or unescaped text '${raw}'`)
      }
      return {
        startMs: ms(t[1], t[2], t[3], t[4]),
        endMs: ms(t[5], t[6], t[7], t[8]),
        text: raw.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
      }
    })
}

function expectMonotonic(cues: Cue[]): void {
  cues.forEach((c, i) => {
    expect(c.endMs).toBeGreaterThan(c.startMs)
    if (i > 0) expect(c.startMs).toBeGreaterThanOrEqual(cues[i - 1].startMs)
  })
}

const event = (
  utterance: number,
  final: boolean,
  text: string,
  startSec: number,
  endSec: number,
  latencyMs = 12.5,
): TranscriptEvent => ({ kind: 'transcript', utterance, final, text, startSec, endSec, latencyMs })

// A session as it arrives: partials, finals, an answer that came back out of order, and an
// utterance whose final text is empty (silence).
const SESSION: TranscriptEvent[] = [
  event(0, false, 'hello', 1, 1.6),
  event(0, false, 'hello from', 1, 2.2),
  event(1, false, 'the quick', 3, 3.6),
  event(0, true, 'hello from triton live', 1, 2.5),
  event(2, true, '   ', 6, 6.5),
  event(1, true, 'the quick brown fox', 3, 4.75, 40.25),
]

describe('transcript export', () => {
  it('writes only final utterances to SRT, numbered from 1 with comma millisecond times', () => {
    const srt = toSrt(SESSION)
    expect(srt.startsWith('1\n00:00:01,000 --> 00:00:02,500\nhello from triton live\n\n')).toBe(
      true,
    )
    const cues = parseSrt(srt)
    expect(cues).toEqual([
      { index: 1, startMs: 1000, endMs: 2500, text: 'hello from triton live' },
      { index: 2, startMs: 3000, endMs: 4750, text: 'the quick brown fox' },
    ])
    expectMonotonic(cues)
  })

  it('writes the same cues to WebVTT with its header and dot millisecond times', () => {
    const vtt = toWebVtt(SESSION)
    expect(
      vtt.startsWith('WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nhello from triton live\n\n'),
    ).toBe(true)
    const cues = parseVtt(vtt)
    expect(cues.map((c) => [c.startMs, c.endMs, c.text])).toEqual([
      [1000, 2500, 'hello from triton live'],
      [3000, 4750, 'the quick brown fox'],
    ])
    expectMonotonic(cues)
  })

  it('orders cues by media time whatever order the finals arrived in', () => {
    const late = [event(1, true, 'second', 5, 6), event(0, true, 'first', 0.25, 1)]
    expect(parseSrt(toSrt(late)).map((c) => c.text)).toEqual(['first', 'second'])
    expect(parseVtt(toWebVtt(late)).map((c) => c.text)).toEqual(['first', 'second'])
  })

  it('formats hours and minutes and rounds to the nearest millisecond', () => {
    const cues = parseSrt(toSrt([event(0, true, 'late in the day', 3723.4567, 3725.0004)]))
    expect(cues[0]).toMatchObject({ startMs: 3723457, endMs: 3725000 })
    expect(toSrt([event(0, true, 'x', 3723.4567, 3725)])).toContain('01:02:03,457 --> 01:02:05,000')
    expect(toWebVtt([event(0, true, 'x', 3723.4567, 3725)])).toContain(
      '01:02:03.457 --> 01:02:05.000',
    )
  })

  it('keeps the last final of an utterance and gives a cue that ends at its start one millisecond', () => {
    const cues = parseSrt(
      toSrt([event(0, true, 'first guess', 2, 2), event(0, true, 'better guess', 2, 2)]),
    )
    expect(cues).toEqual([{ index: 1, startMs: 2000, endMs: 2001, text: 'better guess' }])
  })

  it('keeps cue text from ending a cue early or faking a timing line', () => {
    const tricky = [event(0, true, 'line one\n\nline two --> three', 0, 1)]
    expect(parseSrt(toSrt(tricky))).toEqual([
      { index: 1, startMs: 0, endMs: 1000, text: 'line one\nline two -> three' },
    ])
    expect(parseVtt(toWebVtt(tricky))[0].text).toBe('line one\nline two -> three')
  })

  it('escapes the characters WebVTT gives meaning to and restores them exactly', () => {
    const cues = parseVtt(toWebVtt([event(0, true, 'a <b> & c > d', 0, 1)]))
    expect(cues[0].text).toBe('a <b> & c > d')
  })

  it('writes empty but valid files when no utterance was final', () => {
    expect(toSrt([event(0, false, 'draft', 0, 1)])).toBe('')
    expect(toWebVtt([])).toBe('WEBVTT\n\n')
    expect(parseVtt(toWebVtt([]))).toEqual([])
    expect(toTxt([])).toBe('')
  })

  it('writes plain text as one line per utterance in media order', () => {
    expect(toTxt(SESSION)).toBe('hello from triton live\nthe quick brown fox\n')
  })

  it('writes JSON with the start, end and latency of every utterance', () => {
    const json = JSON.parse(toTranscriptJson(SESSION)) as {
      format: string
      text: string
      utterances: Array<Record<string, unknown>>
    }
    expect(json.format).toBe('triton-live-transcript')
    expect(json.text).toBe('hello from triton live the quick brown fox')
    expect(json.utterances).toEqual([
      { utterance: 0, startSec: 1, endSec: 2.5, latencyMs: 12.5, text: 'hello from triton live' },
      { utterance: 1, startSec: 3, endSec: 4.75, latencyMs: 40.25, text: 'the quick brown fox' },
    ])
  })
})
