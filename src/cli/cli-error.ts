import { MediaError } from '../main/media/media-error'
import { DecodeError } from '../main/triton/decode-error'
import { EndpointError } from '../shared/endpoint-url'
import { redactSecrets } from '../main/triton/secret-redaction'
import { TritonError } from '../main/triton/triton-error'
import { safeLine } from '../shared/safe-text'

/** A failure the CLI reports as one line and a non-zero exit, never a stack trace. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CliUsageError'
  }
}

/** One line that names the cause and what to do; no control characters, no secrets. */
export function describeError(e: unknown, help = 'triton-live --help'): string {
  return safeLine(redactSecrets(errorText(e, help)), 1500)
}

function errorText(e: unknown, help: string): string {
  if (e instanceof TritonError || e instanceof DecodeError) return e.toUserString()
  if (e instanceof EndpointError || e instanceof MediaError) return `${e.message} (${e.hint})`
  if (e instanceof CliUsageError) return `${e.message} (see ${help})`
  if (
    e instanceof Error &&
    'code' in e &&
    (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  ) {
    return `${e.message} (see ${help})`
  }
  return e instanceof Error ? e.message : String(e)
}
