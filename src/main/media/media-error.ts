import { stat } from 'node:fs/promises'

export type MediaErrorCode =
  'not-found' | 'unreadable' | 'no-audio' | 'no-video' | 'ffmpeg-missing' | 'ffmpeg-failed'

/**
 * Everything that goes wrong while probing or decoding a file. The message is one line that
 * names the file and the cause (it ends up in a status bar or a CLI error line); `hint` tells
 * the user what to do about it.
 */
export class MediaError extends Error {
  override readonly name = 'MediaError'
  readonly code: MediaErrorCode
  readonly hint: string
  /** The file involved, when there is one. */
  readonly path?: string

  constructor(
    code: MediaErrorCode,
    message: string,
    hint: string,
    options: { path?: string; cause?: unknown } = {},
  ) {
    super(oneLine(message), options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.hint = hint
    if (options.path !== undefined) this.path = options.path
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim()
}

/**
 * Fails fast with a clear error before any process is spawned: ffmpeg's own message for a
 * missing file is terse and arrives only after a process start.
 */
export async function assertMediaFile(path: string): Promise<void> {
  let isFile: boolean
  try {
    isFile = (await stat(path)).isFile()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new MediaError(
        'not-found',
        `media file not found: ${path}`,
        'check the path; relative paths are resolved against the current directory',
        { path, cause: err },
      )
    }
    throw new MediaError(
      'unreadable',
      `cannot read media file ${path}: ${(err as Error).message}`,
      'check that the file exists and that you have permission to read it',
      { path, cause: err },
    )
  }
  if (!isFile) {
    throw new MediaError(
      'unreadable',
      `not a regular file: ${path}`,
      'choose an audio or video file, not a folder or device',
      { path },
    )
  }
}

// ffmpeg closes a failed run with generic lines that say nothing about the cause.
const NOISE_LINE = /^(Conversion failed!?|Exiting normally.*|To ignore this, add a trailing .*)$/

/** The last line of ffmpeg's stderr that says something, for error messages. */
export function lastMeaningfulLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !NOISE_LINE.test(l))
  return lines.length > 0 ? lines[lines.length - 1] : ''
}

/**
 * Turns a failed ffmpeg/ffprobe run into a MediaError, recognising the causes a user can act
 * on from the text ffmpeg prints (exit codes are not specific enough).
 */
export function ffmpegFailure(
  path: string,
  stderr: string,
  wanted: 'audio' | 'video' | 'probe',
  exit: { code: number | null; signal: NodeJS.Signals | null },
): MediaError {
  const line = lastMeaningfulLine(stderr)
  const said = line ? ` (ffmpeg: ${line})` : ''
  if (/No such file or directory/i.test(stderr)) {
    return new MediaError('not-found', `media file not found: ${path}${said}`, 'check the path', {
      path,
    })
  }
  if (/Permission denied/i.test(stderr)) {
    return new MediaError(
      'unreadable',
      `cannot read media file ${path}${said}`,
      'check that you have permission to read the file',
      { path },
    )
  }
  if (/does not contain any stream|matches no streams/i.test(stderr) && wanted !== 'probe') {
    return wanted === 'audio'
      ? new MediaError(
          'no-audio',
          `no audio stream in ${path}`,
          'choose a file that contains sound, or use it as a video source instead',
          { path },
        )
      : new MediaError(
          'no-video',
          `no video stream in ${path}`,
          'choose a file that contains video, or use it as an audio source instead',
          { path },
        )
  }
  if (
    /Invalid data found when processing input|could not find codec parameters|moov atom not found|Invalid argument|Unknown input format|End of file/i.test(
      stderr,
    )
  ) {
    return new MediaError(
      'unreadable',
      `not a readable audio or video file: ${path}${said}`,
      'the file is damaged, incomplete or not a media format ffmpeg understands; try opening it in a media player',
      { path },
    )
  }
  const how =
    exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? '?'}`
  return new MediaError(
    'ffmpeg-failed',
    `ffmpeg failed on ${path}: ${line || how}`,
    `ffmpeg ${how}; run the same file through ffmpeg by hand to see its full output`,
    { path },
  )
}
