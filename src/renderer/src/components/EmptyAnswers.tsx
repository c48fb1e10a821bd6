import { memo } from 'react'

export interface EmptyAnswersProps {
  /** "… answered N times with no text", from selectEmptyAnswers. */
  message: string
  /** What the model understands, from its config, when it says. */
  description?: string
}

/** A session whose answers were all empty says so, and what the model would have recognised. */
export const EmptyAnswers = memo(function EmptyAnswers({
  message,
  description,
}: EmptyAnswersProps) {
  return (
    <div className="notice empty-answers" role="status" data-testid="empty-answers">
      <strong>{message}</strong>
      {description && <span data-testid="empty-answers-description">{description}</span>}
    </div>
  )
})
