import { useCallback, useState, type ReactNode, type RefObject } from 'react'
import {
  DetectionOverlay,
  type ClassInfo,
  type OverlayFrames,
} from '../components/DetectionOverlay'
import { OverlayControls } from '../components/OverlayControls'
import { usePlaybackGate } from '../hooks/usePlaybackGate'
import { useSessionController } from '../session/controller-context'
import { useAppStoreApi } from '../store'

/** Ultralytics' default; the profile's own threshold already filtered what main sends. */
const DEFAULT_MIN_SCORE = 0.25

/** The media element (children) with the boxes drawn over it, and the overlay's filters below. */
export function OverlayContainer({
  mode,
  mediaRef,
  children,
  toolbarEnd,
}: {
  mode: 'file' | 'camera'
  mediaRef: RefObject<HTMLVideoElement | null>
  children: ReactNode
  /** Shown at the end of the filter row (the export menu). */
  toolbarEnd?: ReactNode
}) {
  const store = useAppStoreApi()
  const controller = useSessionController()
  const [minScore, setMinScore] = useState(DEFAULT_MIN_SCORE)
  const [hidden, setHidden] = useState<ReadonlySet<number>>(() => new Set())
  const [classes, setClasses] = useState<ClassInfo[]>([])
  const waiting = usePlaybackGate(mediaRef, store, mode === 'file')

  const getFrames = useCallback((): OverlayFrames => {
    const r = store.getState().results
    return { detections: r.detections, latest: r.latestDetection }
  }, [store])
  const subscribe = useCallback(
    (listener: () => void) =>
      store.subscribe((s, prev) => {
        const r = s.results
        const was = prev.results
        // The file buffer grows in place: its revision (or a new session's array) says so.
        if (
          r.latestDetection !== was.latestDetection ||
          r.detectionsRevision !== was.detectionsRevision ||
          r.detections !== was.detections
        )
          listener()
      }),
    [store],
  )
  const getRates = useCallback(
    () => (mode === 'camera' ? controller.frameStats?.rates(performance.now()) : undefined),
    [controller, mode],
  )
  const onPainted = useCallback(() => store.getState().notePainted(), [store])
  const toggleClass = useCallback((id: number) => {
    setHidden((old) => {
      const next = new Set(old)
      if (!next.delete(id)) next.add(id)
      return next
    })
  }, [])

  return (
    <>
      <div className="media-wrap">
        {children}
        <DetectionOverlay
          mode={mode}
          mediaRef={mediaRef}
          getFrames={getFrames}
          subscribe={subscribe}
          getRates={getRates}
          minScore={minScore}
          hiddenClasses={hidden}
          onClassesSeen={setClasses}
          onPainted={onPainted}
        />
        {waiting && (
          <div className="overlay-waiting" role="status" data-testid="overlay-waiting">
            Waiting for results, so the boxes stay on their frames…
          </div>
        )}
      </div>
      <OverlayControls
        minScore={minScore}
        onMinScore={setMinScore}
        classes={classes}
        hiddenClasses={hidden}
        onToggleClass={toggleClass}
      >
        {toolbarEnd}
      </OverlayControls>
    </>
  )
}
