import { memo } from 'react'
import type { DoctorCheck, DoctorReport, UserError } from '../../../shared/ipc-contract'
import { ErrorBanner } from './ErrorBanner'

export interface DoctorPanelProps {
  /** The endpoint's name, for the heading. */
  endpointName: string
  report: DoctorReport | undefined
  running: boolean
  /** The run itself could not start (bad URL, unreadable PEM file). */
  error?: UserError
  onRun(): void
}

const MARK: Record<DoctorCheck['status'], string> = { ok: '✓', warn: '!', fail: '✗', skip: '–' }

const VERDICT: Record<DoctorReport['verdict'], string> = {
  ok: 'Every check passed.',
  warn: 'It works, with warnings.',
  fail: 'It does not work yet: see the first failed check.',
}

/** The connection doctor, one row per check with its time; the first failure says what to do. */
export const DoctorPanel = memo(function DoctorPanel({
  endpointName,
  report,
  running,
  error,
  onRun,
}: DoctorPanelProps) {
  return (
    <section className="doctor-panel" data-testid="doctor-panel" aria-busy={running}>
      <header className="doctor-header">
        <h3>Doctor: {endpointName}</h3>
        <button type="button" onClick={onRun} disabled={running} data-testid="doctor-run">
          {running ? 'Checking…' : report ? 'Check again' : 'Check connection'}
        </button>
      </header>
      <ErrorBanner error={error} testId="doctor-error" />
      {report && (
        <>
          <p className={`doctor-verdict verdict-${report.verdict}`} data-testid="doctor-verdict">
            {VERDICT[report.verdict]}
          </p>
          <ol className="doctor-checks" data-testid="doctor-checks">
            {report.checks.map((c, i) => (
              <li
                key={`${i}:${c.name}`}
                className={`doctor-check check-${c.status}`}
                data-status={c.status}
                data-testid="doctor-check"
              >
                <span className="check-mark" aria-label={c.status}>
                  {MARK[c.status]}
                </span>
                <span className="check-name">{c.name}</span>
                <span className="check-detail">{c.detail}</span>
                <span className="check-ms">{c.ms.toFixed(1)} ms</span>
                {c.hint && c.status !== 'ok' && <span className="check-hint">{c.hint}</span>}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  )
})
