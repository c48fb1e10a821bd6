import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { streamCommand } from '../../src/cli/commands/stream-command'
import type { Output } from '../../src/cli/output'
import { startDemoEndpoint, type DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'
import { writeAnnotatedVideo } from '../../src/main/exports/annotated-video'
import { labelTagHeight } from '../../src/main/exports/box-drawing'
import { classColour } from '../../src/shared/class-palette'
import { resolveFfmpeg, resolveFfprobe } from '../../src/main/media/ffmpeg-path'
import { probeMedia } from '../../src/main/media/media-probe'
import { resolveModel } from '../../src/main/sessions/model-plan'
import { TritonClient } from '../../src/main/triton/triton-client'
import type { DetectionFrameEvent } from '../../src/shared/results'
import { streamFile } from '../fixtures/stream-file'

const run = promisify(execFile)
const SAMPLES = join(__dirname, '../../resources/samples')
const MP4 = join(SAMPLES, 'boxes.mp4')
const WAV = join(SAMPLES, 'tone-text.wav')

let demo: DemoEndpoint
let client: TritonClient
let dir: string

beforeAll(async () => {
  demo = await startDemoEndpoint({ port: 0, metricsPort: 0 })
  client = new TritonClient({ url: demo.url, timeoutMs: 10_000 })
  dir = await mkdtemp(join(tmpdir(), 'triton-live-exports-'))
})

afterAll(async () => {
  client.close()
  await demo.close()
  await rm(dir, { recursive: true, force: true })
})

interface VideoStream {
  width: number
  height: number
  nb_read_frames: string
  codec_name: string
  pix_fmt: string
}

async function probe(path: string): Promise<VideoStream> {
  const ffprobe = resolveFfprobe()
  if (!ffprobe) throw new Error('these tests need ffprobe')
  const { stdout } = await run(ffprobe, [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height,nb_read_frames,codec_name,pix_fmt',
    '-of',
    'json',
    path,
  ])
  return (JSON.parse(stdout) as { streams: VideoStream[] }).streams[0]
}

/** Frame `n` of a video as packed RGB. */
async function frameRgb(path: string, n: number): Promise<Buffer> {
  const { stdout } = await run(
    resolveFfmpeg(),
    [
      '-v',
      'error',
      '-i',
      path,
      '-vf',
      `select=eq(n\\,${n})`,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { encoding: 'buffer', maxBuffer: 64 * 2 ** 20 },
  )
  return stdout
}

function rgbAt(frame: Buffer, width: number, x: number, y: number): number[] {
  const p = (y * width + x) * 3
  return [frame[p], frame[p + 1], frame[p + 2]]
}

const distance = (a: number[], b: number[]): number =>
  a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0)

describe('annotated video export', () => {
  it('draws the detections of a real session onto an H.264 copy with the same size and frame count', async () => {
    const { profile } = await resolveModel(client, 'color-box-detector-e2e')
    const { results: events } = await streamFile(client, profile, MP4)
    const detections = events.filter((e): e is DetectionFrameEvent => e.kind === 'detections')
    expect(detections).toHaveLength(40)

    const output = join(dir, 'annotated.mp4')
    const result = await writeAnnotatedVideo({ input: MP4, output, detections })
    expect(result).toMatchObject({ frames: 40, width: 640, height: 360, annotatedFrames: 40 })

    const [source, annotated] = await Promise.all([probe(MP4), probe(output)])
    expect(annotated.codec_name).toBe('h264')
    expect(annotated.pix_fmt).toBe('yuv420p')
    expect([annotated.width, annotated.height]).toEqual([source.width, source.height])
    expect(annotated.nb_read_frames).toBe(source.nb_read_frames)

    // Just left of the first box's left edge, half-way down: background in the source, the
    // outline in the export.
    const n = 5
    const event = detections.find((d) => d.frame === n) as DetectionFrameEvent
    const box = event.boxes[0]
    const x = Math.round(box.x) - 1
    const y = Math.round(box.y + box.height / 2)
    expect(x).toBeGreaterThan(2)
    const [before, after] = await Promise.all([frameRgb(MP4, n), frameRgb(output, n)])
    expect(distance(rgbAt(before, 640, x, y), rgbAt(after, 640, x, y))).toBeGreaterThan(100)
    // Far from every box the picture is the source's, give or take compression.
    const clear = [8, 352]
    expect(event.boxes.every((b) => clear[0] < b.x - 30 || clear[1] > b.y + b.height + 30)).toBe(
      true,
    )
    expect(
      distance(rgbAt(before, 640, clear[0], clear[1]), rgbAt(after, 640, clear[0], clear[1])),
    ).toBeLessThan(30)
    expect((await readdir(dir)).filter((f) => f.endsWith('.partial'))).toEqual([])
  })

  it('leaves no file at all when the export is aborted', async () => {
    const output = join(dir, 'aborted.mp4')
    const abort = new AbortController()
    abort.abort(new Error('stopped by the user'))
    await expect(
      writeAnnotatedVideo({ input: MP4, output, detections: [], signal: abort.signal }),
    ).rejects.toThrow('stopped by the user')
    const names = await readdir(dir)
    expect(names.filter((f) => f.startsWith('.aborted') || f === 'aborted.mp4')).toEqual([])
  })

  it('removes its temporary file when aborted half-way through encoding', async () => {
    const output = join(dir, 'halfway.mp4')
    const abort = new AbortController()
    const writing = writeAnnotatedVideo({
      input: MP4,
      output,
      detections: [],
      signal: abort.signal,
    })
    // Abort once the encoder has started writing the temporary file.
    let partial = false
    for (let i = 0; i < 400 && !partial; i++) {
      await new Promise((r) => setTimeout(r, 5))
      partial = (await readdir(dir)).some((f) => f.startsWith('.halfway.mp4.'))
    }
    abort.abort(new Error('stopped half-way'))
    // If the encoder beat the poll the export succeeds; either way no temp file may remain.
    const outcome = await writing.then(
      () => 'finished',
      (e: Error) => e.message,
    )
    expect(partial ? outcome : 'stopped half-way').toBe('stopped half-way')
    const names = await readdir(dir)
    expect(names.filter((f) => f.startsWith('.halfway.mp4.'))).toEqual([])
    expect(names.includes('halfway.mp4')).toBe(false)
  })

  it('labels boxes at 720p in capitals 21 px tall on a tag in the class colour', async () => {
    const input = join(dir, 'grey-720p.mp4')
    await run(resolveFfmpeg(), [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'color=c=0x303030:s=1280x720:r=10:d=0.3'],
      ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-y', input],
    ])
    const box = { x: 400, y: 300, width: 200, height: 150, score: 0.9, classId: 1, label: 'green' }
    const detections: DetectionFrameEvent[] = [0, 1, 2].map((frame) => ({
      kind: 'detections',
      frame,
      timeSec: frame / 10,
      sourceWidth: 1280,
      sourceHeight: 720,
      boxes: [box],
      latencyMs: 1,
    }))
    const output = join(dir, 'labelled-720p.mp4')
    await writeAnnotatedVideo({ input, output, detections })
    const frame = await frameRgb(output, 1)
    const green = [...classColour(1).rgb]
    // The tag sits on the 3 px outline, from the outline's left edge.
    const outlineTop = box.y - 3
    const tagColumn = Array.from({ length: 40 }, (_, i) => outlineTop - 40 + i).filter(
      (y) => distance(rgbAt(frame, 1280, box.x - 2, y), green) < 60,
    )
    expect(labelTagHeight(720)).toBe(27)
    expect(tagColumn.length).toBeGreaterThanOrEqual(26)
    expect(tagColumn.length).toBeLessThanOrEqual(28)
    // White ink on the green tag: rows that hold any glyph pixel, across the label's width.
    const inkRows = tagColumn.filter((y) =>
      Array.from({ length: 200 }, (_, i) => rgbAt(frame, 1280, box.x + i, y)).some((p) =>
        p.every((c) => c > 180),
      ),
    )
    expect(inkRows[inkRows.length - 1] - inkRows[0] + 1).toBeGreaterThanOrEqual(20)
    expect(inkRows[inkRows.length - 1] - inkRows[0] + 1).toBeLessThanOrEqual(22)
  })

  it('names the file and the cause when the source has no video', async () => {
    await expect(
      writeAnnotatedVideo({ input: WAV, output: join(dir, 'sound.mp4'), detections: [] }),
    ).rejects.toThrow(/no video stream in .*tone-text\.wav/)
  })
})

