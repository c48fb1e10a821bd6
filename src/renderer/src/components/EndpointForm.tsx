import { memo, useState, type FormEvent } from 'react'
import {
  endpointDraftSchema,
  type EndpointDraft,
  type EndpointProfile,
  type Result,
  type UserError,
} from '../../../shared/ipc-contract'
import { ErrorBanner } from './ErrorBanner'

export interface EndpointFormProps {
  /** The profile to edit; absent for a new one. */
  initial?: EndpointProfile
  onSave(draft: EndpointDraft): Promise<Result<EndpointProfile>>
  onCancel(): void
  onPickPem(): Promise<Result<string | undefined>>
}

interface Fields {
  name: string
  url: string
  tlsEnabled: boolean
  caFile: string
  certFile: string
  keyFile: string
  authHeader: string
  token: string
  clearToken: boolean
  timeoutMs: string
  metricsUrl: string
  authority: string
}

function fieldsFrom(p?: EndpointProfile): Fields {
  return {
    name: p?.name ?? '',
    url: p?.url ?? '',
    tlsEnabled: p?.tls?.enabled ?? false,
    caFile: p?.tls?.caFile ?? '',
    certFile: p?.tls?.certFile ?? '',
    keyFile: p?.tls?.keyFile ?? '',
    authHeader: p?.authHeader ?? '',
    // The token is write-only: the app never gets it back, so the field always starts empty.
    token: '',
    clearToken: false,
    timeoutMs: p?.timeoutMs ? String(p.timeoutMs) : '',
    metricsUrl: p?.metricsUrl ?? '',
    authority: p?.authority ?? '',
  }
}

/** Omits the token unless the user typed one (or asked to clear it), so saving keeps the stored one. */
export function draftFrom(f: Fields, id?: string): EndpointDraft {
  const opt = (v: string): string | undefined => (v.trim() ? v.trim() : undefined)
  const tlsUsed = f.tlsEnabled || f.caFile || f.certFile || f.keyFile
  return {
    id,
    name: f.name,
    url: f.url,
    tls: tlsUsed
      ? {
          enabled: f.tlsEnabled,
          caFile: opt(f.caFile),
          certFile: opt(f.certFile),
          keyFile: opt(f.keyFile),
        }
      : undefined,
    authHeader: opt(f.authHeader),
    token: f.token ? f.token : f.clearToken ? '' : undefined,
    timeoutMs: f.timeoutMs.trim() ? Number(f.timeoutMs) : undefined,
    metricsUrl: opt(f.metricsUrl),
    authority: opt(f.authority),
  }
}

type PemField = 'caFile' | 'certFile' | 'keyFile'
const PEM_FIELDS: [PemField, string][] = [
  ['caFile', 'CA certificate'],
  ['certFile', 'Client certificate'],
  ['keyFile', 'Client key'],
]

export const EndpointForm = memo(function EndpointForm({
  initial,
  onSave,
  onCancel,
  onPickPem,
}: EndpointFormProps) {
  const [f, setF] = useState<Fields>(() => fieldsFrom(initial))
  const [error, setError] = useState<UserError>()
  const [saving, setSaving] = useState(false)
  const set = <K extends keyof Fields>(k: K, v: Fields[K]): void =>
    setF((old) => ({ ...old, [k]: v }))

  const pick = async (k: PemField): Promise<void> => {
    const r = await onPickPem()
    if (!r.ok) setError(r.error)
    else if (r.value) set(k, r.value)
  }

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    const draft = draftFrom(f, initial?.id)
    const parsed = endpointDraftSchema.safeParse(draft)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      setError({
        message: `${issue.path.join('.') || 'form'}: ${issue.message}`,
        hint: 'Fix the field and save again.',
        kind: 'validation',
      })
      return
    }
    setSaving(true)
    const r = await onSave(parsed.data)
    setSaving(false)
    // Never keep the secret around longer than the request needed it.
    setF((old) => ({ ...old, token: '', clearToken: false }))
    if (!r.ok) setError(r.error)
    else setError(undefined)
  }

  const id = initial?.id ?? 'new'
  return (
    <form className="endpoint-form" onSubmit={(e) => void submit(e)} data-testid="endpoint-form">
      <ErrorBanner
        error={error}
        testId="endpoint-form-error"
        onDismiss={() => setError(undefined)}
      />
      <label>
        <span>Name</span>
        <input
          value={f.name}
          onChange={(e) => set('name', e.target.value)}
          required
          data-testid="endpoint-name"
        />
      </label>
      <label>
        <span>gRPC URL</span>
        <input
          value={f.url}
          onChange={(e) => set('url', e.target.value)}
          placeholder="localhost:8001"
          required
          data-testid="endpoint-url"
        />
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={f.tlsEnabled}
          onChange={(e) => set('tlsEnabled', e.target.checked)}
        />
        <span>TLS</span>
      </label>
      {f.tlsEnabled &&
        PEM_FIELDS.map(([k, label]) => (
          <div className="file-field" key={k}>
            <span>{label}</span>
            <span className="file-path" title={f[k]} data-testid={`endpoint-${k}`}>
              {f[k] || 'none'}
            </span>
            <button type="button" onClick={() => void pick(k)}>
              Choose…
            </button>
            {f[k] && (
              <button
                type="button"
                className="icon-button"
                aria-label={`Clear ${label}`}
                onClick={() => set(k, '')}
              >
                ×
              </button>
            )}
          </div>
        ))}
      <label>
        <span>Auth header</span>
        <input
          value={f.authHeader}
          onChange={(e) => set('authHeader', e.target.value)}
          placeholder="authorization"
          data-testid="endpoint-auth-header"
        />
      </label>
      <label>
        <span>Token</span>
        <input
          type="password"
          autoComplete="new-password"
          id={`token-${id}`}
          value={f.token}
          onChange={(e) => set('token', e.target.value)}
          placeholder={initial?.hasToken ? 'saved – type to replace' : 'none'}
          data-testid="endpoint-token"
        />
      </label>
      {initial?.hasToken && (
        <label className="check">
          <input
            type="checkbox"
            checked={f.clearToken}
            onChange={(e) => set('clearToken', e.target.checked)}
            data-testid="endpoint-clear-token"
          />
          <span>Remove the saved token</span>
        </label>
      )}
      <label>
        <span>Timeout (ms)</span>
        <input
          type="number"
          min={100}
          max={600000}
          value={f.timeoutMs}
          onChange={(e) => set('timeoutMs', e.target.value)}
          placeholder="10000"
          data-testid="endpoint-timeout"
        />
      </label>
      <label>
        <span>Metrics URL</span>
        <input
          value={f.metricsUrl}
          onChange={(e) => set('metricsUrl', e.target.value)}
          placeholder="http://localhost:8002/metrics"
          data-testid="endpoint-metrics-url"
        />
      </label>
      <label>
        <span>Authority (Host)</span>
        <input
          value={f.authority}
          onChange={(e) => set('authority', e.target.value)}
          placeholder="triton.example.com (for an ingress that routes by host)"
          data-testid="endpoint-authority"
        />
      </label>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={saving} data-testid="endpoint-save">
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={onCancel} data-testid="endpoint-cancel">
          Cancel
        </button>
      </div>
    </form>
  )
})
