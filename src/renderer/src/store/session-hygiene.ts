import { isActiveStatus, type SessionState } from './session-slice'

/**
 * A finished session's status, error and summary, forgotten when the user moves on to another
 * model: "<other model> failed" would blame a model that never ran. A session still on its way,
 * running or draining keeps everything. Pure, for the models slice to apply on select.
 */
export function forgetFinishedSession(s: SessionState): SessionState {
  if (isActiveStatus(s.status) || s.status === 'stopping') return s
  if (s.status === 'idle' && !s.error && !s.summary) return s
  return { ...s, status: 'idle', error: undefined, summary: undefined }
}
