import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ExportError } from '../../../src/main/exports/atomic-write'
import {
  checkExportTarget,
  exportSession,
  type CollectedSession,
} from '../../../src/main/exports/session-exporter'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'triton-live-export-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const transcriptSession: CollectedSession = {
  events: [
    {
      kind: 'transcript',
      utterance: 0,
      final: true,
      text: 'hello',
      startSec: 0.5,
      endSec: 1.25,
      latencyMs: 9,
    },
    { kind: 'request-error', message: 'model rejected a chunk', timeSec: 2 },
  ],
  records: [
    { ok: true, outcome: 'success', latencyMs: 9, atMs: 1000 },
    { ok: false, outcome: 'timeout', latencyMs: 3, atMs: 2000 },
  ],
}

const detectionSession: CollectedSession = {
  events: [
    {
      kind: 'detections',
      frame: 0,
      timeSec: 0,
      sourceWidth: 64,
      sourceHeight: 48,
      boxes: [{ x: 1, y: 2, width: 3, height: 4, score: 0.5, classId: 0, label: 'red' }],
      latencyMs: 4,
    },
  ],
  records: [{ ok: true, outcome: 'success', latencyMs: 4, atMs: 1000 }],
  source: 'clip.mp4',
}

describe('session exports', () => {
  it('picks the format from the extension', async () => {
    const written: Record<string, string> = {}
    for (const ext of ['.txt', '.srt', '.vtt', '.json', '.jsonl', '.csv']) {
      const path = join(dir, `talk${ext}`)
      await exportSession(path, transcriptSession)
      written[ext] = await readFile(path, 'utf8')
    }
    expect(written['.txt']).toBe('hello\n')
    expect(written['.srt']).toBe('1\n00:00:00,500 --> 00:00:01,250\nhello\n\n')
    expect(written['.vtt']).toBe('WEBVTT\n\n00:00:00.500 --> 00:00:01.250\nhello\n\n')
    expect(JSON.parse(written['.json'])).toMatchObject({ utterances: [{ text: 'hello' }] })
    expect(JSON.parse(written['.jsonl'].trim())).toMatchObject({ text: 'hello', startSec: 0.5 })
    expect(written['.csv'].trimEnd().split('\n')).toHaveLength(3)
  })

  it('writes detections as JSON Lines or JSON for a detection session', async () => {
    const jsonl = join(dir, 'boxes.jsonl')
    expect(await exportSession(jsonl, detectionSession)).toBe('1 frame')
    expect(JSON.parse((await readFile(jsonl, 'utf8')).trim())).toMatchObject({ frame: 0, count: 1 })
    const json = join(dir, 'boxes.json')
    await exportSession(json, detectionSession)
    expect(JSON.parse(await readFile(json, 'utf8'))).toMatchObject({ frames: [{ count: 1 }] })
  })

  it('refuses an unknown extension, naming the file and the formats it could be', async () => {
    const err = await exportSession(join(dir, 'talk.docx'), transcriptSession).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ExportError)
    expect((err as Error).message).toContain('talk.docx')
    expect((err as Error).message).toContain('.srt')
  })

  it('refuses a subtitle format for a detection session and suggests the ones that fit', async () => {
    const err = await exportSession(join(dir, 'boxes.srt'), detectionSession).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ExportError)
    expect((err as Error).message).toMatch(/boxes\.srt.*detection session.*\.jsonl.*\.mp4/)
  })

  it('refuses an annotated video for a transcript session', async () => {
    await expect(
      checkExportTarget(join(dir, 'talk.mp4'), 'transcript', 'talk.wav'),
    ).rejects.toThrow(/talk\.mp4.*transcript session/)
  })

  it('checks the folder before a session starts', async () => {
    await expect(checkExportTarget(join(dir, 'missing', 'talk.srt'), 'transcript')).rejects.toThrow(
      /missing.*does not exist/,
    )
    await expect(checkExportTarget(join(dir, 'talk.srt'), 'transcript')).resolves.toBeUndefined()
  })

  it('refuses to overwrite the file being streamed', async () => {
    await expect(
      checkExportTarget(join(dir, 'clip.mp4'), 'detection', join(dir, 'clip.mp4')),
    ).rejects.toThrow(/being streamed/)
  })

  it('leaves no temporary files behind', async () => {
    const names = await readdir(dir)
    expect(names.filter((n) => n.endsWith('.partial'))).toEqual([])
  })
})
