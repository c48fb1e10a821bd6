import { z } from 'zod'
import { resolveFfmpeg, resolveFfprobe } from './ffmpeg-path'
import { ffmpegInput, runTool, type ToolResult } from './ffmpeg-process'
import { assertMediaFile, ffmpegFailure, MediaError } from './media-error'

export interface AudioStreamInfo {
  sampleRate: number
  channels: number
  codec: string
}

export interface VideoStreamInfo {
  /** Display size: after rotation metadata and non-square pixels, i.e. what ffmpeg outputs. */
  width: number
  height: number
  fps: number
  codec: string
  frameCount?: number
}

export interface MediaInfo {
  durationSec?: number
  /** The first audio stream, the one the decoder reads. */
  audio?: AudioStreamInfo
  /** The first real video stream; cover art in music files does not count. */
  video?: VideoStreamInfo
}

export interface ProbeOptions {
  signal?: AbortSignal
  /** Set false to skip ffprobe and parse `ffmpeg -i` (what happens when ffprobe is absent). */
  ffprobe?: boolean
}

/**
 * Reads what a media file contains. Uses ffprobe's JSON when ffprobe exists and falls back to
 * parsing `ffmpeg -i`, since ffmpeg-static ships no ffprobe.
 */
export async function probeMedia(path: string, opts: ProbeOptions = {}): Promise<MediaInfo> {
  await assertMediaFile(path)
  const ffprobe = opts.ffprobe === false ? undefined : resolveFfprobe()
  if (ffprobe) {
    const res = await runTool(
      ffprobe,
      [
        '-v',
        'error',
        '-print_format',
        'json',
        '-show_format',
        '-show_streams',
        '-i',
        ffmpegInput(path),
      ],
      { signal: opts.signal },
    )
    checkRun(path, res, opts.signal)
    if (res.code !== 0) throw ffmpegFailure(path, res.stderr, 'probe', res)
    const info = parseFfprobeJson(res.stdout)
    if (info) return requireMedia(path, info)
    // Unexpected JSON (a very old or patched ffprobe): ffmpeg's own summary still works.
  }
  const res = await runTool(
    resolveFfmpeg(),
    ['-nostdin', '-hide_banner', '-i', ffmpegInput(path)],
    {
      signal: opts.signal,
    },
  )
  checkRun(path, res, opts.signal)
  // With no output file ffmpeg always exits 1; success is the presence of an input summary.
  if (!/^Input #0/m.test(res.stderr)) throw ffmpegFailure(path, res.stderr, 'probe', res)
  return requireMedia(path, parseFfmpegInfo(res.stderr))
}

/** Aborts and timeouts are not the file's fault; say so instead of blaming its contents. */
function checkRun(path: string, res: ToolResult, signal: AbortSignal | undefined): void {
  signal?.throwIfAborted()
  if (res.timedOut) {
    throw new MediaError(
      'ffmpeg-failed',
      `reading ${path} took too long and was stopped`,
      'the file may be on a slow or stalled drive or share; copy it to a local disk and try again',
      { path },
    )
  }
}

function requireMedia(path: string, info: MediaInfo): MediaInfo {
  if (!info.audio && !info.video) {
    throw new MediaError(
      'unreadable',
      `no audio or video stream in ${path}`,
      'choose an audio or video file; ffmpeg read this one but found nothing to play',
      { path },
    )
  }
  return info
}

const numeric = z.union([z.number(), z.string()]).optional()

const ffprobeSchema = z.object({
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        sample_rate: numeric,
        channels: numeric,
        width: numeric,
        height: numeric,
        avg_frame_rate: z.string().optional(),
        r_frame_rate: z.string().optional(),
        nb_frames: numeric,
        sample_aspect_ratio: z.string().optional(),
        duration: numeric,
        disposition: z.object({ attached_pic: numeric }).optional(),
        tags: z.record(z.string(), z.unknown()).optional(),
        side_data_list: z.array(z.object({ rotation: numeric })).optional(),
      }),
    )
    .optional(),
  format: z.object({ duration: numeric }).optional(),
})

function toNumber(v: number | string | undefined): number | undefined {
  if (v === undefined || v === '' || v === 'N/A') return undefined
  const n = Number(v)
  return Number.isFinite(n) ? n : undefined
}

/** "30000/1001" -> 29.97; undefined for "0/0" and the like. */
function parseRate(text: string | undefined): number | undefined {
  if (!text) return undefined
  const [num, den = '1'] = text.split('/')
  const value = Number(num) / Number(den)
  return Number.isFinite(value) && value > 0 ? value : undefined
}

/** Applies rotation and pixel aspect ratio so the size matches the frames ffmpeg produces. */
function displaySize(
  width: number,
  height: number,
  rotation: number | undefined,
  sar: string | undefined,
): { width: number; height: number } {
  const ratio = sar ? parseRate(sar.replace(':', '/')) : undefined
  // ffmpeg's scaler does not apply the pixel aspect; the display size reflects it.
  const w = ratio && ratio !== 1 ? Math.round(width * ratio) : width
  const quarterTurn = rotation !== undefined && Math.abs(Math.round(rotation)) % 180 === 90
  return quarterTurn ? { width: height, height: w } : { width: w, height }
}

