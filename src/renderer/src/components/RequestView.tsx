import { memo } from 'react'
import type { UserError } from '../../../shared/ipc-contract'
import type { ResponseView, SingleRequestResult } from '../../../shared/single-request'
import { ErrorBanner } from './ErrorBanner'
import { RequestResults, type ResultView } from './RequestResults'
import { draftProblem, MODE_LABELS, modesFor, type InputDraftState } from './request-drafts'
import './request-view.css'

export interface RequestViewProps {
  model: string
  description?: string
  decoupled: boolean
  drafts: readonly InputDraftState[]
  onDraft(name: string, patch: Partial<InputDraftState>): void
  onPickFile(name: string): void
  onSend(): void
  /** Gives up on the request in flight. */
  onCancel(): void
  pending: boolean
  /** Responses so far: streamed while pending, then the final list. */
  responses: readonly ResponseView[]
  result?: SingleRequestResult
  error?: UserError
  onDismissError(): void
  view: ResultView
  onView(view: ResultView): void
}

const fileName = (path: string): string => path.split(/[\\/]/).pop() ?? path

function InputRow({
  d,
  onDraft,
  onPickFile,
}: {
  d: InputDraftState
  onDraft: RequestViewProps['onDraft']
  onPickFile: RequestViewProps['onPickFile']
}) {
  const problem = draftProblem(d)
  const id = `request-input-${d.name}`
  return (
    <fieldset className="request-input" data-testid="request-input" data-name={d.name}>
      <legend>
        <strong>{d.name}</strong>{' '}
        <span className="muted">
          {d.datatype} [{d.declaredShape.join(', ')}]
        </span>
        {d.optional && (
          <label className="request-include">
            <input
              type="checkbox"
              checked={d.include}
              onChange={(e) => onDraft(d.name, { include: e.target.checked })}
              data-testid="request-include"
            />{' '}
            send (optional)
          </label>
        )}
      </legend>
      <div className="segmented" role="radiogroup" aria-label={`${d.name} value as`}>
        {modesFor(d.datatype).map((m) => (
          <button
            key={m}
            type="button"
            role="radio"
            aria-checked={d.mode === m}
            className={d.mode === m ? 'on' : undefined}
            disabled={!d.include}
            onClick={() => onDraft(d.name, { mode: m })}
            data-testid={`request-mode-${m}`}
          >
            {MODE_LABELS[m]}
          </button>
        ))}
      </div>
      {d.mode === 'file' ? (
        <div className="request-file">
          <button
            type="button"
            disabled={!d.include}
            onClick={() => onPickFile(d.name)}
            data-testid="request-pick-file"
          >
            Choose file…
          </button>{' '}
          <span className="muted" data-testid="request-file-name">
            {d.path ? fileName(d.path) : '.npy, or raw little-endian bytes (BYTES: the whole file)'}
          </span>
        </div>
      ) : d.mode === 'fill' ? (
        <input
          id={id}
          className="request-fill"
          value={d.text}
          disabled={!d.include}
          aria-label={`${d.name} fill value`}
          onChange={(e) => onDraft(d.name, { text: e.target.value })}
          data-testid="request-value"
        />
      ) : (
        <textarea
          id={id}
          className="request-value"
          rows={d.mode === 'json' ? 4 : 2}
          spellCheck={false}
          value={d.text}
          disabled={!d.include}
          aria-label={`${d.name} value`}
          placeholder={
            d.mode === 'json' ? '[[1, 2, 3]] or a number that fills the shape' : 'text to send'
          }
          onChange={(e) => onDraft(d.name, { text: e.target.value })}
          data-testid="request-value"
        />
      )}
      <label className="request-shape">
        Shape{' '}
        <input
          value={d.shape}
          disabled={!d.include}
          placeholder={d.declaredShape.join(', ')}
          onChange={(e) => onDraft(d.name, { shape: e.target.value })}
          data-testid="request-shape"
        />
      </label>
      {problem && (
        <p className="request-problem" data-testid="request-input-problem">
          {problem}
        </p>
      )}
    </fieldset>
  )
}

function statusLine(p: RequestViewProps): string | undefined {
  const r = p.result
  if (p.pending) {
    const n = p.responses.length
    return n > 0 ? `Waiting for the final response… ${n} so far` : 'Waiting for the response…'
  }
  if (!r) return undefined
  const n = r.responseCount
  const first = n > 1 ? ` (first after ${r.firstResponseMs.toFixed(2)} ms)` : ''
  const shown = r.responses.length < n ? `; the first ${r.responses.length} shown` : ''
  return `${n} response${n === 1 ? '' : 's'} in ${r.latencyMs.toFixed(2)} ms${first} over ${r.transport}${shown}`
}

/**
 * One request to any model, as an API client's request tab: the model's inputs with editable
 * values, Send, and every response (a decoupled model's parts as they arrive) with its latency.
 */
export const RequestView = memo(function RequestView(p: RequestViewProps) {
  const blocked = p.drafts.some((d) => draftProblem(d) !== undefined)
  const status = statusLine(p)
  return (
    <section className="request-view" data-testid="request-view" data-model={p.model}>
      <header className="request-header">
        <h2>
          Request to <span data-testid="request-model">{p.model}</span>
          {p.decoupled && <span className="tag">decoupled: answers in parts</span>}
        </h2>
      </header>
      {p.description && <p className="muted">{p.description}</p>}
      <form
        className="request-inputs"
        onSubmit={(e) => {
          e.preventDefault()
          if (!blocked && !p.pending) p.onSend()
        }}
      >
        {p.drafts.map((d) => (
          <InputRow key={d.name} d={d} onDraft={p.onDraft} onPickFile={p.onPickFile} />
        ))}
        <div className="form-actions">
          <button
            type="submit"
            className="primary"
            disabled={blocked || p.pending}
            data-testid="request-send"
          >
            {p.pending ? 'Sending…' : 'Send'}
          </button>
          {p.pending && (
            <button type="button" onClick={p.onCancel} data-testid="request-cancel">
              Cancel
            </button>
          )}
          {status && (
            <span className="request-status" role="status" data-testid="request-status">
              {status}
            </span>
          )}
        </div>
      </form>
      <ErrorBanner error={p.error} testId="request-error" onDismiss={p.onDismissError} />
      {p.responses.length > 0 && (
        <RequestResults
          responses={p.responses}
          view={p.view}
          onView={p.onView}
          numbered={p.decoupled}
        />
      )}
      {!p.pending && p.result && p.result.responseCount === 0 && (
        <p className="muted" data-testid="request-no-responses">
          The model answered with no responses.
        </p>
      )}
    </section>
  )
})
