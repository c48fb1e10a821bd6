import { describe, expect, it } from 'vitest'
import {
  ffmpegInput,
  runTool,
  streamFfmpegRecords,
  type RawRecord,
} from '../../../src/main/media/ffmpeg-process'
import { MediaError } from '../../../src/main/media/media-error'

// A shell stands in for ffmpeg so the byte-level behaviour can be pinned exactly.
async function records(script: string, recordBytes: number): Promise<RawRecord[]> {
  const out: RawRecord[] = []
  for await (const r of streamFfmpegRecords('/bin/sh', ['-c', script], {
    path: 'in.bin',
    wanted: 'audio',
    recordBytes,
    allocate: () => new Uint8Array(recordBytes),
  })) {
    out.push(r)
  }
  return out
}

const text = (r: RawRecord): string => Buffer.from(r.bytes).toString('latin1')

describe('streamFfmpegRecords', () => {
  it('cuts output that arrives in odd pieces into fixed records, the final one zero-padded', async () => {
    const got = await records('printf ab; sleep 0.05; printf cdefg; sleep 0.05; printf h', 3)
    expect(got.map(text)).toEqual(['abc', 'def', 'gh\0'])
    expect(got.map((r) => r.filled)).toEqual([3, 3, 2])
    expect(got.map((r) => r.last)).toEqual([false, false, true])
  })

  it('marks a full final record as last', async () => {
    const got = await records('printf abcdef', 3)
    expect(got.map((r) => [text(r), r.last])).toEqual([
      ['abc', false],
      ['def', true],
    ])
  })

  it('yields nothing for empty output', async () => {
    expect(await records('true', 4)).toEqual([])
  })

  it('throws the last stderr line when the tool fails, holding back the pending record', async () => {
    const err: unknown = await records(
      "printf abcdef; echo 'Error while decoding stream #0:0' >&2; echo 'Conversion failed!' >&2; exit 1",
      3,
    ).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MediaError)
    expect((err as MediaError).code).toBe('ffmpeg-failed')
    expect((err as MediaError).message).toBe(
      'ffmpeg failed on in.bin: Error while decoding stream #0:0',
    )
  })
})

describe('streamFfmpegRecords with a missing binary', () => {
  it('reports ffmpeg-missing', async () => {
    const gen = streamFfmpegRecords('/nonexistent/ffmpeg', [], {
      path: 'in.bin',
      wanted: 'video',
      recordBytes: 4,
      allocate: () => new Uint8Array(4),
    })
    await expect(gen.next()).rejects.toMatchObject({ code: 'ffmpeg-missing' })
  })
})

describe('runTool', () => {
  it('kills a run that takes too long and says so', async () => {
    const res = await runTool('/bin/sleep', ['5'], { timeoutMs: 100 })
    expect(res.timedOut).toBe(true)
    // Killed, not ended: sleep 5 would exit 0 by itself.
    expect(res.signal).toBe('SIGKILL')
  })

  it('reports a binary that cannot be started as ffmpeg-missing', async () => {
    await expect(runTool('/nonexistent/ffmpeg', [])).rejects.toMatchObject({
      code: 'ffmpeg-missing',
    })
  })
})

describe('ffmpegInput', () => {
  it('pins relative and odd-looking paths to the file protocol', () => {
    expect(ffmpegInput('/tmp/a:b.wav')).toBe('file:/tmp/a:b.wav')
    expect(ffmpegInput('-x.wav')).toBe(`file:${process.cwd()}/-x.wav`)
  })
})
