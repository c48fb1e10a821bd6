/**
 * Pieces this small come from Buffer's shared pool (`Buffer.allocUnsafe` slices an 8 kB pool
 * below half its size), which already spreads one ArrayBuffer over many requests.
 */
const POOLED_BELOW = Buffer.poolSize >>> 1

/** Capacity is rounded up to this, so a request a few bytes longer (a longer id) still fits. */
const ROUND_TO = 4096

/** A stream has one or two requests in flight at a time; more spares would only hold memory. */
const MAX_SPARE = 2

/** Larger pieces (many small tensors in one request) are left to the GC rather than kept. */
const MAX_KEPT_BYTES = 64 * 1024

/**
 * The memory a stream's requests are copied into (their small fields and the tensors under
 * INLINE_BELOW), used again once the write that sent it has completed.
 *
 * Why: in Node 20's V8 every ArrayBuffer byte allocated counts against the old generation's
 * room until the next full GC, however briefly it lives, and about 7 MB of them start one. A
 * stream of 100 ms audio copies 6.6 kB a request, so 64 of them brought a full GC every
 * second or two from this copy alone.
 *
 * Memory is handed back only by the caller that knows its write completed (`give`); a piece
 * that is never handed back is simply left to the GC.
 */
export class RequestBuffers {
  private readonly spare: ArrayBuffer[] = []
  private madeCount = 0

  /** ArrayBuffers made so far (not reused ones): what a test can count. */
  get made(): number {
    return this.madeCount
  }

  /** `size` bytes of memory nothing else reads or writes: a spare one if it fits, else new. */
  take(size: number): Buffer {
    if (size < POOLED_BELOW) return Buffer.allocUnsafe(size)
    // The smallest spare it fits in, so a larger one stays for a larger request.
    let best = -1
    this.spare.forEach((ab, i) => {
      if (ab.byteLength >= size && (best < 0 || ab.byteLength < this.spare[best].byteLength))
        best = i
    })
    if (best >= 0) return Buffer.from(this.spare.splice(best, 1)[0], 0, size)
    this.madeCount++
    const capacity = Math.ceil(size / ROUND_TO) * ROUND_TO
    return Buffer.from(Buffer.allocUnsafeSlow(capacity).buffer, 0, size)
  }

  /**
   * Hands back pieces from `take` whose writes have completed; nothing may read them after.
   * Only pieces from `take` may be given: any other memory of 4 kB or more would be reused.
   */
  give(pieces: readonly Buffer[]): void {
    for (const piece of pieces) {
      // Pool slices are Buffer's own; only whole ArrayBuffers made here are kept.
      if (piece.byteLength < POOLED_BELOW || piece.byteOffset !== 0) continue
      const ab = piece.buffer as ArrayBuffer
      if (ab.byteLength > MAX_KEPT_BYTES || this.spare.includes(ab)) continue
      if (this.spare.length < MAX_SPARE) this.spare.push(ab)
      else {
        // Full: keep the larger ones, so a request that grew still finds room next time.
        const smallest = this.spare.reduce(
          (s, b, i) => (b.byteLength < this.spare[s].byteLength ? i : s),
          0,
        )
        if (this.spare[smallest].byteLength < ab.byteLength) this.spare[smallest] = ab
      }
    }
  }
}
