import { memo, useState } from 'react'
import type {
  EndpointDraft,
  EndpointHealth,
  EndpointProfile,
  Result,
  UserError,
} from '../../../shared/ipc-contract'
import { EndpointForm } from './EndpointForm'
import { ErrorBanner } from './ErrorBanner'
import { HealthBadge } from './HealthBadge'
import { useListboxKeys } from './listbox-keys'

export interface EndpointsPanelProps {
  endpoints: readonly EndpointProfile[]
  selectedId?: string
  connectedId?: string
  connecting: boolean
  /** A session streams to the connected endpoint: saving or removing it stops that first. */
  sessionActive?: boolean
  health?: EndpointHealth
  error?: UserError
  onSelect(id: string): void
  onConnect(id: string): void
  onDisconnect(): void
  onSave(draft: EndpointDraft): Promise<Result<EndpointProfile>>
  onRemove(id: string): Promise<Result<void>>
  onPickPem(): Promise<Result<string | undefined>>
  onDismissError(): void
}

/** Saved Triton endpoints: pick one, connect, see its health; add, edit and remove profiles. */
export const EndpointsPanel = memo(function EndpointsPanel(p: EndpointsPanelProps) {
  const [editing, setEditing] = useState<'new' | string>()
  const [confirmRemove, setConfirmRemove] = useState<string>()
  const [removeError, setRemoveError] = useState<UserError>()

  const save = async (draft: EndpointDraft): Promise<Result<EndpointProfile>> => {
    const r = await p.onSave(draft)
    if (r.ok) setEditing(undefined)
    return r
  }
  const remove = async (id: string): Promise<void> => {
    setConfirmRemove(undefined)
    const r = await p.onRemove(id)
    setRemoveError(r.ok ? undefined : r.error)
  }
  const keys = useListboxKeys(
    p.endpoints.length,
    p.endpoints.findIndex((e) => e.id === p.selectedId),
    (i) => p.onSelect(p.endpoints[i].id),
  )
  const editingProfile =
    editing && editing !== 'new' ? p.endpoints.find((e) => e.id === editing) : undefined

  return (
    <section className="panel endpoints-panel" aria-label="Endpoints" data-testid="endpoints-panel">
      <header className="panel-header">
        <h2>Endpoints</h2>
        <button type="button" onClick={() => setEditing('new')} data-testid="endpoint-add">
          + Add
        </button>
      </header>
      <ErrorBanner error={p.error} testId="endpoints-error" onDismiss={p.onDismissError} />
      <ErrorBanner
        error={removeError}
        testId="endpoints-remove-error"
        onDismiss={() => setRemoveError(undefined)}
      />
      <ul className="endpoint-list" role="listbox" aria-label="Saved endpoints">
        {p.endpoints.map((e, i) => {
          const selected = e.id === p.selectedId
          const connected = e.id === p.connectedId
          const stopsSession =
            connected && p.sessionActive ? 'Stops the running session first' : undefined
          return (
            <li
              key={e.id}
              role="option"
              aria-selected={selected}
              className={`endpoint-item${selected ? ' selected' : ''}${connected ? ' connected' : ''}`}
              onClick={() => p.onSelect(e.id)}
              {...keys(i)}
              data-testid="endpoint-item"
              data-endpoint-id={e.id}
              data-connected={connected}
            >
              <div className="endpoint-title">
                <span className="endpoint-name">{e.name}</span>
                {e.builtInDemo && <span className="tag">demo</span>}
                {e.tls?.enabled && <span className="tag">TLS</span>}
                {e.hasToken && (
                  <span className="tag" title="A token is stored for this endpoint">
                    token
                  </span>
                )}
              </div>
              <div className="endpoint-url muted">{e.url}</div>
              {e.credentialWarning && (
                <div className="notice bad" data-testid="endpoint-item-credential-warning">
                  {e.credentialWarning}
                </div>
              )}
              {selected && (
                <div className="endpoint-actions" onClick={(ev) => ev.stopPropagation()}>
                  {connected ? (
                    <button
                      type="button"
                      onClick={p.onDisconnect}
                      data-testid="endpoint-disconnect"
                    >
                      Disconnect
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="primary"
                      disabled={p.connecting}
                      onClick={() => p.onConnect(e.id)}
                      data-testid="endpoint-connect"
                    >
                      {p.connecting ? 'Connecting…' : 'Connect'}
                    </button>
                  )}
                  {!e.builtInDemo && (
                    <>
                      <button
                        type="button"
                        onClick={() => setEditing(e.id)}
                        title={stopsSession}
                        data-testid="endpoint-edit"
                      >
                        Edit
                      </button>
                      {confirmRemove === e.id ? (
                        <button
                          type="button"
                          className="danger"
                          onClick={() => void remove(e.id)}
                          title={stopsSession}
                          data-testid="endpoint-remove-confirm"
                        >
                          Really remove
                        </button>
                      ) : (
                        <button
                          type="button"
                          onClick={() => setConfirmRemove(e.id)}
                          title={stopsSession}
                          data-testid="endpoint-remove"
                        >
                          Remove
                        </button>
                      )}
                    </>
                  )}
                </div>
              )}
              {selected && (
                <HealthBadge
                  health={p.health?.endpointId === e.id ? p.health : undefined}
                  connected={connected}
                  connecting={p.connecting}
                />
              )}
            </li>
          )
        })}
      </ul>
      {p.endpoints.length === 0 && (
        <p className="muted">No endpoints yet. Add one to connect to a Triton server.</p>
      )}
      {editing && (
        <EndpointForm
          key={editing}
          initial={editingProfile}
          onSave={save}
          onCancel={() => setEditing(undefined)}
          onPickPem={p.onPickPem}
        />
      )}
    </section>
  )
})
