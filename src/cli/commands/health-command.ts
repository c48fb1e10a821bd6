import { parseArgs } from 'node:util'
import { createTritonApi } from '../../main/triton/create-triton-api'
import { CONNECTION_FLAGS, connectionFromFlags } from '../connection-flags'

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
  const client = createTritonApi(connectionFromFlags(values))
  try {
    const started = performance.now()
    const live = await client.serverLive()
    const roundTripMs = performance.now() - started
    const ready = await client.serverReady()
    const meta = await client.serverMetadata()
    if (json || values.json) {
      out(
        JSON.stringify({
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
