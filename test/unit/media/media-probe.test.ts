import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MediaError } from '../../../src/main/media/media-error'
import {
  parseFfmpegInfo,
  parseFfprobeJson,
  probeMedia,
  type MediaInfo,
} from '../../../src/main/media/media-probe'
import { makeMediaFixtures, type MediaFixtures } from './media-fixtures'

let media: MediaFixtures

beforeAll(() => {
  media = makeMediaFixtures()
})

afterAll(() => media.cleanup())

// Both probe paths must agree on what ffmpeg will decode.
describe.each([
  { via: 'ffprobe', ffprobe: true },
  { via: 'ffmpeg -i', ffprobe: false },
])('probeMedia via $via', ({ ffprobe }) => {
  const probe = (path: string): Promise<MediaInfo> => probeMedia(path, { ffprobe })

  it('reads sample rate, channels and duration of a stereo WAV', async () => {
    const info = await probe(media.toneWav)
    expect(info.audio).toMatchObject({ sampleRate: 44100, channels: 2 })
    expect(info.audio?.codec).toMatch(/^pcm_/)
    expect(info.video).toBeUndefined()
    expect(info.durationSec).toBeCloseTo(1.5, 2)
  })

  it('reads espeak-ng speech as 22.05 kHz mono', async () => {
    const info = await probe(media.speechWav)
    expect(info.audio).toEqual({ sampleRate: 22050, channels: 1, codec: 'pcm_s16le' })
  })

  it('reads size, frame rate and codec of an H.264 clip without sound', async () => {
    const info = await probe(media.boxMp4)
    expect(info.video).toMatchObject({ width: 320, height: 180, fps: 10, codec: 'h264' })
    expect(info.audio).toBeUndefined()
    expect(info.durationSec).toBeCloseTo(1, 2)
  })

  it('reports a clip flagged as rotated with its displayed size', async () => {
    const info = await probe(media.rotatedMp4)
    expect(info.video).toMatchObject({ width: 180, height: 320 })
  })

  it('reads both tracks of a clip with sound', async () => {
    const info = await probe(media.avMp4)
    expect(info.video).toMatchObject({ width: 320, height: 180, fps: 10 })
    expect(info.audio).toMatchObject({ sampleRate: 44100, channels: 1, codec: 'aac' })
  })

  it('does not count cover art as video', async () => {
    const info = await probe(media.coverMp3)
    expect(info.audio).toMatchObject({ sampleRate: 44100, channels: 2, codec: 'mp3' })
    expect(info.video).toBeUndefined()
  })

  it('reports a text file named .wav as unreadable', async () => {
    const err: unknown = await probe(media.textWav).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MediaError)
    expect((err as MediaError).code).toBe('unreadable')
    expect((err as MediaError).message).toContain(media.textWav)
  })

  it('reports a missing file as not-found', async () => {
    const missing = `${media.dir}/missing.wav`
    const err: unknown = await probe(missing).catch((e: unknown) => e)
    expect((err as MediaError).code).toBe('not-found')
    expect((err as MediaError).message).toContain(missing)
  })
})

describe('probeMedia', () => {
  it('counts the frames when the container records them', async () => {
    const info = await probeMedia(media.boxMp4)
    expect(info.video?.frameCount).toBe(10)
  })

  it('reports a folder as unreadable', async () => {
    await expect(probeMedia(media.dir)).rejects.toMatchObject({ code: 'unreadable' })
  })

  it('rejects with the abort reason when aborted', async () => {
    const ac = new AbortController()
    const pending = probeMedia(media.boxMp4, { signal: ac.signal })
    ac.abort()
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('handles a path that looks like a protocol or an option', async () => {
    const { copyFileSync } = await import('node:fs')
    const odd = `${media.dir}/-odd:name.wav`
    copyFileSync(media.speechWav, odd)
    const info = await probeMedia(odd)
    expect(info.audio?.sampleRate).toBe(22050)
  })
})

describe('parseFfmpegInfo', () => {
  it('reads channel layouts, skips cover art and ignores hex codec tags', () => {
    const stderr = [
      "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/x.mp4':",
      '  Duration: 00:01:02.50, start: 0.000000, bitrate: 16 kb/s',
      '  Stream #0:0[0x1](und): Video: png, rgb24(pc), 64x64 [SAR 1:1 DAR 1:1], 90k tbr, 90k tbn (attached pic)',
      '  Stream #0:1[0x2](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709, progressive), 1920x1080 [SAR 1:1 DAR 16:9], 8 kb/s, 29.97 fps, 29.97 tbr, 30k tbn (default)',
      '    Side data:',
      '      displaymatrix: rotation of -90.00 degrees',
      '  Stream #0:2[0x3](eng): Audio: ac3, 48000 Hz, 5.1(side), fltp, 384 kb/s',
      '  Stream #0:3[0x4](eng): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 128 kb/s',
    ].join('\n')
    expect(parseFfmpegInfo(stderr)).toEqual({
      durationSec: 62.5,
      video: { width: 1080, height: 1920, fps: 29.97, codec: 'h264' },
      audio: { sampleRate: 48000, channels: 6, codec: 'ac3' },
    })
  })

  it('applies a non-square pixel aspect to the width', () => {
    const stderr =
      '  Stream #0:0: Video: mpeg2video (Main), yuv420p(tv, top first), 720x576 [SAR 16:15 DAR 4:3], 25 fps, 25 tbr'
    expect(parseFfmpegInfo(stderr).video).toMatchObject({ width: 768, height: 576, fps: 25 })
  })
})

describe('parseFfprobeJson', () => {
  it('prefers the average frame rate and falls back to the stream duration', () => {
    const json = JSON.stringify({
      streams: [
        {
          codec_type: 'video',
          codec_name: 'vp9',
          width: 640,
          height: 480,
          avg_frame_rate: '30000/1001',
          r_frame_rate: '60/1',
          duration: '4.000000',
        },
      ],
      format: {},
    })
    const info = parseFfprobeJson(json)
    expect(info?.video?.fps).toBeCloseTo(29.97003, 5)
    expect(info?.durationSec).toBe(4)
  })

  it('returns undefined for text that is not ffprobe JSON', () => {
    expect(parseFfprobeJson('not json')).toBeUndefined()
    expect(parseFfprobeJson('{"streams": 3}')).toBeUndefined()
  })
})
