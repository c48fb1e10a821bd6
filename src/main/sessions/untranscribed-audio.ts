import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Pcm } from '../../shared/pcm16'
import type { Unprocessed } from '../../shared/session-summary'
import { pcm16, wav16Header } from '../media/wav-file'
import type { AudioChunkIn } from './pipelines/audio-chunk'

/** How the message of an utterance given up on ends when its audio is kept. */
export const KEPT = " and are kept with the session's untranscribed audio"

/**
 * The most silence put between two pieces of the WAV that were apart in media time, so an
 * endpointer hears them as the separate utterances they were when the WAV is transcribed again.
 * Pieces that followed each other (an utterance cut at its longest, then the next) stay joined.
 */
const MAX_GAP_SEC = 1

/**
 * The audio a session leaves without a final transcript, so none of it is lost: utterances it
 * gave up on along the way (a server that dies on them every time) go to a file in the
 * session's folder as they are given up, and at the end the audio still queued or unanswered
 * follows them into one WAV (16-bit PCM, pieces in the order they were left, at most a second
 * of silence where they were apart), which the summary names and an export copies. Audio the server
 * answered with an error (it refused the input) is not kept: sending it again would fail again.
 */
export class UntranscribedAudio {
  private readonly givenUpPath: string
  /** Samples kept (gaps not counted), the earliest start and where the last piece ended. */
  private samples = 0
  private startSec = Number.POSITIVE_INFINITY
  private endSec = 0
  /** Bytes of `givenUpPath` written whole; what a failed write (a full disk) left is in memory. */
  private written = 0
  private unwritten: Buffer[] | undefined

  constructor(
    private readonly dir: string,
    private readonly rate: number,
  ) {
    this.givenUpPath = join(dir, 'given-up.pcm')
  }

  /** Silence before a piece that starts at `startSec`: none for the first or a following one. */
  private gapBefore(startSec: number): Buffer {
    if (this.samples === 0) return Buffer.alloc(0)
    const sec = Math.min(MAX_GAP_SEC, Math.max(0, startSec - this.endSec))
    return Buffer.alloc(2 * Math.round(sec * this.rate))
  }

  /** An utterance given up on: its audio, starting at `startSec` of media time. Never throws. */
  keep(startSec: number, pieces: readonly Pcm[]): void {
    const audio = pcm16(pieces)
    if (audio.length === 0) return
    const pcm = Buffer.concat([this.gapBefore(startSec), audio])
    this.samples += audio.length / 2
    this.startSec = Math.min(this.startSec, startSec)
    this.endSec = startSec + audio.length / 2 / this.rate
    if (!this.unwritten) {
      try {
        appendFileSync(this.givenUpPath, pcm, { mode: 0o600 })
        this.written += pcm.length
        return
      } catch {
        this.unwritten = []
      }
    }
    this.unwritten.push(pcm)
  }

  /**
   * What the session leaves untranscribed at its end: the given-up audio, then `items` (audio
   * accepted and not answered, `requests` requests of it) in media order, as one WAV; items
   * with no request (silence before anyone spoke) are not reported. Undefined when nothing is
   * left; without `keptAudioPath` when the WAV could not be written. Never throws.
   */
  finish(items: readonly AudioChunkIn[], requests: number): Unprocessed | undefined {
    const ordered = requests > 0 ? [...items].sort((a, b) => a.startSec - b.startSec) : []
    const left = pcm16(ordered.map((c) => c.samples.subarray(0, c.validSamples)))
    const total = this.samples + left.length / 2
    if (total === 0) return requests > 0 ? { requests, audioSec: 0, frames: 0 } : undefined
    const audioStartSec = Math.min(this.startSec, ordered[0]?.startSec ?? Infinity)
    const out: Unprocessed = { requests, audioSec: total / this.rate, audioStartSec, frames: 0 }
    const path = join(this.dir, `untranscribed-from-${audioStartSec.toFixed(1)}s.wav`)
    try {
      const body = [
        this.written > 0
          ? readFileSync(this.givenUpPath).subarray(0, this.written)
          : left.subarray(0, 0),
        ...(this.unwritten ?? []),
        ...(left.length > 0 ? [this.gapBefore(ordered[0].startSec)] : []),
        left,
      ]
      const bytes = body.reduce((n, b) => n + b.length, 0)
      writeFileSync(path, Buffer.concat([wav16Header(bytes / 2, this.rate), ...body]), {
        mode: 0o600,
      })
      out.keptAudioPath = path
    } catch {
      // The summary still says how much was not transcribed; there is no file to name.
    }
    try {
      rmSync(this.givenUpPath, { force: true })
    } catch {
      // It goes with the session's folder.
    }
    return out
  }
}