/** Parses `ffprobe -print_format json -show_format -show_streams`; undefined if it is not that. */
export function parseFfprobeJson(json: string): MediaInfo | undefined {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch {
    return undefined
  }
  const parsed = ffprobeSchema.safeParse(raw)
  if (!parsed.success) return undefined
  const streams = parsed.data.streams ?? []
  const info: MediaInfo = {}
  let duration = toNumber(parsed.data.format?.duration)

  const a = streams.find((s) => s.codec_type === 'audio')
  if (a) {
    const sampleRate = toNumber(a.sample_rate)
    const channels = toNumber(a.channels)
    if (sampleRate && channels) {
      info.audio = { sampleRate, channels, codec: a.codec_name ?? 'unknown' }
    }
  }
  const v = streams.find(
    (s) => s.codec_type === 'video' && toNumber(s.disposition?.attached_pic) !== 1,
  )
  if (v) {
    const width = toNumber(v.width)
    const height = toNumber(v.height)
    if (width && height) {
      const rotation =
        v.side_data_list?.map((d) => toNumber(d.rotation)).find((r) => r !== undefined) ??
        toNumber(typeof v.tags?.rotate === 'string' ? v.tags.rotate : undefined)
      const size = displaySize(width, height, rotation, v.sample_aspect_ratio)
      const frameCount = toNumber(v.nb_frames)
      info.video = {
        ...size,
        fps: parseRate(v.avg_frame_rate) ?? parseRate(v.r_frame_rate) ?? 0,
        codec: v.codec_name ?? 'unknown',
        ...(frameCount && Number.isInteger(frameCount) ? { frameCount } : {}),
      }
    }
  }
  if (duration === undefined) {
    const durations = streams.map((s) => toNumber(s.duration)).filter((d) => d !== undefined)
    if (durations.length > 0) duration = Math.max(...durations)
  }
  if (duration !== undefined) info.durationSec = duration
  return info
}

const CHANNEL_LAYOUTS: Record<string, number> = {
  mono: 1,
  stereo: 2,
  '2.1': 3,
  '3.0': 3,
  quad: 4,
  '4.0': 4,
  '4.1': 5,
  '5.0': 5,
  '5.1': 6,
  '6.0': 6,
  '6.1': 7,
  '7.0': 7,
  '7.1': 8,
}

function parseChannels(text: string | undefined): number | undefined {
  if (!text) return undefined
  const counted = /^(\d+) channels?/.exec(text)
  if (counted) return Number(counted[1])
  // "5.1(side)" and similar variants name the same channel count.
  return CHANNEL_LAYOUTS[text.replace(/\(.*\)$/, '')]
}

/** Parses the input summary that `ffmpeg -i file` prints on stderr. */
export function parseFfmpegInfo(stderr: string): MediaInfo {
  const info: MediaInfo = {}
  const dur = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr)
  if (dur) info.durationSec = Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3])

  let pendingVideo:
    { width: number; height: number; sar?: string; fps: number; codec: string } | undefined
  let rotation: number | undefined
  const finishVideo = (): void => {
    if (pendingVideo && !info.video) {
      const size = displaySize(pendingVideo.width, pendingVideo.height, rotation, pendingVideo.sar)
      info.video = { ...size, fps: pendingVideo.fps, codec: pendingVideo.codec }
    }
    pendingVideo = undefined
    rotation = undefined
  }

  for (const line of stderr.split(/\r?\n/)) {
    const stream = /^\s*Stream #\d+:\d+\S*: (Audio|Video|Subtitle|Data|Attachment): (.*)$/.exec(
      line,
    )
    if (stream) {
      finishVideo()
      const [, kind, rest] = stream
      const codec = /^[^\s,]+/.exec(rest)?.[0] ?? 'unknown'
      if (kind === 'Audio' && !info.audio) {
        const rate = /(\d+) Hz, ([^,]+)/.exec(rest)
        const channels = parseChannels(rate?.[2].trim())
        if (rate && channels) info.audio = { sampleRate: Number(rate[1]), channels, codec }
      } else if (kind === 'Video' && !info.video && !/\(attached pic\)/.test(rest)) {
        // The size follows a comma; a bare \d+x\d+ would also match codec tags like 0x31637661.
        const size = /, (\d+)x(\d+)\b/.exec(rest)
        const fps = /([\d.]+)(k?) fps/.exec(rest) ?? /([\d.]+)(k?) tbr/.exec(rest)
        if (size) {
          pendingVideo = {
            width: Number(size[1]),
            height: Number(size[2]),
            sar: /\[SAR (\d+:\d+)/.exec(rest)?.[1],
            fps: fps ? Number(fps[1]) * (fps[2] === 'k' ? 1000 : 1) : 0,
            codec,
          }
        }
      }
      continue
    }
    // Newer ffmpeg prints a display matrix, older ones a "rotate" tag.
    const rot =
      /displaymatrix: rotation of (-?[\d.]+) degrees/.exec(line) ??
      /^\s*rotate\s*: (-?\d+)/.exec(line)
    if (rot && pendingVideo) rotation = Number(rot[1])
  }
  finishVideo()
  return info
}
