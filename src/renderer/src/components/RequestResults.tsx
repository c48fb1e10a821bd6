import { memo } from 'react'
import type { OutputView, ResponseView } from '../../../shared/single-request'
import { valuesText } from '../../../shared/tensor-text'

export const RESULT_VIEWS = ['text', 'table', 'json'] as const
export type ResultView = (typeof RESULT_VIEWS)[number]
const VIEW_LABELS: Record<ResultView, string> = { text: 'Text', table: 'Table', json: 'JSON' }

/** A grid shows at most this many rows and columns of one output; the rest is counted. */
const MAX_ROWS = 100
const MAX_COLUMNS = 16
/** The JSON view stops here; the values it leaves out are in the Text and Table views' counts. */
const MAX_JSON_CHARS = 200_000

export interface RequestResultsProps {
  responses: readonly ResponseView[]
  view: ResultView
  onView(view: ResultView): void
  /** Decoupled models answer in parts: number them. */
  numbered: boolean
}

const tensorHead = (o: OutputView): string => `${o.name} ${o.datatype} [${o.shape.join(', ')}]`

function TextView({ responses, numbered }: Pick<RequestResultsProps, 'responses' | 'numbered'>) {
  return (
    <ol className="request-text" data-testid="request-output-text">
      {responses.flatMap((r) =>
        r.outputs.map((o) => (
          <li key={`${r.index}:${o.name}`} data-testid="request-output-line">
            {numbered && <span className="muted">#{r.index} </span>}
            <span className="request-tensor">{tensorHead(o)}</span>: {valuesText(o)}
          </li>
        )),
      )}
    </ol>
  )
}

const cell = (v: number | string | boolean | undefined): string =>
  v === undefined
    ? ''
    : typeof v === 'number' && !Number.isInteger(v)
      ? String(Number(v.toPrecision(6)))
      : String(v)

/** Numbers line up on the right, text reads from the left. */
function Cell({ v }: { v: number | string | boolean | undefined }) {
  return <td className={typeof v === 'string' ? 'text-cell' : undefined}>{cell(v)}</td>
}

/** One output as rows of its last dimension (bounded), with what is not shown counted. */
function OutputGrid({ o, index }: { o: OutputView; index?: number }) {
  const width = o.shape.length >= 2 ? Math.max(1, o.shape[o.shape.length - 1]) : 1
  const rows = Math.ceil(o.values.length / width)
  const shownRows = Math.min(rows, MAX_ROWS)
  const shownCols = Math.min(width, MAX_COLUMNS)
  const hidden = o.count - shownRows * shownCols
  return (
    <table className="request-grid" data-testid="request-output-table">
      <caption>
        {index !== undefined ? `#${index} ` : ''}
        {tensorHead(o)}
        {hidden > 0 ? ` · ${hidden} more values not shown` : ''}
      </caption>
      <tbody>
        {Array.from({ length: shownRows }, (_, r) => (
          <tr key={r}>
            {Array.from({ length: shownCols }, (_, c) => (
              <Cell key={c} v={o.values[r * width + c]} />
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/**
 * A model that answers in parts with one value per output (a text streamer) reads best as one
 * row per response; anything else as a grid per output.
 */
function TableView({ responses, numbered }: Pick<RequestResultsProps, 'responses' | 'numbered'>) {
  const names = [...new Set(responses.flatMap((r) => r.outputs.map((o) => o.name)))]
  const scalars = responses.every((r) => r.outputs.every((o) => o.count === 1))
  if (scalars && responses.length > 0) {
    return (
      <table className="request-grid" data-testid="request-output-table">
        <thead>
          <tr>
            <th>#</th>
            {names.map((n) => (
              <th key={n}>{n}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {responses.slice(0, MAX_ROWS * 10).map((r) => (
            <tr key={r.index} data-testid="request-table-row">
              <td>{r.index}</td>
              {names.map((n) => (
                <Cell key={n} v={r.outputs.find((o) => o.name === n)?.values[0]} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    )
  }
  return (
    <div className="request-grids">
      {responses.flatMap((r) =>
        r.outputs.map((o) => (
          <OutputGrid key={`${r.index}:${o.name}`} o={o} index={numbered ? r.index : undefined} />
        )),
      )}
    </div>
  )
}

function JsonView({ responses }: Pick<RequestResultsProps, 'responses'>) {
  const text = JSON.stringify(responses, null, 2)
  const cut = text.length > MAX_JSON_CHARS
  return (
    <pre className="request-json" data-testid="request-output-json">
      {cut
        ? `${text.slice(0, MAX_JSON_CHARS)}\n… (${text.length - MAX_JSON_CHARS} more characters)`
        : text}
    </pre>
  )
}

/** The responses of one request as text, a table or JSON. */
export const RequestResults = memo(function RequestResults({
  responses,
  view,
  onView,
  numbered,
}: RequestResultsProps) {
  return (
    <section className="request-results" aria-label="Responses">
      <div className="segmented" role="radiogroup" aria-label="Show responses as">
        {RESULT_VIEWS.map((v) => (
          <button
            key={v}
            type="button"
            role="radio"
            aria-checked={view === v}
            className={view === v ? 'on' : undefined}
            onClick={() => onView(v)}
            data-testid={`request-view-${v}`}
          >
            {VIEW_LABELS[v]}
          </button>
        ))}
      </div>
      {view === 'text' && <TextView responses={responses} numbered={numbered} />}
      {view === 'table' && <TableView responses={responses} numbered={numbered} />}
      {view === 'json' && <JsonView responses={responses} />}
    </section>
  )
})
