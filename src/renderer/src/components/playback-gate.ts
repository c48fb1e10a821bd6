/**
 * A file plays in sync with its boxes only while the results are ahead of the player. When the
 * server (or a busy machine) falls behind, the player waits for them, as it waits for data while
 * buffering, instead of showing pictures without their boxes.
 */

/** Results this far past the player before it plays again, so it does not stop every frame. */
export const RESUME_BUFFER_SEC = 0.5

export interface GateInput {
  /** The gate paused the player (or never let it start) and may start it again. */
  holding: boolean
  paused: boolean
  /** The session is still sending: more results will come. */
  producing: boolean
  mediaTime: number
  /** Media time of the newest result so far; undefined before the first. */
  newestSec?: number
  /** The frame on screen has its result. */
  hasResultNow: boolean
}

export type GateAction = 'play' | 'pause' | 'none'

export function gateAction(g: GateInput): GateAction {
  if (g.holding) {
    const caughtUp = g.newestSec !== undefined && g.newestSec >= g.mediaTime + RESUME_BUFFER_SEC
    return !g.producing || caughtUp ? 'play' : 'none'
  }
  if (g.paused || !g.producing || g.hasResultNow) return 'none'
  // Past the newest result: what is on screen would be drawn without its boxes.
  return g.newestSec === undefined || g.mediaTime > g.newestSec ? 'pause' : 'none'
}
