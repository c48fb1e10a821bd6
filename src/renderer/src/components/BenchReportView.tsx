import { memo, useCallback, useMemo, useState } from 'react'
import { benchWarnings } from '../../../shared/bench-warnings'
import type { BenchReport, UserError } from '../../../shared/ipc-contract'
import type { BenchSaveFormat } from '../store/bench-slice'
import { benchRows, runNames } from './bench-compare'
import { ErrorBanner } from './ErrorBanner'

const SAVE_FORMATS: readonly { format: BenchSaveFormat; label: string }[] = [
  { format: 'md', label: 'Markdown' },
  { format: 'csv', label: 'CSV' },
  { format: 'json', label: 'JSON' },
]

/** The report as a table: one column per run, and winner and ratio when two are compared. */
export const BenchTable = memo(function BenchTable({ report }: { report: BenchReport }) {
  const rows = useMemo(() => benchRows(report.runs), [report])
  const names = runNames(report.runs)
  const compare = report.runs.length === 2
  const spread = rows.some((r) => r.spread !== undefined)
  return (
    <div className="bench-table-wrap">
      <table className="bench-table" data-testid="bench-table">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            {names.map((n, i) => (
              <th scope="col" key={i} data-testid="bench-run-name" title={report.runs[i].url}>
                {n}
              </th>
            ))}
            {compare && (
              <>
                <th scope="col" data-testid="bench-winner-header">
                  Winner
                </th>
                <th scope="col">Ratio</th>
                {spread && (
                  <th scope="col" title="max − min over each side's measurement windows">
                    Spread (A / B)
                  </th>
                )}
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-testid="bench-row" data-metric={r.key}>
              <th scope="row">{r.label}</th>
              {r.cells.map((c, i) => (
                <td key={i} className="num" data-testid="bench-cell" data-run={i}>
                  {c}
                </td>
              ))}
              {compare && (
                <>
                  <td
                    className={r.winner && r.winner !== '–' && r.winner !== 'Tie' ? 'winner' : ''}
                    data-testid="bench-winner"
                  >
                    {r.winner}
                  </td>
                  <td className="num">{r.ratio ?? '–'}</td>
                  {spread && (
                    <td className="num" data-testid="bench-spread">
                      {r.spread ?? '–'}
                    </td>
                  )}
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
})

export interface BenchReportViewProps {
  report: BenchReport
  saving?: BenchSaveFormat
  saved?: { format: BenchSaveFormat; path: string }
  saveError?: UserError
  onSave(format: BenchSaveFormat): void
}

/** The finished report: conditions, save buttons, the table, notes and the Markdown text. */
export const BenchReportView = memo(function BenchReportView({
  report,
  saving,
  saved,
  saveError,
  onSave,
}: BenchReportViewProps) {
  const [copied, setCopied] = useState(false)
  const copy = useCallback(() => {
    void navigator.clipboard?.writeText(report.markdown).then(
      () => setCopied(true),
      () => setCopied(false),
    )
  }, [report])
  const run = report.runs[0]
  const warnings = useMemo(() => report.runs.flatMap(benchWarnings), [report])
  const windows = run.windows?.length ?? 1
  return (
    <section className="bench-report" data-testid="bench-report">
      <p className="small muted">
        {run.mode === 'rate' ? `${run.rate} req/s` : `${run.concurrency} in flight`} for{' '}
        {run.durationSec} s{windows > 1 ? ` in ${windows} windows each` : ''} · input: {run.input}
      </p>
      {warnings.length > 0 && (
        <ul className="bench-warnings" role="alert" data-testid="bench-warnings">
          {warnings.map((w, i) => (
            <li key={i} data-testid="bench-warning">
              {w}
            </li>
          ))}
        </ul>
      )}
      <div className="bench-save">
        <span>Save as</span>
        {SAVE_FORMATS.map((f) => (
          <button
            type="button"
            className="small"
            key={f.format}
            disabled={saving !== undefined}
            onClick={() => onSave(f.format)}
            data-testid={`bench-save-${f.format}`}
          >
            {saving === f.format ? 'Saving…' : f.label}
          </button>
        ))}
        {saved && (
          <span className="export-saved" data-testid="bench-saved" title={saved.path}>
            Saved to {saved.path}
          </span>
        )}
      </div>
      <ErrorBanner error={saveError} testId="bench-save-error" />
      <BenchTable report={report} />
      {report.notes.length > 0 && (
        <ul className="bench-notes small" data-testid="bench-notes">
          {report.notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
      <details className="bench-markdown">
        <summary>Markdown report</summary>
        <button type="button" className="small" onClick={copy} data-testid="bench-copy">
          {copied ? 'Copied' : 'Copy'}
        </button>
        <pre data-testid="bench-markdown">{report.markdown}</pre>
      </details>
    </section>
  )
})
