import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LETTERBOX_PAD_VALUE } from '../../../src/shared/letterbox'
import { MediaError } from '../../../src/main/media/media-error'
import {
  decodeVideoFrames,
  letterboxFilter,
  sourceIndex,
  type VideoDecodeOptions,
  type VideoFrame,
} from '../../../src/main/media/video-decoder'
import { childFfmpegs, makeMediaFixtures, type MediaFixtures } from './media-fixtures'

let media: MediaFixtures

beforeAll(() => {
  media = makeMediaFixtures()
})

afterAll(() => media.cleanup())

async function collect(path: string, opts: VideoDecodeOptions): Promise<VideoFrame[]> {
  const frames: VideoFrame[] = []
  for await (const frame of decodeVideoFrames(path, opts)) frames.push(frame)
  return frames
}

/** Bounding box (inclusive) of clearly red pixels in an RGB frame. */
function redBox(f: VideoFrame): { x1: number; y1: number; x2: number; y2: number } {
  const w = f.letterbox.dstWidth
  const h = f.letterbox.dstHeight
  let x1 = Infinity
  let y1 = Infinity
  let x2 = -1
  let y2 = -1
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (y * w + x) * 3
      if (f.rgb[p] > 150 && f.rgb[p + 1] < 100 && f.rgb[p + 2] < 100) {
        x1 = Math.min(x1, x)
        y1 = Math.min(y1, y)
        x2 = Math.max(x2, x)
        y2 = Math.max(y2, y)
      }
    }
  }
  return { x1, y1, x2, y2 }
}

function rowsAll(f: VideoFrame, fromRow: number, toRow: number, value: number): boolean {
  const stride = f.letterbox.dstWidth * 3
  return f.rgb.subarray(fromRow * stride, toRow * stride).every((b) => b === value)
}

