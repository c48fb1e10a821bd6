import type { UserError } from '../../shared/ipc-contract'
import { safeLine } from '../../shared/safe-text'
import { MediaError } from '../media/media-error'
import { DecodeError } from '../triton/decode-error'
import { EndpointError } from '../../shared/endpoint-url'
import { redactSecrets } from '../triton/secret-redaction'
import { TritonError } from '../triton/triton-error'
import { FileAccessError } from './file-grants'

/** Any failure as the renderer shows it: what went wrong, and what to do. */
export function toUserError(e: unknown): UserError {
  if (e instanceof TritonError) return { message: e.message, hint: e.hint, kind: e.kind }
  if (e instanceof MediaError) return { message: e.message, hint: e.hint, kind: `media-${e.code}` }
  if (e instanceof EndpointError) return { message: e.message, hint: e.hint, kind: 'endpoint' }
  if (e instanceof FileAccessError) return { message: e.message, hint: e.hint, kind: 'forbidden' }
  if (e instanceof DecodeError) return { message: e.message, hint: e.hint, kind: 'decode' }
  // Anything else may carry text from a library or a server: one clean line, no secrets.
  const message = safeLine(redactSecrets(e instanceof Error ? e.message : String(e)))
  return { message, hint: '', kind: 'internal' }
}
