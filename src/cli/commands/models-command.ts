import { parseArgs } from 'node:util'
import { inspectModel } from '../../main/models/model-facts'
import { TritonClient, type ModelIndexEntry } from '../../main/triton/triton-client'
import { describeError } from '../cli-error'
import { CONNECTION_FLAGS, connectionFromFlags } from '../connection-flags'
import { jsonLine, serverName } from '../output'

interface ModelRow {
  name: string
  version: string
  state: string
  kind: string
  reason: string
  /** Why this model's metadata or config could not be read; the others are still listed. */
  error?: string
}

/** The kind the app detected, or the error that stopped it: one broken model spoils no other row. */
async function describeRow(client: TritonClient, m: ModelIndexEntry): Promise<ModelRow> {
  const row: ModelRow = {
    name: serverName(m.name) || '-',
    version: serverName(m.version, 32) || '-',
    state: serverName(m.state, 32) || '-',
    kind: '-',
    reason: serverName(m.reason, 500),
  }
  if (m.state !== 'READY') return row
  try {
    const details = await inspectModel(client, m.name, undefined, m.version)
    row.kind =
      details.kind +
      (details.detectionForm ? `/${details.detectionForm}` : '') +
      (details.profile ? '' : ' (needs a profile)')
  } catch (e) {
    row.error = describeError(e)
  }
  return row
}

/** Metadata and config calls in flight at once: a repository of thousands must not open thousands. */
const INSPECT_CONCURRENCY = 8

async function mapInBatches<T, R>(
  items: readonly T[],
  width: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker))
  return out
}

/** One line per model: name first, then version, state and the kind the app detected. */
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
  const client = new TritonClient(connectionFromFlags(values))
  try {
    const index = await client.repositoryIndex()
    const rows = await mapInBatches(index, INSPECT_CONCURRENCY, (m) => describeRow(client, m))
    if (json || values.json) {
      for (const r of rows) out(jsonLine(r))
      return 0
    }
    const w = (k: 'name' | 'version' | 'state'): number =>
      Math.max(k.length, ...rows.map((r) => r[k].length))
    for (const r of rows) {
      out(
        `${r.name.padEnd(w('name'))}  ${r.version.padEnd(w('version'))}  ${r.state.padEnd(w('state'))}  ` +
          (r.error ? `error: ${r.error}` : `${r.kind}${r.reason ? `  (${r.reason})` : ''}`),
      )
    }
    return 0
  } finally {
    client.close()
  }
}
