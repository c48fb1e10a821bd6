import { parseArgs } from 'node:util'
import { inspectModel } from '../../main/models/model-facts'
import { TritonClient } from '../../main/triton/triton-client'
import { CONNECTION_FLAGS, connectionFromFlags } from '../connection-flags'
import { jsonLine } from '../output'

export const MODELS_HELP = `triton-live models --url U [--json]
  The repository index: one line per model with its version, state and the kind the app
  detected (streaming-asr, offline-asr, detection/<form> or generic), and "(needs a profile)"
  when it cannot be fed without one. --json prints one object per line.`

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
    const rows = await Promise.all(
      index.map(async (m) => {
        let kind = '-'
        if (m.state === 'READY') {
          const details = await inspectModel(client, m.name, undefined, m.version)
          kind =
            details.kind +
            (details.detectionForm ? `/${details.detectionForm}` : '') +
            (details.profile ? '' : ' (needs a profile)')
        }
        return {
          name: m.name,
          version: m.version || '-',
          state: m.state || '-',
          kind,
          reason: m.reason,
        }
      }),
    )
    if (json || values.json) {
      for (const r of rows) out(jsonLine(r))
      return 0
    }
    const w = (k: 'name' | 'version' | 'state'): number =>
      Math.max(k.length, ...rows.map((r) => r[k].length))
    for (const r of rows) {
      out(
        `${r.name.padEnd(w('name'))}  ${r.version.padEnd(w('version'))}  ${r.state.padEnd(w('state'))}  ${r.kind}${r.reason ? `  (${r.reason})` : ''}`,
      )
    }
    return 0
  } finally {
    client.close()
  }
}
