import { memo, useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react'

export interface ConfirmDialogProps {
  title: string
  children: ReactNode
  confirmLabel: string
  /** A confirm that takes something away from other people is drawn as a danger button. */
  danger?: boolean
  onConfirm(): void
  onCancel(): void
  testId: string
}

/**
 * A modal question before an action that cannot be taken back. Cancel has the focus, so Enter or
 * Space on a stray keypress does nothing harmful; Esc and a click outside cancel; Tab stays
 * inside (WAI-ARIA APG alertdialog).
 */
export const ConfirmDialog = memo(function ConfirmDialog(p: ConfirmDialogProps) {
  const titleId = useId()
  const bodyId = useId()
  const cancel = useRef<HTMLButtonElement>(null)
  const confirm = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    const before = document.activeElement
    cancel.current?.focus()
    return () => {
      if (before instanceof HTMLElement) before.focus()
    }
  }, [])
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key === 'Escape') {
      // Handled here: Esc must not also stop the session (useShortcuts).
      e.preventDefault()
      e.stopPropagation()
      p.onCancel()
    } else if (e.key === 'Tab') {
      e.preventDefault()
      const next = document.activeElement === cancel.current ? confirm.current : cancel.current
      next?.focus()
    }
  }
  return (
    <div
      className="modal-backdrop"
      onMouseDown={(e) => e.target === e.currentTarget && p.onCancel()}
    >
      <div
        className="modal panel"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={bodyId}
        onKeyDown={onKeyDown}
        data-testid={p.testId}
      >
        <h2 id={titleId} className="modal-title">
          {p.title}
        </h2>
        <div id={bodyId} className="modal-body">
          {p.children}
        </div>
        <div className="form-actions modal-actions">
          <button
            type="button"
            ref={cancel}
            onClick={p.onCancel}
            data-testid={`${p.testId}-cancel`}
          >
            Cancel
          </button>
          <button
            type="button"
            ref={confirm}
            className={p.danger ? 'danger' : 'primary'}
            onClick={p.onConfirm}
            data-testid={`${p.testId}-confirm`}
          >
            {p.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  )
})
