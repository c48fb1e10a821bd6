import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { AudioChunkIn } from '../pipelines/audio-chunk'
import { Signal, type SourceQueue } from './source-queue'

/** What stays in memory of a spilled chunk: where its samples are in the file, and their form. */
interface SpilledChunk {
  meta: Omit<AudioChunkIn, 'samples'>
  offset: number
  length: number
  pcm16: boolean
}

export interface AudioQueueOptions {
  sampleRate: number
  /** Bytes of samples held in memory; beyond this, chunks go to a file in `spillDir`. */
  memoryBytes: number
  spillDir: string
}

/** 8 MB of 16-bit PCM (as the page sends it) is about four minutes of 16 kHz audio. */
export const DEFAULT_AUDIO_MEMORY_BYTES = 8 * 1024 * 1024

/**
 * Live audio is never dropped: what the session cannot send yet (the link is down, the server
 * is slow) waits here, in memory up to a bound and in a temporary file beyond it, so an outage
 * of an hour costs disk, not RAM, and not a word of speech. Order is kept across both.
 */
export class AudioQueue implements SourceQueue<AudioChunkIn> {
  private readonly memory: AudioChunkIn[] = []
  private memoryBytes = 0
  private readonly spilled: SpilledChunk[] = []
  private spillFd: number | undefined
  private spillEnd = 0
  private readonly spillPath: string
  private readonly signal = new Signal()
  private closed = false
  private samples = 0
  private spilledSamples = 0
  readonly dropped = 0

  constructor(private readonly options: AudioQueueOptions) {
    this.spillPath = join(options.spillDir, 'queued-audio.pcm')
  }

  get length(): number {
    return this.memory.length + this.spilled.length
  }

  /** Seconds of audio waiting, and how much of it is on disk. */
  get queuedSec(): number {
    return this.samples / this.options.sampleRate
  }

  get spilledSec(): number {
    return this.spilledSamples / this.options.sampleRate
  }

  async push(chunk: AudioChunkIn): Promise<void> {
    if (this.closed) throw new Error('the session is stopping; no more audio is taken')
    this.samples += chunk.samples.length
    const bytes = chunk.samples.byteLength
    // Once anything is on disk, later chunks follow it there, so order is kept.
    if (this.spilled.length === 0 && this.memoryBytes + bytes <= this.options.memoryBytes) {
      this.memory.push(chunk)
      this.memoryBytes += bytes
    } else {
      this.spill(chunk)
    }
    this.signal.notify()
  }

  private spill(chunk: AudioChunkIn): void {
    if (this.spillFd === undefined) {
      this.spillFd = openSync(this.spillPath, 'w+', 0o600)
      this.spillEnd = 0
    }
    const { samples, ...meta } = chunk
    const view = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)
    writeSync(this.spillFd, view, 0, view.length, this.spillEnd)
    this.spilled.push({
      meta,
      offset: this.spillEnd,
      length: samples.length,
      pcm16: samples instanceof Int16Array,
    })
    this.spillEnd += view.length
    this.spilledSamples += samples.length
  }

  private unspill(): AudioChunkIn | undefined {
    const next = this.spilled.shift()
    if (!next || this.spillFd === undefined) return undefined
    const samples = next.pcm16 ? new Int16Array(next.length) : new Float32Array(next.length)
    readSync(this.spillFd, new Uint8Array(samples.buffer), 0, samples.byteLength, next.offset)
    this.spilledSamples -= next.length
    if (this.spilled.length === 0) {
      // Drained: the file starts over, so a long session does not grow it forever.
      this.spillEnd = 0
    }
    return { ...next.meta, samples }
  }

  private shift(): AudioChunkIn | undefined {
    const fromMemory = this.memory.shift()
    const chunk = fromMemory ?? this.unspill()
    if (fromMemory) this.memoryBytes -= fromMemory.samples.byteLength
    if (chunk) this.samples -= chunk.samples.length
    return chunk
  }

  async take(): Promise<AudioChunkIn | undefined> {
    while (this.length === 0 && !this.closed) await this.signal.wait()
    return this.shift()
  }

  close(): void {
    this.closed = true
    this.signal.notify()
  }

  async drain(): Promise<AudioChunkIn[]> {
    const all: AudioChunkIn[] = []
    for (let c = this.shift(); c; c = this.shift()) all.push(c)
    return all
  }

  async dispose(): Promise<void> {
    this.close()
    this.memory.length = 0
    this.spilled.length = 0
    if (this.spillFd !== undefined) closeSync(this.spillFd)
    this.spillFd = undefined
    rmSync(this.spillPath, { force: true })
  }
}
