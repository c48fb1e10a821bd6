import { resolveFfmpeg } from './ffmpeg-path'
import { ffmpegInput, streamFfmpegRecords, waitUntil } from './ffmpeg-process'
import { computeLetterbox, LETTERBOX_PAD_VALUE, type Letterbox } from '../../shared/letterbox'
import { MediaError } from './media-error'
import { probeMedia, type MediaInfo } from './media-probe'

export interface VideoFrame {
  /**
   * The source's frame number at this frame's media time: with `maxFps` dropping frames the
   * numbers skip (0, 4, 8… for 10 fps down to 2.5), so a result names the frame it was for.
   */
  index: number
  timeSec: number
  /** width*height*3 bytes, RGB, letterboxed to the model's input size; owns its whole buffer. */
  rgb: Uint8Array
  letterbox: Letterbox
  sourceWidth: number
  sourceHeight: number
}

export interface VideoDecodeOptions {
  /** The model's input size. */
  width: number
  height: number
  /** Drop frames to at most this rate; sources slower than this keep their own rate. */
  maxFps?: number
  signal?: AbortSignal
  /** Yield each frame at its media time on the wall clock, for "play in real time" mode. */
  realtime?: boolean
  /**
   * In real time, yield each frame this many seconds before its media time, so the model's
   * answer is in before a player showing the same file reaches that frame.
   */
  leadSec?: number
}

// Used when the container does not say (rare: some raw streams); ffmpeg assumes the same.
const DEFAULT_FPS = 25

const PAD_COLOR = `0x${LETTERBOX_PAD_VALUE.toString(16).padStart(2, '0').repeat(3)}`

/**
 * The ffmpeg filter that turns a source frame into exactly the letterbox computeLetterbox
 * describes, so boxes mapped back with the same numbers land on the right pixels. The fps
 * filter makes the output constant-rate, so frame i is at i/fps even for variable-rate input.
 * Conversion to RGB happens before padding so the pad is exactly 114, not a YUV round trip.
 */
export function letterboxFilter(lb: Letterbox, fps: number): string {
  return [
    // round=up keeps, for output frame k, the source frame at or just before k/fps, so the
    // frames kept are the source's own (0, 4, 8… for 10 fps down to 2.5): see sourceIndex.
    `fps=${fps}:round=up`,
    `scale=${lb.scaledWidth}:${lb.scaledHeight}:flags=bilinear`,
    'format=rgb24',
    `pad=${lb.dstWidth}:${lb.dstHeight}:${lb.padX}:${lb.padY}:color=${PAD_COLOR}`,
  ].join(',')
}

/** The source frame that the `sent`-th frame out of the fps filter is (letterboxFilter's rounding). */
export function sourceIndex(sent: number, fps: number, sourceFps: number): number {
  if (fps === sourceFps) return sent
  // The small epsilon keeps 3 x (10 / 3) at 10, not 9.999….
  return Math.floor((sent * sourceFps) / fps + 1e-9)
}

function checkPositive(name: string, value: number, integer: boolean): void {
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new RangeError(
      `${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`,
    )
  }
}

/**
 * Decodes the first video stream of any file ffmpeg reads into letterboxed RGB frames at the
 * model's input size, streamed one frame at a time. Aborting (or leaving the loop early) kills
 * ffmpeg and ends the generator without an error.
 */
export async function* decodeVideoFrames(
  path: string,
  opts: VideoDecodeOptions,
): AsyncGenerator<VideoFrame, void, undefined> {
  const { width, height, maxFps, signal } = opts
  checkPositive('width', width, true)
  checkPositive('height', height, true)
  if (maxFps !== undefined) checkPositive('maxFps', maxFps, false)

  let info: MediaInfo
  try {
    info = await probeMedia(path, { signal })
  } catch (err) {
    // Like the decoding itself, an abort during the probe just ends the generator.
    if (signal?.aborted) return
    throw err
  }
  if (!info.video) {
    throw new MediaError(
      'no-video',
      `no video stream in ${path}`,
      'choose a file that contains video, or use it as an audio source instead',
      { path },
    )
  }
  const { width: sourceWidth, height: sourceHeight } = info.video
  const sourceFps = info.video.fps > 0 ? info.video.fps : DEFAULT_FPS
  const fps = maxFps !== undefined && maxFps < sourceFps ? maxFps : sourceFps
  const letterbox = computeLetterbox(sourceWidth, sourceHeight, width, height)
  const frameBytes = width * height * 3

  const args = [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-i',
    ffmpegInput(path),
    // Capital V skips cover art, matching what probeMedia reports as the video.
    '-map',
    '0:V:0',
    '-vf',
    letterboxFilter(letterbox, fps),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ]
  const records = streamFfmpegRecords(resolveFfmpeg(), args, {
    path,
    wanted: 'video',
    recordBytes: frameBytes,
    allocate: () => new Uint8Array(frameBytes),
    signal,
  })

  let sent = 0
  let startedAt: number | undefined
  for await (const rec of records) {
    // A truncated final frame cannot be shown correctly; ffmpeg does not normally write one.
    if (rec.filled < frameBytes) break
    const index = sourceIndex(sent, fps, sourceFps)
    const timeSec = index / sourceFps
    if (opts.realtime) {
      startedAt ??= performance.now()
      const due = startedAt + (timeSec - (opts.leadSec ?? 0)) * 1000
      if (!(await waitUntil(due, signal))) return
    }
    yield { index, timeSec, rgb: rec.bytes, letterbox, sourceWidth, sourceHeight }
    sent++
  }
}
