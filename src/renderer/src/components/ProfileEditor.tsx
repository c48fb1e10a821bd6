import { memo, useMemo, useState } from 'react'
import type { ModelDetails, Result, UserError } from '../../../shared/ipc-contract'
import type { ModelProfile } from '../../../shared/model-profile'
import { profileProblem } from '../../../shared/profile-check'
import { ErrorBanner } from './ErrorBanner'
import { profileToText, validateProfileText } from './profile-validation'

export interface ProfileEditorProps {
  details: ModelDetails
  onSave(profile: ModelProfile | null): Promise<Result<ModelDetails>>
  /** Opens a dialog for a label list; main lets the profile name only a file chosen there. */
  onPickLabels?(): Promise<Result<string | undefined>>
}

/** The profile text with `labelsFile` set (inline labels dropped, since they would win). */
function withLabelsFile(text: string, path: string): string | undefined {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined
  const { labels: _labels, ...rest } = json as Record<string, unknown>
  return JSON.stringify({ ...rest, labelsFile: path }, null, 2)
}

/**
 * The model profile as editable JSON, checked against the shared schema and the shared "can it
 * ever produce a request" rule on every keystroke. Keyed by the parent on model and saved
 * profile, so it restarts from what the server says; a model without a profile starts from a
 * template of its own inputs.
 */
export const ProfileEditor = memo(function ProfileEditor({
  details,
  onSave,
  onPickLabels,
}: ProfileEditorProps) {
  const original = profileToText(details.profile)
  const start = details.profile ? original : profileToText(details.profileTemplate)
  const [text, setText] = useState(start)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<UserError>()
  const check = useMemo(() => (text.trim() ? validateProfileText(text) : undefined), [text])
  // The same refusal main applies on save, shown while typing rather than after Save.
  const unusable = check?.ok ? profileProblem(check.profile, 'save') : undefined
  const streamNote = check?.ok && !unusable ? profileProblem(check.profile, 'stream') : undefined
  const dirty = text !== original

  const save = async (profile: ModelProfile | null): Promise<void> => {
    setSaving(true)
    const r = await onSave(profile)
    setSaving(false)
    if (!r.ok) return setError(r.error)
    setError(undefined)
    setText(profileToText(r.value.profile))
  }

  const pickLabels = async (): Promise<void> => {
    if (!onPickLabels) return
    const r = await onPickLabels()
    if (!r.ok) return setError(r.error)
    if (!r.value) return
    const next = withLabelsFile(text, r.value)
    if (next === undefined) {
      return setError({
        message: 'The profile is not a JSON object, so the labels file was not added.',
        hint: 'Fix the profile text, then choose the labels file again.',
        kind: 'profile',
      })
    }
    setError(undefined)
    setText(next)
  }

  const reset = (): void => {
    // Unsaved edits revert locally; a saved override is removed so the derived profile returns.
    if (details.profileSaved && !dirty) void save(null)
    else setText(start)
  }

  return (
    <div className="profile-editor" data-testid="profile-editor">
      <div className="profile-header">
        <h3>Model profile</h3>
        <span className="tag" data-testid="profile-origin">
          {details.profileSaved
            ? 'saved override'
            : details.profile
              ? 'derived'
              : details.profileTemplate
                ? 'template'
                : 'none'}
        </span>
      </div>
      {details.profileProblem && (
        <pre className="profile-problem" data-testid="profile-problem">
          {details.profileProblem}
        </pre>
      )}
      <ErrorBanner
        error={error}
        testId="profile-save-error"
        onDismiss={() => setError(undefined)}
      />
      <textarea
        className="profile-text"
        spellCheck={false}
        value={text}
        rows={12}
        onChange={(e) => setText(e.target.value)}
        aria-invalid={check ? !check.ok : undefined}
        aria-label="Model profile JSON"
        placeholder='{ "model": "…", "kind": "streaming-asr", "inputs": [ … ] }'
        data-testid="profile-text"
      />
      {check && !check.ok && (
        <ul className="profile-errors" role="alert" data-testid="profile-errors">
          {check.errors.map((e, i) => (
            <li key={i} data-testid="profile-error">
              {e}
            </li>
          ))}
        </ul>
      )}
      {unusable && (
        <p className="profile-errors" role="alert" data-testid="profile-unusable">
          {unusable}
        </p>
      )}
      {streamNote && (
        <p className="muted" data-testid="profile-stream-note">
          {streamNote}
        </p>
      )}
      <div className="form-actions">
        <button
          type="button"
          className="primary"
          disabled={saving || !check?.ok || Boolean(unusable) || !dirty}
          onClick={() => check?.ok && void save(check.profile)}
          data-testid="profile-save"
        >
          Save profile
        </button>
        <button
          type="button"
          disabled={saving || (text === start && !details.profileSaved)}
          onClick={reset}
          data-testid="profile-reset"
          title={details.profileSaved && !dirty ? 'Remove the saved override' : 'Undo your edits'}
        >
          {details.profileSaved && !dirty ? 'Reset to derived' : 'Revert'}
        </button>
        {onPickLabels && (
          <button
            type="button"
            disabled={saving}
            onClick={() => void pickLabels()}
            data-testid="profile-pick-labels"
            title="Sets labelsFile: one class name per line"
          >
            Choose labels file…
          </button>
        )}
      </div>
    </div>
  )
})
