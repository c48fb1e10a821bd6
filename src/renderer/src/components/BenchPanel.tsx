import { memo } from 'react'
import type {
  BenchProgressEvent,
  BenchReport,
  EndpointProfile,
  UserError,
} from '../../../shared/ipc-contract'
import { BENCH_TRANSPORTS, type BenchTransportKey } from '../../../shared/bench-transports'
import type { BenchForm, BenchSaveFormat } from '../store/bench-slice'
import { BenchReportView } from './BenchReportView'
import { ErrorBanner } from './ErrorBanner'

/** The models of the endpoint to compare with: the connected one's, or another's being asked. */
export interface CompareModels {
  models: readonly string[]
  loading?: boolean
  error?: UserError
}

export interface BenchPanelProps {
  form: BenchForm
  /** Model names on the connected endpoint. */
  models: readonly string[]
  /** Model names for "compare with", from the endpoint chosen there. */
  compareModels?: CompareModels
  selectedModel?: string
  endpoints: readonly Pick<EndpointProfile, 'id' | 'name'>[]
  connectedId?: string
  /** Why Run is disabled, when it is. */
  blocker?: string
  running: boolean
  progress?: BenchProgressEvent
  report?: BenchReport
  error?: UserError
  saving?: BenchSaveFormat
  saved?: { format: BenchSaveFormat; path: string }
  saveError?: UserError
  cancelled?: boolean
  onForm(patch: Partial<BenchForm>): void
  onPickFile(): void
  onRun(): void
  onCancel(): void
  onSave(format: BenchSaveFormat): void
  onDismissError(): void
}

const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p

const numberFrom = (value: string): number => (value === '' ? 0 : Number(value))

function Progress({ p, running }: { p?: BenchProgressEvent; running: boolean }) {
  if (!running) return null
  return (
    <div className="bench-progress" data-testid="bench-progress">
      <progress max={p?.durationSec ?? 1} value={p ? Math.min(p.elapsedSec, p.durationSec) : 0} />
      <span className="small">
        {p
          ? `${p.label}: ${p.elapsedSec.toFixed(0)} / ${p.durationSec} s · ${p.sent} sent · ${p.succeeded} ok · ${p.failed} failed`
          : 'Preparing the workload…'}
      </span>
    </div>
  )
}

