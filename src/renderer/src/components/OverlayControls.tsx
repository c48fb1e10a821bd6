import { memo, type ReactNode } from 'react'
import type { ClassInfo } from './DetectionOverlay'
import { classColour } from '../../../shared/class-palette'

export interface OverlayControlsProps {
  minScore: number
  onMinScore(v: number): void
  classes: readonly ClassInfo[]
  hiddenClasses: ReadonlySet<number>
  onToggleClass(classId: number): void
  /** More controls at the end of the row (the export menu), so the picture keeps the height. */
  children?: ReactNode
}

/** Confidence threshold and a per-class filter; changes rarely, so plain React state is fine. */
export const OverlayControls = memo(function OverlayControls({
  minScore,
  onMinScore,
  classes,
  hiddenClasses,
  onToggleClass,
  children,
}: OverlayControlsProps) {
  return (
    <div className="overlay-controls" data-testid="overlay-controls">
      <label className="inline-field">
        <span>Min confidence</span>
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={minScore}
          onChange={(e) => onMinScore(Number(e.target.value))}
          data-testid="overlay-threshold"
        />
        <output>{Math.round(minScore * 100)}%</output>
      </label>
      <div
        className="class-filter"
        role="group"
        aria-label="Classes shown"
        data-testid="overlay-classes"
      >
        {classes.length === 0 && (
          <span className="muted">Classes appear here as they are detected.</span>
        )}
        {classes.map((c) => {
          const on = !hiddenClasses.has(c.classId)
          return (
            <button
              type="button"
              key={c.classId}
              className={on ? 'chip on' : 'chip'}
              aria-pressed={on}
              onClick={() => onToggleClass(c.classId)}
              data-testid="overlay-class"
            >
              <span className="swatch" style={{ background: classColour(c.classId).hex }} />
              {c.label || `class ${c.classId}`}
            </button>
          )
        })}
      </div>
      {children && <div className="overlay-controls-end">{children}</div>}
    </div>
  )
})
