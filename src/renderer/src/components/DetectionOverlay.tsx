import { memo, useEffect, useLayoutEffect, useRef, type RefObject } from 'react'
import { classColour, inkOnHex } from '../../../shared/class-palette'
import type { DetectionBox } from '../../../shared/results'
import type { FrameRates } from '../capture/frame-stats'
import type { OverlayProbeBox } from '../env'
import {
  boxCaption,
  containRect,
  filterBoxes,
  frameShownAt,
  resultsBehindSec,
  sourceBoxToDisplay,
  type DetectionRecord,
} from './overlay-helpers'

export interface OverlayFrames {
  /** Sorted by timeSec: file playback looks up the result for the current time. */
  detections: readonly DetectionRecord[]
  /** The newest result: what a camera shows. */
  latest?: DetectionRecord
}

export interface ClassInfo {
  classId: number
  label: string
}

export interface DetectionOverlayProps {
  mode: 'file' | 'camera'
  /** The <video> the boxes belong to; the canvas covers it exactly. */
  mediaRef: RefObject<HTMLVideoElement | null>
  /** Reads results outside React: called when `subscribe` fires, never during render. */
  getFrames(): OverlayFrames
  subscribe(listener: () => void): () => void
  getRates?(): FrameRates | undefined
  minScore: number
  hiddenClasses: ReadonlySet<number>
  /** Called when a class appears for the first time, for the class filter. */
  onClassesSeen?(classes: ClassInfo[]): void
  /** Called in the animation frame that first draws with newly arrived results (render timing). */
  onPainted?(): void
}

/** A gap in a file's results holds the earlier boxes this long at most, then shows none. */
const FILE_MAX_HOLD_SEC = 2
const HUD_EVERY_MS = 250
/** Less than a frame at any real frame rate. */
const ENDED_BACKOFF_SEC = 0.001

function probeBox(
  b: DetectionBox,
  r: { x: number; y: number; width: number; height: number },
): OverlayProbeBox {
  return { label: b.label, score: b.score, x: r.x, y: r.y, width: r.width, height: r.height }
}

/**
 * Boxes over a playing video. It reads results through `subscribe` and refs and draws in
 * requestAnimationFrame, so a 30 fps stream never re-renders React (STYLE 16).
 */
export const DetectionOverlay = memo(function DetectionOverlay(props: DetectionOverlayProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const countRef = useRef<HTMLSpanElement>(null)
  const infoRef = useRef<HTMLSpanElement>(null)
  const ratesRef = useRef<HTMLSpanElement>(null)
  const live = useRef(props)
  useLayoutEffect(() => {
    live.current = props
  })
  const { mode, mediaRef, getFrames, subscribe } = props

  useEffect(() => {
    window.__tritonLiveOverlay ??= { boxes: [], displayBoxes: [], drawnFrame: -1, draws: 0 }
    const canvas = canvasRef.current
    const ctx = canvas?.getContext('2d')
    let frames = getFrames()
    const seen = new Map<number, string>()
    const noteClasses = (record: DetectionRecord | undefined): void => {
      if (!record) return
      let added = false
      for (const b of record.boxes) {
        if (!seen.has(b.classId)) {
          seen.set(b.classId, b.label)
          added = true
        }
      }
      if (added) {
        const list = [...seen].map(([classId, label]) => ({ classId, label }))
        live.current.onClassesSeen?.(list.sort((a, b) => a.classId - b.classId))
      }
    }
    let fresh = false
    const unsubscribe = subscribe(() => {
      frames = getFrames()
      fresh = true
      noteClasses(frames.latest)
    })
    if (!canvas || !ctx) return unsubscribe

    let raf = 0
    let lastKey = ''
    let lastHud = 0
    let shown: DetectionRecord | undefined
    let shownCount = 0
    let shownFor = NaN

    const draw = (): void => {
      raf = requestAnimationFrame(draw)
      const video = mediaRef.current
      if (!video) return
      const { minScore, hiddenClasses } = live.current
      const cssW = video.clientWidth
      const cssH = video.clientHeight
      const dpr = window.devicePixelRatio || 1
      const pxW = Math.round(cssW * dpr)
      const pxH = Math.round(cssH * dpr)
      if (canvas.width !== pxW || canvas.height !== pxH) {
        canvas.width = pxW
        canvas.height = pxH
        lastKey = ''
      }
      // At the end the player stops at its duration, the (exclusive) end of the last frame,
      // which stays on screen.
      const mediaTime = video.ended ? video.currentTime - ENDED_BACKOFF_SEC : video.currentTime
      const record =
        mode === 'file'
          ? frameShownAt(frames.detections, mediaTime, FILE_MAX_HOLD_SEC)
          : frames.latest
      const key = `${record?.frame}|${record?.timeSec}|${record?.receivedAtMs}|${pxW}x${pxH}|${minScore}|${[...hiddenClasses].join(',')}`
      const changed = key !== lastKey
      if (changed) {
        lastKey = key
        shown = record
        shownCount = paint(ctx, dpr, cssW, cssH, video, record, minScore, hiddenClasses)
      }
      if (changed || mediaTime !== shownFor) {
        shownFor = mediaTime
        markDrawn(canvas, record, mediaTime)
      }
      // New results are on screen from this frame (a file's wait for its playback time is
      // deliberate and not counted); a hidden stage paints nothing.
      if (fresh && cssW > 0) {
        fresh = false
        live.current.onPainted?.()
      }
      const now = performance.now()
      if (now - lastHud >= HUD_EVERY_MS) {
        lastHud = now
        updateHud(
          shown,
          shownCount,
          mode === 'file' ? resultsBehindSec(frames.detections, shownFor) : 0,
        )
      }
    }

    const updateHud = (
      record: DetectionRecord | undefined,
      count: number,
      behindSec: number,
    ): void => {
      if (countRef.current) {
        countRef.current.textContent = record
          ? `${count} of ${record.boxes.length} boxes`
          : 'no result'
        countRef.current.dataset.count = String(record ? count : 0)
      }
      if (infoRef.current) {
        infoRef.current.textContent = !record
          ? behindSec > 0
            ? `results ${behindSec.toFixed(1)} s behind playback`
            : ''
          : mode === 'camera'
            ? `age ${Math.round(Date.now() - record.receivedAtMs + record.latencyMs)} ms`
            : `frame ${record.frame} @ ${record.timeSec.toFixed(2)} s`
      }
      const rates = live.current.getRates?.()
      if (ratesRef.current) {
        ratesRef.current.textContent = rates
          ? `capture ${rates.captureFps} · sent ${rates.sentFps} · results ${rates.resultFps} fps`
          : ''
      }
    }

    raf = requestAnimationFrame(draw)
    return () => {
      cancelAnimationFrame(raf)
      unsubscribe()
    }
  }, [mode, mediaRef, getFrames, subscribe])

  return (
    <>
      <canvas
        className="overlay-canvas"
        ref={canvasRef}
        data-testid="overlay-canvas"
        aria-hidden="true"
      />
      <div className="overlay-hud">
        <span ref={countRef} data-testid="overlay-count" data-count="0">
          no result
        </span>
        <span ref={infoRef} data-testid="overlay-info" />
        <span ref={ratesRef} data-testid="overlay-rates" />
      </div>
    </>
  )
})

