import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'
import { ffmpegFailure, MediaError } from './media-error'

/**
 * Names a local file for ffmpeg's `-i` so that paths which look like protocols or options
 * ("a:b.mp4", "-x.wav") are still read as plain files.
 */
export function ffmpegInput(path: string): string {
  return `file:${resolve(path)}`
}

// Enough of ffmpeg's stderr to name the cause; a damaged file can make it print megabytes.
const STDERR_KEEP = 16 * 1024

function keepTail(acc: string, more: string): string {
  const next = acc + more
  return next.length > STDERR_KEEP ? next.slice(next.length - STDERR_KEEP) : next
}

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

function spawnTool(
  bin: string,
  args: readonly string[],
): { child: ChildProcess; closed: Promise<Exit> } {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true })
  const closed = new Promise<Exit>((resolveExit, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => resolveExit({ code, signal }))
  })
  // Callers may never await `closed` if they bail out early; keep the rejection from going unhandled.
  closed.catch(() => undefined)
  return { child, closed }
}

function spawnFailed(bin: string, err: unknown): MediaError {
  const code = (err as NodeJS.ErrnoException).code
  return new MediaError(
    code === 'ENOENT' ? 'ffmpeg-missing' : 'ffmpeg-failed',
    `cannot start ${bin}: ${(err as Error).message}`,
    'install ffmpeg (apt-get install ffmpeg) or set FFMPEG_BIN to its path',
    { cause: err },
  )
}

export interface ToolResult extends Exit {
  stdout: string
  stderr: string
  /** True when the run was killed for taking longer than `timeoutMs`. */
  timedOut: boolean
}

/** Runs a short-lived tool (ffprobe, `ffmpeg -i`) and collects its output. */
export async function runTool(
  bin: string,
  args: readonly string[],
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ToolResult> {
  // A listener added to an already-aborted signal never fires; do not start work to discard.
  opts.signal?.throwIfAborted()
  const { child, closed } = spawnTool(bin, args)
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s))
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr = keepTail(stderr, s)))
  // A file on a stalled network share can hang a probe forever; never let it hang the app.
  let timedOut = false
  const kill = (): void => {
    child.kill('SIGKILL')
  }
  const timer = setTimeout(() => {
    timedOut = true
    kill()
  }, opts.timeoutMs ?? 30_000)
  opts.signal?.addEventListener('abort', kill, { once: true })
  try {
    const exit = await closed
    return { ...exit, stdout, stderr, timedOut }
  } catch (err) {
    throw spawnFailed(bin, err)
  } finally {
    clearTimeout(timer)
    opts.signal?.removeEventListener('abort', kill)
  }
}

export interface RawRecord {
  /** Storage from `allocate`; bytes past `filled` are zero. */
  bytes: Uint8Array
  filled: number
  /** True on the final record of a run that ended cleanly. */
  last: boolean
}

export interface RecordStreamOptions {
  /** The input file, for error messages. */
  path: string
  wanted: 'audio' | 'video'
  recordBytes: number
  /**
   * Allocates one zeroed record of `recordBytes`; lets the audio decoder hand out
   * Float32Array-backed storage.
   */
  allocate: () => Uint8Array
  signal?: AbortSignal
}

/**
 * Runs ffmpeg and cuts its stdout into fixed-size records (an audio chunk, a video frame).
 * Each byte is copied once, from the pipe's buffer into its record, so memory stays at a few
 * records however long the file is; the pipe's backpressure pauses ffmpeg while the consumer
 * is busy. A completed record is held back until more bytes or the end arrive, so the final
 * one can be marked `last`. Abort or an early `return()` kills ffmpeg and ends the generator
 * without an error; a failed run throws a MediaError.
 */
export async function* streamFfmpegRecords(
  bin: string,
  args: readonly string[],
  opts: RecordStreamOptions,
): AsyncGenerator<RawRecord, void, undefined> {
  const { signal, recordBytes } = opts
  if (signal?.aborted) return
  const { child, closed } = spawnTool(bin, args)
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr = keepTail(stderr, s)))
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  signal?.addEventListener('abort', kill, { once: true })

  try {
    let current = opts.allocate()
    let filled = 0
    let held: Uint8Array | undefined
    const stdout = child.stdout
    if (stdout) {
      for await (const data of stdout as AsyncIterable<Buffer>) {
        let offset = 0
        while (offset < data.length) {
          if (held) {
            // More bytes exist, so the held record was not the last one.
            const out = held
            held = undefined
            yield { bytes: out, filled: recordBytes, last: false }
            // Bytes already buffered in the pipe must not leak out after an abort.
            if (signal?.aborted) return
          }
          const n = Math.min(recordBytes - filled, data.length - offset)
          current.set(data.subarray(offset, offset + n), filled)
          filled += n
          offset += n
          if (filled === recordBytes) {
            held = current
            current = opts.allocate()
            filled = 0
          }
        }
      }
    }
    let exit: Exit
    try {
      exit = await closed
    } catch (err) {
      throw spawnFailed(bin, err)
    }
    if (signal?.aborted) return
    if (exit.code !== 0) throw ffmpegFailure(opts.path, stderr, opts.wanted, exit)
    if (held) yield { bytes: held, filled: recordBytes, last: filled === 0 }
    if (filled > 0) yield { bytes: current, filled, last: true }
  } finally {
    signal?.removeEventListener('abort', kill)
    kill()
    child.stdout?.destroy()
    // Wait for the exit so no zombie outlives the generator.
    await closed.catch(() => undefined)
  }
}

/**
 * Sleeps until `performance.now()` reaches `deadlineMs`, for real-time playback; resolves
 * false at once if the signal aborts, so a paused consumer stops promptly.
 */
export function waitUntil(deadlineMs: number, signal?: AbortSignal): Promise<boolean> {
  const delay = deadlineMs - performance.now()
  if (signal?.aborted) return Promise.resolve(false)
  if (delay <= 0) return Promise.resolve(true)
  return new Promise((resolveWait) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      resolveWait(false)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolveWait(true)
    }, delay)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
