/** Offline models are re-decoded on a growing window this often, in seconds. */
export const OFFLINE_HOP_SEC = 1
/** Whisper decodes at most 30 s at a time (its encoder takes 3000 mel frames). */
export const OFFLINE_MAX_WINDOW_SEC = 30
