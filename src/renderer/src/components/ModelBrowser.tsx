import { memo, useState } from 'react'
import type { ModelDetails, ModelSummary, Result, UserError } from '../../../shared/ipc-contract'
import type { ModelProfile } from '../../../shared/model-profile'
import { isReadyState } from '../store/models-slice'
import { ConfirmDialog } from './ConfirmDialog'
import { ErrorBanner } from './ErrorBanner'
import { useListboxKeys } from './listbox-keys'
import { ModelDetailsView } from './ModelDetailsView'
import { splitForMiddleEllipsis } from './middle-ellipsis'

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
  /** The model a session is using: it cannot be loaded or unloaded under it. */
  inUse?: string
  /** The server a load or unload acts on, in words ("Demo (127.0.0.1:8001)"). */
  serverLabel?: string
  onSelect(name: string): void
  onRefresh(): void
  onLoad(name: string): void
  onUnload(name: string): void
  onSaveProfile(profile: ModelProfile | null): Promise<Result<ModelDetails>>
  onPickLabels?(): Promise<Result<string | undefined>>
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
  const [asking, setAsking] = useState<{ op: 'load' | 'unload'; name: string }>()
  const confirm = (): void => {
    if (!asking) return
    setAsking(undefined)
    if (asking.op === 'unload') p.onUnload(asking.name)
    else p.onLoad(asking.name)
  }
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
              data-error={m.error ? 'true' : undefined}
            >
              <ModelName name={m.name} />
              <span className="model-side">
                <span
                  className={`state state-${ready ? 'ready' : 'other'}`}
                  title={m.reason || undefined}
                >
                  {m.state || 'UNKNOWN'}
                  {m.version && <span className="muted"> v{m.version}</span>}
                </span>
                <button
                  type="button"
                  className="small"
                  disabled={busy || !!p.busyModel || p.inUse === m.name}
                  title={
                    p.inUse === m.name
                      ? `${m.name} is in use by the running session: stop it first.`
                      : `${ready ? 'Unload' : 'Load'} on the server, for every user`
                  }
                  onClick={(e) => {
                    e.stopPropagation()
                    setAsking({ op: ready ? 'unload' : 'load', name: m.name })
                  }}
                  data-testid={ready ? 'model-unload' : 'model-load'}
                >
                  {busy ? '…' : ready ? 'Unload' : 'Load'}
                </button>
              </span>
              {m.error ? (
                <span
                  className="model-note model-error"
                  title={[m.error.message, m.error.hint].filter(Boolean).join(' — ')}
                  data-testid="model-row-error"
                >
                  error: {m.error.message}
                </span>
              ) : (
                m.description && (
                  <span
                    className="model-note muted"
                    title={m.description}
                    data-testid="model-row-description"
                  >
                    {m.description}
                  </span>
                )
              )}
            </li>
          )
        })}
      </ul>
      <ErrorBanner error={p.detailsError} testId="model-details-error" />
      {p.detailsLoading && <p className="muted">Reading {p.selected}…</p>}
      {p.details && (
        <ModelDetailsView
          details={p.details}
          onSaveProfile={p.onSaveProfile}
          onPickLabels={p.onPickLabels}
        />
      )}
      {asking && (
        <ServerActionDialog
          {...asking}
          server={p.serverLabel ?? 'the server'}
          onConfirm={confirm}
          onCancel={() => setAsking(undefined)}
        />
      )}
    </section>
  )
})

/**
 * A model name on one line. When it does not fit, the middle gives way, not the end: names of
 * one family differ at the end (color-box-detector-e2e, color-box-detector-yolov8). The whole
 * name is in the tooltip.
 */
function ModelName({ name }: { name: string }) {
  const [head, tail] = splitForMiddleEllipsis(name)
  return (
    <span className="model-name" title={name} data-testid="model-name">
      <span className="model-name-head">{head}</span>
      {tail && <span className="model-name-tail">{tail}</span>}
    </span>
  )
}

/** Load and unload change the server for everyone on it: say so before doing it. */
function ServerActionDialog(p: {
  op: 'load' | 'unload'
  name: string
  server: string
  onConfirm(): void
  onCancel(): void
}) {
  const unload = p.op === 'unload'
  return (
    <ConfirmDialog
      title={`${unload ? 'Unload' : 'Load'} ${p.name} on the server?`}
      confirmLabel={unload ? 'Unload for everyone' : 'Load for everyone'}
      danger={unload}
      onConfirm={p.onConfirm}
      onCancel={p.onCancel}
      testId="model-action-confirm"
    >
      <p>
        This acts on <strong>{p.server}</strong>, for <strong>every user and application</strong> of
        that Triton, not only this window.
      </p>
      <p className="muted">
        {unload
          ? `Their requests to ${p.name} fail until someone loads it again.`
          : `${p.name} then takes the server's memory (and GPU, if it uses one) until someone unloads it.`}
      </p>
    </ConfirmDialog>
  )
}
