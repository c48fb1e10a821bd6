/**
 * Burns detections into a copy of the source video: ffmpeg decodes the source to raw RGB at
 * its own size and rate, each frame's boxes are drawn in JavaScript (box-drawing.ts), and a
 * second ffmpeg encodes the frames to H.264 MP4.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { DetectionFrameEvent } from '../../shared/results'
import { resolveFfmpeg } from '../media/ffmpeg-path'
import { ffmpegInput, streamFfmpegRecords } from '../media/ffmpeg-process'
import { lastMeaningfulLine, MediaError } from '../media/media-error'
import { probeMedia } from '../media/media-probe'
import { drawDetections } from './box-drawing'

export interface AnnotatedVideoOptions {
  /** The video the detections were made on. */
  input: string
  /** Where the MP4 goes; replaced only once the whole file is written. */
  output: string
  detections: readonly DetectionFrameEvent[]
  signal?: AbortSignal
}

export interface AnnotatedVideoResult {
  frames: number
  width: number
  height: number
  fps: number
  /** Frames that had detections drawn on them. */
  annotatedFrames: number
}

type Exit = { code: number | null; signal: NodeJS.Signals | null }

// Used when the container does not say, as the video decoder does.
const DEFAULT_FPS = 25
const STDERR_KEEP = 8 * 1024

/**
 * Decodes `input`, draws each frame's boxes (a 2-3 px outline in the class's colour and a
 * label with the class and score, sized to the picture) and encodes H.264 yuv420p MP4 at the
 * source's size and frame rate, keeping the first audio track. Detections are matched to frames by frame
 * index, or by nearest time when the session sampled fewer frames than the file has. The MP4
 * is written to a temporary file beside `output` and renamed at the end, so a failed or
 * aborted export leaves no half-written file.
 */
export async function writeAnnotatedVideo(
  opts: AnnotatedVideoOptions,
): Promise<AnnotatedVideoResult> {
  const { input, output, signal } = opts
  const info = await probeMedia(input, { signal })
  if (!info.video) {
    throw new MediaError(
      'no-video',
      `no video stream in ${input}, so there is nothing to draw boxes on`,
      'export an annotated video only from a video session',
      { path: input },
    )
  }
  const { width, height } = info.video
  const fps = info.video.fps > 0 ? info.video.fps : DEFAULT_FPS
  const frameBytes = width * height * 3
  const matcher = frameMatcher(opts.detections, fps)
  const ffmpeg = resolveFfmpeg()
  const temp = join(
    dirname(output),
    `.${basename(output)}.${randomBytes(4).toString('hex')}.partial`,
  )

  const encoder = spawn(ffmpeg, encoderArgs(input, temp, width, height, fps), {
    stdio: ['pipe', 'ignore', 'pipe'],
    windowsHide: true,
  })
  let stderr = ''
  encoder.stderr?.setEncoding('utf8').on('data', (s: string) => {
    stderr = (stderr + s).slice(-STDERR_KEEP)
  })
  const exited = new Promise<Exit>((resolve, reject) => {
    encoder.once('error', reject)
    encoder.once('close', (code, sig) => resolve({ code, signal: sig }))
  })
  exited.catch(() => undefined)
  let encoderGone = false
  void exited.finally(() => (encoderGone = true)).catch(() => undefined)
  // EPIPE when the encoder quits early; its exit status and stderr say why.
  encoder.stdin?.on('error', () => undefined)
  const kill = (): void => {
    if (encoder.exitCode === null && encoder.signalCode === null) encoder.kill('SIGKILL')
  }
  signal?.addEventListener('abort', kill, { once: true })

  let frames = 0
  let annotatedFrames = 0
  let done = false
  try {
    const records = streamFfmpegRecords(ffmpeg, decoderArgs(input, fps), {
      path: input,
      wanted: 'video',
      recordBytes: frameBytes,
      allocate: () => new Uint8Array(frameBytes),
      signal,
    })
    const stdin = encoder.stdin
    if (!stdin) throw new Error('ffmpeg started without an input pipe')
    for await (const record of records) {
      if (record.filled < frameBytes || encoderGone) break
      const event = matcher(frames)
      if (event && event.boxes.length > 0) {
        const sx = event.sourceWidth > 0 ? width / event.sourceWidth : 1
        const sy = event.sourceHeight > 0 ? height / event.sourceHeight : 1
        drawDetections(record.bytes, width, height, event.boxes, sx, sy)
        annotatedFrames++
      }
      frames++
      // Respect the pipe: a slow encoder pauses decoding instead of piling frames up in memory.
      if (!stdin.write(record.bytes)) {
        const drained = once(stdin, 'drain')
        // A dead encoder makes the pipe fail (EPIPE); the exit status below says why.
        drained.catch(() => undefined)
        await Promise.race([drained, exited])
      }
    }
    signal?.throwIfAborted()
    stdin.end()
    const exit = await exited.catch((err: unknown) => {
      throw new MediaError(
        'ffmpeg-missing',
        `cannot start ${ffmpeg}: ${(err as Error).message}`,
        'install ffmpeg (apt-get install ffmpeg) or set FFMPEG_BIN to its path',
        { cause: err },
      )
    })
    signal?.throwIfAborted()
    if (exit.code !== 0) throw encodeFailure(output, stderr, exit)
    if (frames === 0) {
      throw new MediaError(
        'unreadable',
        `${input} decoded to no video frames`,
        'check that the file plays in a media player',
        { path: input },
      )
    }
    await rename(temp, output)
    done = true
    return { frames, width, height, fps, annotatedFrames }
  } catch (err) {
    signal?.throwIfAborted()
    if (err instanceof MediaError) throw err
    // A write that broke because the encoder died: the encoder's own message is the cause.
    const exit = await exitWithin(exited, encoderGone ? 5000 : 500)
    if (exit && exit.code !== 0) throw encodeFailure(output, stderr, exit)
    throw err
  } finally {
    signal?.removeEventListener('abort', kill)
    kill()
    await exited.catch(() => undefined)
    if (!done) await rm(temp, { force: true }).catch(() => undefined)
  }
}

