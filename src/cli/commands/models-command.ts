import { parseArgs } from 'node:util'
import { inspectModel } from '../../main/models/model-facts'
import { createTritonApi } from '../../main/triton/create-triton-api'
import type { TritonApi } from '../../main/triton/triton-api'
import { TritonError } from '../../main/triton/triton-error'
import { CONNECTION_FLAGS, connectionFromFlags } from '../connection-flags'

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
  error?: string
}

const COLUMNS = ['name', 'version', 'state', 'kind', 'preset'] as const

async function describeRow(
  client: TritonApi,
  m: { name: string; version: string; state: string; reason: string },
): Promise<Row> {
  const row: Row = {
    name: m.name,
    version: m.version || '-',
    state: m.state || '-',
    kind: '-',
    preset: '-',
    reason: m.reason,
  }
  if (m.state !== 'READY') return row
  try {
    const d = await inspectModel(client, m.name, undefined, m.version)
    row.kind =
      d.kind +
      (d.detectionForm ? `/${d.detectionForm}` : '') +
      (d.profile ? '' : ' (needs a profile)')
    row.preset = d.preset?.summary ?? '-'
    row.presetSource = d.preset?.source
    row.presetSettings = d.preset?.settings
  } catch (e) {
    // One unreadable model must not hide the others.
    row.error =
      e instanceof TritonError ? e.toUserString() : e instanceof Error ? e.message : String(e)
    row.kind = 'error'
  }
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
    const rows = await Promise.all(index.map((m) => describeRow(client, m)))
    if (json || values.json) {
      for (const r of rows) out(JSON.stringify(r))
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
      const last = r.error ? r.error : `${r.preset}${r.reason ? `  (${r.reason})` : ''}`
      out(line([r.name, r.version, r.state, r.kind, last]))
    }
    return 0
  } finally {
    client.close()
  }
}