describe('decodeVideoFrames', () => {
  it('letterboxes a 320x180 10 fps clip into 640x640 frames with exact timestamps', async () => {
    const frames = await collect(media.boxMp4, { width: 640, height: 640 })
    expect(frames).toHaveLength(10)
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    frames.forEach((f, i) => expect(f.timeSec).toBeCloseTo(i / 10, 9))
    const f = frames[0]
    expect(f.rgb).toHaveLength(640 * 640 * 3)
    expect(f.sourceWidth).toBe(320)
    expect(f.sourceHeight).toBe(180)
    expect(f.letterbox).toMatchObject({
      scale: 2,
      scaledWidth: 640,
      scaledHeight: 360,
      padX: 0,
      padY: 140,
    })
  })

  it('pads the letterbox rows with exactly 114', async () => {
    const [f] = await collect(media.boxMp4, { width: 640, height: 640 })
    expect(rowsAll(f, 0, 140, LETTERBOX_PAD_VALUE)).toBe(true)
    expect(rowsAll(f, 500, 640, LETTERBOX_PAD_VALUE)).toBe(true)
    // The picture itself starts right at the pad boundary.
    const p = (140 * 640 + 10) * 3
    expect(Math.abs(f.rgb[p] - 0x30)).toBeLessThanOrEqual(3)
  })

  it('places the red box where the letterbox maps it, within 2 px', async () => {
    const frames = await collect(media.boxMp4, { width: 640, height: 640 })
    for (const f of [frames[0], frames[9]]) {
      const box = redBox(f)
      // Source x 40..100, y 20..60, scaled by 2 and shifted down by the 140 px pad.
      expect(Math.abs(box.x1 - 80)).toBeLessThanOrEqual(2)
      expect(Math.abs(box.x2 + 1 - 200)).toBeLessThanOrEqual(2)
      expect(Math.abs(box.y1 - (140 + 40))).toBeLessThanOrEqual(2)
      expect(Math.abs(box.y2 + 1 - (140 + 120))).toBeLessThanOrEqual(2)
    }
  })

  it('drops frames down to maxFps, times them at that rate and numbers them as the source does', async () => {
    const frames = await collect(media.boxMp4, { width: 320, height: 320, maxFps: 5 })
    expect(frames).toHaveLength(5)
    frames.forEach((f, i) => expect(f.timeSec).toBeCloseTo(i * 0.2, 9))
    // The clip is 10 fps: every other source frame is sent.
    expect(frames.map((f) => f.index)).toEqual([0, 2, 4, 6, 8])
  })

  it('keeps the source rate when maxFps is above it', async () => {
    const frames = await collect(media.boxMp4, { width: 320, height: 320, maxFps: 30 })
    expect(frames).toHaveLength(10)
  })

  it('letterboxes sideways for a file flagged as rotated, as ffmpeg displays it', async () => {
    const [f] = await collect(media.rotatedMp4, { width: 640, height: 640 })
    expect(f.sourceWidth).toBe(180)
    expect(f.sourceHeight).toBe(320)
    expect(f.letterbox).toMatchObject({ scaledWidth: 360, scaledHeight: 640, padX: 140, padY: 0 })
    // Left and right pad columns are grey; the centre column is picture.
    expect(f.rgb[0]).toBe(LETTERBOX_PAD_VALUE)
    expect(f.rgb[(320 * 640 + 639) * 3]).toBe(LETTERBOX_PAD_VALUE)
    expect(Math.abs(f.rgb[(20 * 640 + 320) * 3] - 0x30)).toBeLessThanOrEqual(3)
  })

  it('reads the picture track of a file that also has sound', async () => {
    const frames = await collect(media.avMp4, { width: 160, height: 96 })
    expect(frames).toHaveLength(10)
    expect(frames[0].rgb).toHaveLength(160 * 96 * 3)
  })

  it('reports no-video for an audio file, even one with cover art', async () => {
    for (const path of [media.toneWav, media.coverMp3]) {
      const err: unknown = await collect(path, { width: 64, height: 64 }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(MediaError)
      expect((err as MediaError).code).toBe('no-video')
      expect((err as MediaError).message).toContain(path)
    }
  })

  it('reports a missing file as not-found', async () => {
    const missing = `${media.dir}/missing.mp4`
    await expect(collect(missing, { width: 64, height: 64 })).rejects.toMatchObject({
      code: 'not-found',
    })
  })

  it('stops ffmpeg when the consumer leaves after the first frame', async () => {
    for await (const f of decodeVideoFrames(media.boxMp4, { width: 640, height: 640 })) {
      expect(f.index).toBe(0)
      break
    }
    expect(childFfmpegs()).toEqual([])
  })

  it('stops ffmpeg and ends the generator on abort', async () => {
    const ac = new AbortController()
    const gen = decodeVideoFrames(media.boxMp4, { width: 640, height: 640, signal: ac.signal })
    expect((await gen.next()).done).toBe(false)
    ac.abort()
    expect((await gen.next()).done).toBe(true)
    expect(childFfmpegs()).toEqual([])
  })

  it('ends quietly when aborted while still probing', async () => {
    const ac = new AbortController()
    const pending = collect(media.boxMp4, { width: 64, height: 64, signal: ac.signal })
    ac.abort()
    expect(await pending).toEqual([])
  })

  it('paces frames to their timestamps in real-time mode', async () => {
    const started = performance.now()
    const frames = await collect(media.boxMp4, { width: 64, height: 64, maxFps: 5, realtime: true })
    expect(frames).toHaveLength(5)
    expect(performance.now() - started).toBeGreaterThanOrEqual(790)
  })
})

describe('letterboxFilter', () => {
  it('builds the fps, scale, rgb and pad chain from the letterbox numbers', () => {
    const filter = letterboxFilter(
      {
        srcWidth: 320,
        srcHeight: 180,
        dstWidth: 640,
        dstHeight: 640,
        scale: 2,
        scaledWidth: 640,
        scaledHeight: 360,
        padX: 0,
        padY: 140,
      },
      10,
    )
    expect(filter).toBe(
      'fps=10:round=up,scale=640:360:flags=bilinear,format=rgb24,pad=640:640:0:140:color=0x727272',
    )
  })

  it('names the source frame each kept frame is, for integer and other ratios', () => {
    expect([0, 1, 2, 3].map((k) => sourceIndex(k, 2.5, 10))).toEqual([0, 4, 8, 12])
    expect([0, 1, 2, 3].map((k) => sourceIndex(k, 3, 10))).toEqual([0, 3, 6, 10])
    expect([0, 1, 2].map((k) => sourceIndex(k, 30, 30))).toEqual([0, 1, 2])
  })
})
