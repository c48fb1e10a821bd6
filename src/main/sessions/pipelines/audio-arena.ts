import type { AudioChunkIn } from './audio-chunk'

/** 2 s at 16 kHz: a slab outlives a few utterances' worth of chunks, not a whole session. */
export const SLAB_SAMPLES = 1 << 15
/** Free slabs kept for reuse; more than this go to the GC. */
const SPARE_SLABS = 2

interface Slab {
  data: Float32Array
  used: number
  /** Chunks held in it and not yet released. */
  live: number
}

/**
 * Where an ASR pipeline keeps the audio of its open utterances: each chunk is copied on arrival
 * into a slab that is used again once every chunk in it is released. A source hands over a
 * fresh buffer per chunk (a MessagePort message, a decoder's output); held for the seconds an
 * utterance stays open, such buffers outlive young-generation GCs, and V8 counts them against
 * the old generation until a full GC, one every 1.4 s with 64 microphones. Copied, the source's
 * buffer dies young and the slabs stay put.
 *
 * Releasing is the caller's promise that nothing reads those samples any more: not a request
 * still waiting to be written, nor a replay. Chunks never released keep their slab from reuse;
 * it then goes to the GC like any buffer, so forgetting to release costs memory, never data.
 */
export class AudioArena {
  private current: Slab | undefined
  private readonly spare: Slab[] = []
  /** By each slab's buffer: one entry a slab, not one a chunk, so the GC has little to trace. */
  private readonly slabOf = new WeakMap<ArrayBufferLike, Slab>()

  /** The chunk with its samples in a slab; a chunk too large to share one is kept as it is. */
  hold(chunk: AudioChunkIn): AudioChunkIn {
    const n = chunk.samples.length
    if (n === 0 || n > SLAB_SAMPLES / 4) return chunk
    let slab = this.current
    if (!slab || slab.used + n > SLAB_SAMPLES) {
      if (slab && slab.live === 0) this.recycle(slab)
      slab = this.spare.pop() ?? this.newSlab()
      this.current = slab
    }
    const samples = slab.data.subarray(slab.used, slab.used + n)
    samples.set(chunk.samples)
    slab.used += n
    slab.live++
    return { ...chunk, samples }
  }

  /** Gives back chunks that `hold` returned; each exactly once, and only when nothing reads them. */
  release(chunks: readonly AudioChunkIn[]): void {
    for (const c of chunks) {
      const slab = this.slabOf.get(c.samples.buffer)
      if (!slab) continue
      if (--slab.live === 0 && slab !== this.current) this.recycle(slab)
    }
  }

  private newSlab(): Slab {
    const slab = { data: new Float32Array(SLAB_SAMPLES), used: 0, live: 0 }
    this.slabOf.set(slab.data.buffer, slab)
    return slab
  }

  private recycle(slab: Slab): void {
    if (this.spare.length >= SPARE_SLABS) return
    slab.used = 0
    this.spare.push(slab)
  }
}
