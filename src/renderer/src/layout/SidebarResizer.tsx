import { memo, useRef, type KeyboardEvent, type PointerEvent } from 'react'
import { SIDEBAR_MAX_PX, SIDEBAR_MIN_PX } from './layout-rules'

export interface SidebarResizerProps {
  width: number
  /** A width the user asked for; the shell fits it to the window. */
  onResize(width: number): void
  /** Double-click: back to the width of this window size. */
  onReset(): void
}

const KEY_STEP_PX = 16

/**
 * The handle between the sidebar and the stage: drag it, or focus it and use the arrow keys
 * (the ARIA window-splitter pattern).
 */
export const SidebarResizer = memo(function SidebarResizer(p: SidebarResizerProps) {
  const drag = useRef<{ x: number; width: number } | undefined>(undefined)
  const onPointerDown = (e: PointerEvent<HTMLDivElement>): void => {
    if (e.button !== 0) return
    e.preventDefault()
    e.currentTarget.setPointerCapture(e.pointerId)
    drag.current = { x: e.clientX, width: p.width }
  }
  const onPointerMove = (e: PointerEvent<HTMLDivElement>): void => {
    const d = drag.current
    if (d) p.onResize(d.width + e.clientX - d.x)
  }
  const onPointerUp = (e: PointerEvent<HTMLDivElement>): void => {
    drag.current = undefined
    if (e.currentTarget.hasPointerCapture(e.pointerId))
      e.currentTarget.releasePointerCapture(e.pointerId)
  }
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const step = e.key === 'ArrowLeft' ? -KEY_STEP_PX : e.key === 'ArrowRight' ? KEY_STEP_PX : 0
    if (step) {
      e.preventDefault()
      p.onResize(p.width + step)
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault()
      p.onResize(e.key === 'Home' ? SIDEBAR_MIN_PX : SIDEBAR_MAX_PX)
    }
  }
  return (
    <div
      className="sidebar-resizer"
      role="separator"
      aria-orientation="vertical"
      aria-label="Sidebar width"
      aria-controls="sidebar"
      aria-valuenow={p.width}
      aria-valuemin={SIDEBAR_MIN_PX}
      aria-valuemax={SIDEBAR_MAX_PX}
      tabIndex={0}
      title="Drag to resize the sidebar; double-click for its usual width"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onDoubleClick={p.onReset}
      onKeyDown={onKeyDown}
      data-testid="sidebar-resizer"
    />
  )
})
