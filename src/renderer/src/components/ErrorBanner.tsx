import { memo } from 'react'
import type { UserError } from '../../../shared/ipc-contract'

export interface ErrorBannerProps {
  error: UserError | undefined
  testId: string
  onDismiss?: () => void
}

/** An inline banner in the panel that failed: what went wrong, then what to do. */
export const ErrorBanner = memo(function ErrorBanner({
  error,
  testId,
  onDismiss,
}: ErrorBannerProps) {
  if (!error) return null
  return (
    <div className="error-banner" role="alert" data-testid={testId} data-kind={error.kind}>
      <div className="error-text">
        <strong className="error-message">{error.message}</strong>
        {error.hint && <span className="error-hint">{error.hint}</span>}
      </div>
      {onDismiss && (
        <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  )
})