describe('triton-live stream --export', () => {
  const quiet = (): Output & { lines: string[] } => {
    const lines: string[] = []
    return { json: false, tty: false, write: (l) => lines.push(l), lines }
  }

  it('writes subtitles and a latency CSV from a streaming transcription', async () => {
    const srt = join(dir, 'talk.srt')
    const vtt = join(dir, 'talk.vtt')
    const csv = join(dir, 'talk.csv')
    const out = quiet()
    const code = await streamCommand(
      [
        '--url',
        demo.url,
        '--model',
        'tone-transcriber-streaming',
        '--file',
        WAV,
        '--export',
        srt,
        '--export',
        vtt,
        '--export',
        csv,
      ],
      out,
    )
    expect(code).toBe(0)
    const text = await readFile(srt, 'utf8')
    const cue =
      /^1\n00:00:00,000 --> 00:00:(\d\d),(\d{3})\nhello from triton live\. the quick brown fox jumps over the lazy dog\.\n\n$/.exec(
        text,
      )
    expect(cue).not.toBeNull()
    // The cue ends where the utterance ends: after the speech, within the file.
    const endSec = Number(cue?.[1]) + Number(cue?.[2]) / 1000
    expect(endSec).toBeGreaterThan(3)
    expect(endSec).toBeLessThanOrEqual(((await probeMedia(WAV)).durationSec ?? 0) + 0.05)
    const vttText = await readFile(vtt, 'utf8')
    expect(vttText).toBe(
      `WEBVTT\n\n${text
        .split('\n')
        .slice(1)
        .join('\n')
        .replace(/(\d),(\d{3})/g, '$1.$2')}`,
    )
    const rows = (await readFile(csv, 'utf8')).trimEnd().split('\n')
    expect(rows[0]).toBe('atMs,ok,outcome,latencyMs,captureToSendMs')
    expect(rows.length).toBeGreaterThan(5)
    for (const row of rows.slice(1)) expect(row).toMatch(/^\d+,true,success,[\d.]+,$/)
  })

  it('writes detections and the annotated video from a detection run', async () => {
    const jsonl = join(dir, 'boxes.jsonl')
    const mp4 = join(dir, 'boxes-annotated.mp4')
    const code = await streamCommand(
      [
        '--url',
        demo.url,
        '--model',
        'color-box-detector-efficientnms',
        '--file',
        MP4,
        '--export',
        jsonl,
        '--export',
        mp4,
      ],
      quiet(),
    )
    expect(code).toBe(0)
    const lines = (await readFile(jsonl, 'utf8')).trimEnd().split('\n')
    expect(lines).toHaveLength(40)
    const first = JSON.parse(lines[0]) as { frame: number; count: number; boxes: unknown[] }
    expect(first).toMatchObject({ frame: 0, count: 3 })
    expect((await probe(mp4)).nb_read_frames).toBe('40')
  })

  it('refuses an export that does not fit the session before streaming anything', async () => {
    const before = demo.inference.counters.get('color-box-detector-e2e')?.success.count
    await expect(
      streamCommand(
        [
          '--url',
          demo.url,
          '--model',
          'color-box-detector-e2e',
          '--file',
          MP4,
          '--export',
          join(dir, 'boxes.srt'),
        ],
        quiet(),
      ),
    ).rejects.toThrow(/cannot export .*boxes\.srt: \.srt holds SubRip subtitles.*detection session/)
    expect(demo.inference.counters.get('color-box-detector-e2e')?.success.count).toBe(before)
  })
})
