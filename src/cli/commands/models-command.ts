import { parseArgs } from 'node:util'
import { inspectRepository, type ListedModel } from '../../main/models/model-listing'
import { createTritonApi } from '../../main/triton/create-triton-api'
import { describeError } from '../cli-error'
import { CONNECTION_FLAGS, connectionFromFlags } from '../connection-flags'
import { jsonLine, serverName } from '../output'

/** The table's description column is cut here to keep one line per model; --json has it whole. */
const DESCRIPTION_CHARS = 60

export const MODELS_HELP = `triton-live models --url U [--json]
  The repository, one line per model under a header row: name, version, state, the kind the
  app detected, the preset it applied (sherpa, WeNet, Whisper BLS, Ultralytics, ...) and what
  the model says it understands (its config parameter "description", cut to
  ${DESCRIPTION_CHARS} characters). A model whose metadata or config cannot be read gets one
  line with the error; the rest are listed. --json prints one JSON object per model instead,
  with the preset's source and numbers and the whole description.`

interface Row {
  name: string
  version: string
  state: string
  kind: string
  preset: string
  reason: string
  presetSource?: string
  presetSettings?: Record<string, number | string>
  /** What the model understands, from its config parameter `description`; '' when it has none. */
  description: string
  /** Why this model's metadata or config could not be read; the others are still listed. */
  error?: string
}

const COLUMNS = ['name', 'version', 'state', 'kind', 'preset', 'description'] as const

/** The kind and preset the app detected, or the error that stopped it: one broken model spoils no other row. */
function describeRow({ entry: m, details: d, error }: ListedModel): Row {
  const row: Row = {
    name: serverName(m.name) || '-',
    version: serverName(m.version, 32) || '-',
    state: serverName(m.state, 32) || '-',
    kind: '-',
    preset: '-',
    reason: serverName(m.reason, 500),
    description: '',
  }
  if (error !== undefined) row.error = describeError(error)
  if (!d) return row
  row.kind =
    d.kind +
    (d.detectionForm ? `/${d.detectionForm}` : '') +
    (d.profile ? '' : ' (needs a profile)')
  row.preset = d.preset?.summary ?? '-'
  row.presetSource = d.preset?.source
  row.presetSettings = d.preset?.settings
  row.description = serverName(d.description ?? '', 500)
  return row
}

const cut = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`

/** One line per model under a header row: name, version, state, detected kind and preset. */
export async function modelsCommand(
  argv: string[],
  out: (line: string) => void,
  json: boolean,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...CONNECTION_FLAGS, json: { type: 'boolean' } },
    strict: true,
  })
  const client = createTritonApi(connectionFromFlags(values))
  try {
    const index = await client.repositoryIndex()
    const rows = (await inspectRepository(client, index)).map(describeRow)
    if (json || values.json) {
      for (const r of rows) out(jsonLine(r))
      return 0
    }
    const cells = rows.map((r) => [
      r.name,
      r.version,
      r.state,
      r.kind,
      r.error ? `error: ${r.error}` : `${r.preset}${r.reason ? `  (${r.reason})` : ''}`,
      r.error ? '' : cut(r.description, DESCRIPTION_CHARS),
    ])
    // A column no model fills is left out rather than printed empty.
    const shown = COLUMNS.map((_, i) => i).filter(
      (i) => COLUMNS[i] !== 'description' || cells.some((c) => c[i]),
    )
    const widths = shown.map((i) => Math.max(COLUMNS[i].length, ...cells.map((c) => c[i].length)))
    const line = (row: string[]): string =>
      shown
        .map((i, k) => (k < shown.length - 1 ? row[i].padEnd(widths[k]) : row[i]))
        .join('  ')
        .trimEnd()
    out(line(COLUMNS.map((c) => c.toUpperCase())))
    for (const row of cells) out(line(row))
    return 0
  } finally {
    client.close()
  }
}
