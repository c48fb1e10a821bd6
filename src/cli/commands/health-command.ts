import { parseArgs } from 'node:util'
import { explainConnectionFailure, worthDiagnosing } from '../../main/doctor/doctor'
import type { ConnectionOptions } from '../../main/triton/connection-options'
import { createTritonApi } from '../../main/triton/create-triton-api'
import { CONNECTION_FLAGS, connectionFromFlags } from '../connection-flags'
import { jsonLine, serverName } from '../output'

export const HEALTH_HELP = `triton-live health --url U [--json]
  Asks the server whether it is live and ready, and prints its name, version, extensions and
  the round trip of the liveness call. A failure below gRPC (a wrong port, TLS, a proxy) is
  explained by the doctor's link checks. Exits 1 when the server is not live and ready.`

/** Servers may list anything as extensions; a screenful of them is no answer. */
const MAX_EXTENSIONS_SHOWN = 100

/** A failure that may lie below gRPC (wrong port, TLS, a proxy) is explained by the doctor's link checks. */
async function explained(e: unknown, options: ConnectionOptions): Promise<unknown> {
  if (!worthDiagnosing(e)) return e
  return (await explainConnectionFailure(options).catch(() => undefined)) ?? e
}

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
  const options = connectionFromFlags(values)
  const client = createTritonApi(options)
  try {
    const started = performance.now()
    const live = await client.serverLive().catch(async (e: unknown) => {
      throw await explained(e, options)
    })
    const roundTripMs = performance.now() - started
    const ready = await client.serverReady()
    const meta = await client.serverMetadata()
    const name = serverName(meta.name, 100)
    const version = serverName(meta.version, 100)
    const extensions = meta.extensions.slice(0, MAX_EXTENSIONS_SHOWN).map((x) => serverName(x, 100))
    const more = meta.extensions.length - extensions.length
    if (json || values.json) {
      out(jsonLine({ url: client.target, live, ready, name, version, extensions, roundTripMs }))
    } else {
      out(
        `${client.target}  live=${live} ready=${ready}  ${name} ${version}  (${roundTripMs.toFixed(1)} ms)`,
      )
      out(`extensions: ${extensions.join(', ')}${more > 0 ? ` … (${more} more)` : ''}`)
    }
    return live && ready ? 0 : 1
  } finally {
    client.close()
  }
}
