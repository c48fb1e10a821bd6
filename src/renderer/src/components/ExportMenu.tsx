import { memo, useRef } from 'react'
import type { ExportFormat, UserError } from '../../../shared/ipc-contract'
import type { ExportChoice } from './export-formats'

export interface ExportMenuProps {
  choices: readonly ExportChoice[]
  /** Nothing to export yet (no session). */
  disabled: boolean
  /** The format being saved, while the dialog or the export runs. */
  busy?: ExportFormat
  saved?: { format: ExportFormat; path: string }
  error?: UserError
  /** 'up' where the menu sits at the bottom of its column (under the video). */
  placement?: 'down' | 'up'
  onExport(format: ExportFormat): void
}

/** "Export ▾" with one entry per format, and the saved path or the error beside it. */
export const ExportMenu = memo(function ExportMenu({
  choices,
  disabled,
  busy,
  saved,
  error,
  placement = 'down',
  onExport,
}: ExportMenuProps) {
  const menu = useRef<HTMLDetailsElement>(null)
  const pick = (format: ExportFormat): void => {
    if (menu.current) menu.current.open = false
    onExport(format)
  }
  return (
    <div className="export-bar" data-testid="export-bar">
      <details className={`menu ${placement}`} ref={menu} data-testid="export-menu">
        <summary
          className={`button small${disabled ? ' disabled' : ''}`}
          aria-disabled={disabled}
          data-testid="export-toggle"
          onClick={(e) => {
            if (disabled) e.preventDefault()
          }}
        >
          {busy ? 'Exporting…' : 'Export ▾'}
        </summary>
        <div className="menu-list" role="menu">
          {choices.map((c) => (
            <button
              key={c.format}
              type="button"
              role="menuitem"
              disabled={disabled || busy !== undefined}
              data-testid={`export-${c.format}`}
              onClick={() => pick(c.format)}
            >
              {c.label}
            </button>
          ))}
        </div>
      </details>
      {disabled && <span className="muted">Run a session to export its results.</span>}
      {saved && !error && (
        <span className="export-saved" data-testid="export-saved" title={saved.path}>
          Saved {saved.format.toUpperCase()} to {saved.path}
        </span>
      )}
      {error && (
        <span className="export-error" role="alert" data-testid="export-error">
          {error.message}
          {error.hint ? ` (${error.hint})` : ''}
        </span>
      )}
    </div>
  )
})
