import { parseArgs } from 'node:util'
import { TritonClient } from '../../main/triton/triton-client'
import { CONNECTION_FLAGS, connectionFromFlags } from '../connection-flags'
import { jsonLine } from '../output'

export const HEALTH_HELP = `triton-live health --url U [--json]
  Asks the server whether it is live and ready, and prints its name, version, extensions and
  the round trip of the liveness call. Exits 1 when the server is not live and ready.`

export async function healthCommand(
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
    const started = performance.now()
    const live = await client.serverLive()
    const roundTripMs = performance.now() - started
    const ready = await client.serverReady()
    const meta = await client.serverMetadata()
    if (json || values.json) {
      out(
        jsonLine({
          url: client.target,
          live,
          ready,
          name: meta.name,
          version: meta.version,
          extensions: meta.extensions,
          roundTripMs,
        }),
      )
    } else {
      out(
        `${client.target}  live=${live} ready=${ready}  ${meta.name} ${meta.version}  (${roundTripMs.toFixed(1)} ms)`,
      )
      out(`extensions: ${meta.extensions.join(', ')}`)
    }
    return live && ready ? 0 : 1
  } finally {
    client.close()
  }
}
