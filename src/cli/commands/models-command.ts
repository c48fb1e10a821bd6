import { parseArgs } from 'node:util'
import { inspectRepository, type ListedModel } from '../../main/models/model-listing'
import { createTritonApi } from '../../main/triton/create-triton-api'
import { describeError } from '../cli-error'
import { CONNECTION_FLAGS, connectionFromFlags } from '../connection-flags'
import { jsonLine, serverName } from '../output'

export const MODELS_HELP = `triton-live models --url U [--json]
  The repository, one line per model under a header row: name, version, state, the kind the
  app detected and the preset it applied (sherpa, WeNet, Whisper BLS, Ultralytics, ...). A model
  whose metadata or config cannot be read gets one line with the error; the rest are listed.
  --json prints one JSON object per model instead, with the preset's source and numbers.`

interface Row {
  name: string
  version: string
  state: string
  kind: string
  preset: string
  reason: string
  presetSource?: string
  presetSettings?: Record<string, number | string>
  /** Why this model's metadata or config could not be read; the others are still listed. */
  error?: string
}

const COLUMNS = ['name', 'version', 'state', 'kind', 'preset'] as const

/** The kind and preset the app detected, or the error that stopped it: one broken model spoils no other row. */
function describeRow({ entry: m, details: d, error }: ListedModel): Row {
  const row: Row = {
    name: serverName(m.name) || '-',
    version: serverName(m.version, 32) || '-',
    state: serverName(m.state, 32) || '-',
    kind: '-',
    preset: '-',
    reason: serverName(m.reason, 500),
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
  return row
}

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
    const widths = COLUMNS.slice(0, -1).map((k) =>
      Math.max(k.length, ...rows.map((r) => r[k].length)),
    )
    const line = (cells: string[]): string =>
      cells
        .map((c, i) => (i < widths.length ? c.padEnd(widths[i]) : c))
        .join('  ')
        .trimEnd()
    out(line(COLUMNS.map((c) => c.toUpperCase())))
    for (const r of rows) {
      const last = r.error ? `error: ${r.error}` : `${r.preset}${r.reason ? `  (${r.reason})` : ''}`
      out(line([r.name, r.version, r.state, r.kind, last]))
    }
    return 0
  } finally {
    client.close()
  }
}
