import { useEffect, useState, type RefObject } from 'react'
import { frameShownAt } from '../components/overlay-helpers'
import { gateAction } from '../components/playback-gate'
import type { AppStore } from '../store'
import { isActiveStatus } from '../store/session-slice'

/** Same as the overlay's: a gap this long in the results no longer holds the earlier boxes. */
const MAX_HOLD_SEC = 2

/**
 * Holds a file's player while its results are behind it, and plays it once they are ahead
 * again (see playback-gate.ts). Checked every animation frame, outside React; returns whether
 * the player is being held, for the overlay's notice.
 */
export function usePlaybackGate(
  mediaRef: RefObject<HTMLVideoElement | null>,
  store: AppStore,
  enabled: boolean,
): boolean {
  const [holding, setHolding] = useState(enabled)
  useEffect(() => {
    if (!enabled) return
    let held = true
    let raf = 0
    const hold = (next: boolean): void => {
      held = next
      setHolding(next)
    }
    const tick = (): void => {
      raf = requestAnimationFrame(tick)
      const video = mediaRef.current
      if (!video || video.readyState < HTMLMediaElement.HAVE_METADATA) return
      const s = store.getState()
      const frames = s.results.detections
      const t = video.currentTime
      const action = gateAction({
        holding: held,
        paused: video.paused,
        producing: isActiveStatus(s.session.status),
        mediaTime: t,
        newestSec: frames[frames.length - 1]?.timeSec,
        hasResultNow: video.ended || frameShownAt(frames, t, MAX_HOLD_SEC) !== undefined,
      })
      if (action === 'pause') {
        video.pause()
        hold(true)
      } else if (action === 'play') {
        hold(false)
        // A player the user cannot start (autoplay policy) keeps its own controls.
        video.play().catch(() => undefined)
      }
    }
    raf = requestAnimationFrame(tick)
    return () => cancelAnimationFrame(raf)
  }, [mediaRef, store, enabled])
  return enabled && holding
}