/**
 * Says on the canvas which result it shows and for which media time, so a test can check that
 * the boxes on screen belong to the frame on screen without comparing clocks.
 */
function markDrawn(
  canvas: HTMLCanvasElement,
  record: DetectionRecord | undefined,
  mediaTime: number,
): void {
  canvas.dataset.drawnFrame = String(record ? record.frame : -1)
  canvas.dataset.drawnTime = record ? String(record.timeSec) : ''
  canvas.dataset.mediaTime = String(mediaTime)
}

/** Clears and draws one result; returns how many boxes passed the filters. */
function paint(
  ctx: CanvasRenderingContext2D,
  dpr: number,
  cssW: number,
  cssH: number,
  video: HTMLVideoElement,
  record: DetectionRecord | undefined,
  minScore: number,
  hidden: ReadonlySet<number>,
): number {
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
  ctx.clearRect(0, 0, cssW, cssH)
  const probe = window.__tritonLiveOverlay
  if (!record) {
    if (probe) Object.assign(probe, { boxes: [], displayBoxes: [], drawnFrame: -1 })
    return 0
  }
  const srcW = video.videoWidth || record.sourceWidth
  const srcH = video.videoHeight || record.sourceHeight
  const rect = containRect(cssW, cssH, srcW, srcH)
  const boxes = filterBoxes(record.boxes, minScore, hidden)
  ctx.lineWidth = 2
  ctx.font = '12px system-ui, sans-serif'
  ctx.textBaseline = 'top'
  const display: OverlayProbeBox[] = []
  for (const b of boxes) {
    const r = sourceBoxToDisplay(b, record.sourceWidth, record.sourceHeight, rect)
    display.push(probeBox(b, r))
    const colour = classColour(b.classId)
    ctx.strokeStyle = colour.hex
    ctx.strokeRect(r.x, r.y, r.width, r.height)
    const caption = boxCaption(b)
    const tw = ctx.measureText(caption).width + 6
    // The caption sits above the box, or inside it when the box touches the top edge.
    const ty = r.y >= 16 ? r.y - 16 : r.y
    ctx.fillStyle = colour.hex
    ctx.fillRect(r.x - 1, ty, tw, 16)
    ctx.fillStyle = inkOnHex(colour.rgb)
    ctx.fillText(caption, r.x + 2, ty + 2)
  }
  if (probe) {
    probe.boxes = boxes.map((b) => probeBox(b, b))
    probe.displayBoxes = display
    probe.drawnFrame = record.frame
    probe.draws++
  }
  return boxes.length
}
