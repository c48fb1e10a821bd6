import { memo } from 'react'
import type { ModelDetails, ModelSummary, Result, UserError } from '../../../shared/ipc-contract'
import type { ModelProfile } from '../../../shared/model-profile'
import { isReadyState } from '../store/models-slice'
import { ErrorBanner } from './ErrorBanner'
import { useListboxKeys } from './listbox-keys'
import { ModelDetailsView } from './ModelDetailsView'

export interface ModelBrowserProps {
  connected: boolean
  models: readonly ModelSummary[]
  loading: boolean
  error?: UserError
  selected?: string
  details?: ModelDetails
  detailsLoading: boolean
  detailsError?: UserError
  busyModel?: string
  /** A session is running: its model stays picked until it ends. */
  locked?: boolean
  onSelect(name: string): void
  onRefresh(): void
  onLoad(name: string): void
  onUnload(name: string): void
  onSaveProfile(profile: ModelProfile | null): Promise<Result<ModelDetails>>
  onDismissError(): void
}

/** The repository index with each model's state, and the selected model's details. */
export const ModelBrowser = memo(function ModelBrowser(p: ModelBrowserProps) {
  const pick = (name: string): void => {
    if (!p.locked) p.onSelect(name)
  }
  const keys = useListboxKeys(
    p.models.length,
    p.models.findIndex((m) => m.name === p.selected),
    (i) => pick(p.models[i].name),
  )
  const lockedTitle = p.locked ? 'Stop the session to pick another model' : undefined
  return (
    <section className="panel model-browser" aria-label="Models" data-testid="model-browser">
      <header className="panel-header">
        <h2>Models</h2>
        <button
          type="button"
          onClick={p.onRefresh}
          disabled={!p.connected || p.loading}
          data-testid="models-refresh"
        >
          {p.loading ? 'Loading…' : 'Refresh'}
        </button>
      </header>
      <ErrorBanner error={p.error} testId="models-error" onDismiss={p.onDismissError} />
      {!p.connected && <p className="muted">Connect to an endpoint to list its models.</p>}
      {p.connected && !p.loading && p.models.length === 0 && !p.error && (
        <p className="muted">The repository is empty.</p>
      )}
      <ul
        className={`model-list${p.locked ? ' locked' : ''}`}
        role="listbox"
        aria-label="Models in the repository"
        aria-disabled={p.locked || undefined}
        title={lockedTitle}
        data-testid="model-list"
      >
        {p.models.map((m, i) => {
          const ready = isReadyState(m.state)
          const busy = p.busyModel === m.name
          return (
            <li
              key={`${m.name}:${m.version}`}
              role="option"
              aria-selected={m.name === p.selected}
              aria-disabled={p.locked || undefined}
              className={`model-row${m.name === p.selected ? ' selected' : ''}`}
              onClick={() => pick(m.name)}
              {...keys(i)}
              data-testid="model-row"
              data-model={m.name}
              data-state={m.state}
            >
              <span className="model-name">{m.name}</span>
              {m.version && <span className="muted">v{m.version}</span>}
              <span
                className={`state state-${ready ? 'ready' : 'other'}`}
                title={m.reason || undefined}
              >
                {m.state || 'UNKNOWN'}
              </span>
              <button
                type="button"
                className="small"
                disabled={busy || !!p.busyModel}
                onClick={(e) => {
                  e.stopPropagation()
                  if (ready) p.onUnload(m.name)
                  else p.onLoad(m.name)
                }}
                data-testid={ready ? 'model-unload' : 'model-load'}
              >
                {busy ? '…' : ready ? 'Unload' : 'Load'}
              </button>
            </li>
          )
        })}
      </ul>
      <ErrorBanner error={p.detailsError} testId="model-details-error" />
      {p.detailsLoading && <p className="muted">Reading {p.selected}…</p>}
      {p.details && <ModelDetailsView details={p.details} onSaveProfile={p.onSaveProfile} />}
    </section>
  )
})
