/// <reference types="vite/client" />
import type { TritonLiveApi } from '../../shared/ipc-contract'

/** A box the overlay last drew, for end-to-end tests. */
export interface OverlayProbeBox {
  label: string
  score: number
  x: number
  y: number
  width: number
  height: number
}

declare global {
  interface Window {
    /** The only door to the app: the preload (or the test bridge) provides it. */
    tritonLive: TritonLiveApi
    /** For end-to-end tests: what the detection overlay drew last. Cheap, always on. */
    __tritonLiveOverlay?: {
      /** In SOURCE pixels, as the session reported them. */
      boxes: OverlayProbeBox[]
      /** The same boxes in CSS pixels relative to the media element's top-left corner. */
      displayBoxes: OverlayProbeBox[]
      /** Source frame index of the drawn result, -1 before any. */
      drawnFrame: number
      /** How many times the overlay has drawn a result. */
      draws: number
    }
  }
}
