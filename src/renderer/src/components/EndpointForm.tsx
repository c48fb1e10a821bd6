import { memo, useState, type FormEvent } from 'react'
import {
  credentialNameOfHeader,
  plaintextCredentialWarning,
} from '../../../shared/credential-exposure'
import { parseEndpoint } from '../../../shared/endpoint-url'
import { ANSWER_DEADLINE_MS, TIMEOUT_MS } from '../../../shared/limits'
import type { GrpcMode, SharedMemoryMode } from '../../../shared/transport-choice'
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
  serverName: string
  authHeader: string
  token: string
  clearToken: boolean
  timeoutMs: string
  answerDeadlineMs: string
  metricsUrl: string
  authority: string
  mode: GrpcMode
  sharedMemory: SharedMemoryMode
}

function fieldsFrom(p?: EndpointProfile): Fields {
  return {
    name: p?.name ?? '',
    url: p?.url ?? '',
    tlsEnabled: p?.tls?.enabled ?? false,
    caFile: p?.tls?.caFile ?? '',
    certFile: p?.tls?.certFile ?? '',
    keyFile: p?.tls?.keyFile ?? '',
    serverName: p?.tls?.serverName ?? '',
    authHeader: p?.authHeader ?? '',
    // The token is write-only: the app never gets it back, so the field always starts empty.
    token: '',
    clearToken: false,
    timeoutMs: p?.timeoutMs ? String(p.timeoutMs) : '',
    answerDeadlineMs: p?.answerDeadlineMs ? String(p.answerDeadlineMs) : '',
    metricsUrl: p?.metricsUrl ?? '',
    authority: p?.authority ?? '',
    mode: p?.transport?.mode ?? 'stream',
    sharedMemory: p?.transport?.sharedMemory ?? 'none',
  }
}

/** The protocol the URL picks, or undefined while it does not parse yet. */
function protocolOf(url: string): 'grpc' | 'http' | undefined {
  try {
    return parseEndpoint(url).protocol
  } catch {
    return undefined
  }
}

/** The defaults (a gRPC stream, no shared memory) are stored as nothing, so they follow the URL. */
function transportFrom(f: Fields): EndpointDraft['transport'] {
  const mode = f.mode === 'unary' && protocolOf(f.url) !== 'http' ? 'unary' : undefined
  const sharedMemory = f.sharedMemory === 'system' ? 'system' : undefined
  return mode || sharedMemory ? { mode, sharedMemory } : undefined
}

/**
 * The warning the form shows while a token (typed, or saved and kept) would travel without
 * TLS to a host that is not loopback: the same words as the CLI's and the saved endpoint's.
 */
export function credentialWarningOf(f: Fields, hasSavedToken: boolean): string | undefined {
  const sendsToken = Boolean(f.token) || (hasSavedToken && !f.clearToken)
  return plaintextCredentialWarning(
    f.url,
    f.tlsEnabled,
    sendsToken ? credentialNameOfHeader(f.authHeader) : undefined,
  )
}

/** Omits the token unless the user typed one (or asked to clear it), so saving keeps the stored one. */
export function draftFrom(f: Fields, id?: string): EndpointDraft {
  const opt = (v: string): string | undefined => (v.trim() ? v.trim() : undefined)
  const tlsUsed = f.tlsEnabled || f.caFile || f.certFile || f.keyFile || f.serverName.trim()
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
          serverName: opt(f.serverName),
        }
      : undefined,
    authHeader: opt(f.authHeader),
    token: f.token ? f.token : f.clearToken ? '' : undefined,
    timeoutMs: f.timeoutMs.trim() ? Number(f.timeoutMs) : undefined,
    answerDeadlineMs: f.answerDeadlineMs.trim() ? Number(f.answerDeadlineMs) : undefined,
    metricsUrl: opt(f.metricsUrl),
    authority: opt(f.authority),
    transport: transportFrom(f),
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
  const warning = credentialWarningOf(f, Boolean(initial?.hasToken))
  const http = protocolOf(f.url) === 'http'
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
        <span>URL (grpc://, grpcs://, http://, https://)</span>
        <input
          value={f.url}
          onChange={(e) => set('url', e.target.value)}
          placeholder="grpc://localhost:8001 or http://localhost:8000"
          required
          data-testid="endpoint-url"
        />
      </label>
      <label>
        <span>Requests</span>
        <select
          value={http ? 'unary' : f.mode}
          disabled={http}
          title={http ? 'HTTP sends one request per call' : undefined}
          onChange={(e) => set('mode', e.target.value as GrpcMode)}
          data-testid="endpoint-mode"
        >
          <option value="stream">one gRPC stream per session (default)</option>
          <option value="unary">one call per request (unary)</option>
        </select>
      </label>
      <label>
        <span>Shared memory</span>
        <select
          value={f.sharedMemory}
          onChange={(e) => set('sharedMemory', e.target.value as SharedMemoryMode)}
          data-testid="endpoint-shared-memory"
        >
          <option value="none">none: tensors travel in the requests (default)</option>
          <option value="system">system: /dev/shm, when Triton runs on this machine</option>
        </select>
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={f.tlsEnabled}
          onChange={(e) => set('tlsEnabled', e.target.checked)}
        />
        <span>TLS</span>
      </label>
      {f.tlsEnabled && (
        <label>
          <span>Server name</span>
          <input
            value={f.serverName}
            onChange={(e) => set('serverName', e.target.value)}
            placeholder="the name on the certificate, when it is not the host"
            data-testid="endpoint-server-name"
          />
        </label>
      )}
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
      {warning && (
        <p className="notice bad" role="alert" data-testid="endpoint-credential-warning">
          {warning}
        </p>
      )}
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
          min={TIMEOUT_MS.min}
          max={TIMEOUT_MS.max}
          value={f.timeoutMs}
          onChange={(e) => set('timeoutMs', e.target.value)}
          placeholder="10000"
          data-testid="endpoint-timeout"
        />
      </label>
      <label title="How long one streamed request may wait for its answer before it counts as timed out and the link is renewed. Empty: live audio 10 s, camera 5 s, files 30 s.">
        <span>Answer deadline (ms)</span>
        <input
          type="number"
          min={ANSWER_DEADLINE_MS.min}
          max={ANSWER_DEADLINE_MS.max}
          value={f.answerDeadlineMs}
          onChange={(e) => set('answerDeadlineMs', e.target.value)}
          placeholder="per source"
          data-testid="endpoint-answer-deadline"
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
