import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Unprocessed } from '../../shared/session-summary'
import { pcm16, wav16Header } from '../media/wav-file'
import type { AudioChunkIn } from './pipelines/audio-chunk'

/** How the message of an utterance given up on ends when its audio is kept. */
export const KEPT = " and are kept with the session's untranscribed audio"

/**
 * Every sample of a session that got no final transcript, so none is lost: utterances the
 * session gave up on along the way (a server that dies on them every time) go to a file in the
 * session's folder as they are given up, and at the end the audio still queued or unanswered
 * follows them into one WAV (16-bit PCM, in the order it was left, pieces end to end), which
 * the summary names and an export copies.
 */
export class UntranscribedAudio {
  private readonly givenUpPath: string
  /** Samples written to `givenUpPath`, and where the earliest of them starts in media time. */
  private givenUp = 0
  private startSec = Number.POSITIVE_INFINITY

  constructor(
    private readonly dir: string,
    private readonly rate: number,
  ) {
    this.givenUpPath = join(dir, 'given-up.pcm')
  }

  /** An utterance given up on: its audio, starting at `startSec` of media time. */
  keep(startSec: number, pieces: readonly Float32Array[]): void {
    const pcm = pcm16(pieces)
    if (pcm.length === 0) return
    appendFileSync(this.givenUpPath, pcm, { mode: 0o600 })
    this.givenUp += pcm.length / 2
    this.startSec = Math.min(this.startSec, startSec)
  }

  /**
   * What the session leaves untranscribed at its end: the given-up audio, then `items` (audio
   * accepted and never answered) in media order, written as one WAV. Undefined when nothing is.
   */
  finish(items: readonly AudioChunkIn[], requests: number): Unprocessed | undefined {
    const ordered = [...items].sort((a, b) => a.startSec - b.startSec)
    const left = pcm16(ordered.map((c) => c.samples.subarray(0, c.validSamples)))
    const total = this.givenUp + left.length / 2
    if (total === 0) return requests > 0 ? { requests, audioSec: 0, frames: 0 } : undefined
    const audioStartSec = Math.min(this.startSec, ordered[0]?.startSec ?? Infinity)
    const keptAudioPath = join(this.dir, `untranscribed-from-${audioStartSec.toFixed(1)}s.wav`)
    const givenUp = this.givenUp > 0 ? readFileSync(this.givenUpPath) : Buffer.alloc(0)
    const wav = Buffer.concat([wav16Header(total, this.rate), givenUp, left])
    writeFileSync(keptAudioPath, wav, { mode: 0o600 })
    rmSync(this.givenUpPath, { force: true })
    return { requests, audioSec: total / this.rate, audioStartSec, keptAudioPath, frames: 0 }
  }
}