/** Load a model at a fixed rate or concurrency, optionally against a second one, and compare. */
export const BenchPanel = memo(function BenchPanel(props: BenchPanelProps) {
  const { form, models, selectedModel, endpoints, connectedId, running, onForm } = props
  const model = form.model || selectedModel || ''
  const compareModels = props.compareModels ?? { models }
  return (
    <section className="panel bench-panel" aria-label="Benchmark" data-testid="bench-panel">
      <header className="panel-header">
        <h2>Benchmark</h2>
        <span className="muted small">perf_analyzer-style load over the transport you choose</span>
      </header>
      <div className="bench-form">
        <label>
          <span>Model</span>
          <select
            value={model}
            onChange={(e) => onForm({ model: e.target.value })}
            data-testid="bench-model"
          >
            {models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Transport</span>
          <select
            value={form.transport}
            onChange={(e) => onForm({ transport: e.target.value as BenchTransportKey })}
            data-testid="bench-transport"
          >
            {BENCH_TRANSPORTS.map((t) => (
              <option key={t.key} value={t.key}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <div className="bench-field">
          <span>Load</span>
          <div className="segmented">
            {(['rate', 'concurrency'] as const).map((mode) => (
              <button
                type="button"
                key={mode}
                className={form.mode === mode ? 'on' : ''}
                aria-pressed={form.mode === mode}
                onClick={() => onForm({ mode })}
                data-testid={`bench-mode-${mode}`}
              >
                {mode === 'rate' ? 'Rate' : 'Concurrency'}
              </button>
            ))}
          </div>
          {form.mode === 'rate' ? (
            <input
              type="number"
              min={0.1}
              step="any"
              value={form.rate}
              onChange={(e) => onForm({ rate: numberFrom(e.target.value) })}
              aria-label="Requests per second"
              data-testid="bench-rate"
            />
          ) : (
            <input
              type="number"
              min={1}
              step={1}
              value={form.concurrency}
              onChange={(e) => onForm({ concurrency: numberFrom(e.target.value) })}
              aria-label="Requests in flight"
              data-testid="bench-concurrency"
            />
          )}
          <span className="muted">{form.mode === 'rate' ? 'req/s' : 'in flight'}</span>
        </div>
        <label>
          <span>Duration</span>
          <span className="inline-field">
            <input
              type="number"
              min={1}
              step="any"
              value={form.durationSec}
              onChange={(e) => onForm({ durationSec: numberFrom(e.target.value) })}
              data-testid="bench-duration"
            />
            <span className="muted">s</span>
          </span>
        </label>
        <div className="bench-field">
          <span>Input</span>
          <button
            type="button"
            className="small"
            onClick={props.onPickFile}
            data-testid="bench-file-pick"
          >
            Choose file…
          </button>
          <span className="file-path" data-testid="bench-file" title={form.filePath}>
            {form.filePath ? baseName(form.filePath) : 'generated data'}
          </span>
          {form.filePath && (
            <button
              type="button"
              className="small"
              onClick={() => onForm({ filePath: undefined })}
              data-testid="bench-file-clear"
            >
              Clear
            </button>
          )}
        </div>
        <div className="bench-field">
          <label className="check">
            <input
              type="checkbox"
              checked={form.compare}
              onChange={(e) => onForm({ compare: e.target.checked })}
              data-testid="bench-compare"
            />
            Compare with
          </label>
          {form.compare && (
            <>
              <select
                value={form.compareModel}
                onChange={(e) => onForm({ compareModel: e.target.value })}
                disabled={compareModels.loading}
                aria-label="Model to compare with"
                data-testid="bench-compare-model"
              >
                <option value="">the same model</option>
                {compareModels.models.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
              <span className="muted">on</span>
              <select
                value={form.compareEndpointId}
                // Another endpoint has its own models: the pick from this one's list goes.
                onChange={(e) => onForm({ compareEndpointId: e.target.value, compareModel: '' })}
                aria-label="Endpoint to compare with"
                data-testid="bench-compare-endpoint"
              >
                <option value="">the same endpoint</option>
                {endpoints
                  .filter((e) => e.id !== connectedId)
                  .map((e) => (
                    <option key={e.id} value={e.id}>
                      {e.name}
                    </option>
                  ))}
              </select>
              <span className="muted">over</span>
              <select
                value={form.compareTransport}
                onChange={(e) =>
                  onForm({ compareTransport: e.target.value as BenchTransportKey | '' })
                }
                aria-label="Transport to compare with"
                data-testid="bench-compare-transport"
              >
                <option value="">the same transport</option>
                {BENCH_TRANSPORTS.map((t) => (
                  <option key={t.key} value={t.key}>
                    {t.label}
                  </option>
                ))}
              </select>
              {compareModels.loading && (
                <span className="muted small" data-testid="bench-compare-models-loading">
                  Loading its models…
                </span>
              )}
              {compareModels.error && (
                <span
                  className="bench-inline-error small"
                  role="alert"
                  title={compareModels.error.hint}
                  data-testid="bench-compare-models-error"
                >
                  Could not list its models: {compareModels.error.message}
                </span>
              )}
            </>
          )}
        </div>
      </div>
      <div className="bench-run">
        <button
          type="button"
          className="primary"
          disabled={running || props.blocker !== undefined}
          title={props.blocker}
          onClick={props.onRun}
          data-testid="bench-run"
        >
          {running ? 'Running…' : 'Run benchmark'}
        </button>
        {running && (
          <button type="button" onClick={props.onCancel} data-testid="bench-cancel">
            Cancel
          </button>
        )}
        {props.cancelled && !running && (
          <span className="muted small" data-testid="bench-cancelled">
            Cancelled.
          </span>
        )}
        {props.blocker && !running && (
          <span className="muted small" data-testid="bench-blocker">
            {props.blocker}
          </span>
        )}
        <Progress p={props.progress} running={running} />
      </div>
      <ErrorBanner error={props.error} testId="bench-error" onDismiss={props.onDismissError} />
      {props.report && (
        <BenchReportView
          report={props.report}
          saving={props.saving}
          saved={props.saved}
          saveError={props.saveError}
          onSave={props.onSave}
        />
      )}
    </section>
  )
})