/** The encoder's exit, if it comes within `ms`; undefined if it is still running. */
async function exitWithin(exited: Promise<Exit>, ms: number): Promise<Exit | undefined> {
  let cancel = (): void => undefined
  const timeout = new Promise<undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms)
    cancel = () => clearTimeout(timer)
  })
  try {
    return await Promise.race([exited.catch(() => undefined), timeout])
  } finally {
    cancel()
  }
}

function decoderArgs(input: string, fps: number): string[] {
  return [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-i',
    ffmpegInput(input),
    '-map',
    '0:V:0',
    // The same constant-rate filter the detection session decoded with, so indices line up.
    '-vf',
    `fps=${fps}`,
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ]
}

function encoderArgs(
  input: string,
  temp: string,
  width: number,
  height: number,
  fps: number,
): string[] {
  const odd = width % 2 !== 0 || height % 2 !== 0
  return [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-video_size',
    `${width}x${height}`,
    '-framerate',
    String(fps),
    '-i',
    'pipe:0',
    '-i',
    ffmpegInput(input),
    '-map',
    '0:v:0',
    // The source's sound, if it has any, so a demo keeps its audio.
    '-map',
    '1:a:0?',
    // yuv420p needs even sizes; one pixel of padding beats failing on odd-sized sources.
    ...(odd ? ['-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2'] : []),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '20',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    '-y',
    temp,
  ]
}

function encodeFailure(output: string, stderr: string, exit: Exit): MediaError {
  const line = lastMeaningfulLine(stderr)
  if (/Unknown encoder|libx264/i.test(stderr) && /encoder/i.test(line)) {
    return new MediaError(
      'ffmpeg-failed',
      `cannot write ${output}: this ffmpeg has no H.264 encoder (${line})`,
      'use an ffmpeg built with libx264 (Debian/Ubuntu: apt-get install ffmpeg) and point FFMPEG_BIN at it',
    )
  }
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? '?'}`
  return new MediaError(
    'ffmpeg-failed',
    `cannot write ${output}: ffmpeg ${line || how}`,
    'check that the folder exists, is writable and has free space',
    { path: output },
  )
}

/**
 * For each frame index, the detections to draw. A session's frame index is trusted when its
 * time agrees with index / fps; otherwise (the session skipped frames with a frame-rate cap)
 * the event nearest in time is used, if it is no further away than half the usual spacing
 * between events, so boxes do not linger past the end of a short session.
 */
export function frameMatcher(
  detections: readonly DetectionFrameEvent[],
  fps: number,
): (frame: number) => DetectionFrameEvent | undefined {
  const byIndex = new Map<number, DetectionFrameEvent>()
  for (const d of detections) byIndex.set(d.frame, d)
  const byTime = [...detections].sort((a, b) => a.timeSec - b.timeSec)
  const gaps = byTime
    .slice(1)
    .map((d, i) => d.timeSec - byTime[i].timeSec)
    .sort((a, b) => a - b)
  const medianGap = gaps.length > 0 ? gaps[Math.floor(gaps.length / 2)] : 0
  const halfFrame = 0.5 / fps
  const tolerance = Math.max(halfFrame, medianGap / 2) + 1e-6
  return (frame) => {
    const t = frame / fps
    const exact = byIndex.get(frame)
    if (exact && Math.abs(exact.timeSec - t) <= halfFrame + 1e-6) return exact
    if (byTime.length === 0) return undefined
    // Binary search for the first event at or after t, then take the closer neighbour.
    let lo = 0
    let hi = byTime.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (byTime[mid].timeSec < t) lo = mid + 1
      else hi = mid
    }
    const candidates = [byTime[lo - 1], byTime[lo]].filter(
      (d): d is DetectionFrameEvent => d !== undefined,
    )
    const best = candidates.reduce((a, b) =>
      Math.abs(b.timeSec - t) < Math.abs(a.timeSec - t) ? b : a,
    )
    return Math.abs(best.timeSec - t) <= tolerance ? best : undefined
  }
}
