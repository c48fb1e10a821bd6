import { safeLine } from '../../shared/safe-text'
import { redactSecrets } from './secret-redaction'

const DEFAULT_HINT =
  'the model or the server answered with data the app cannot use; this request counts as failed, the session goes on'

/**
 * The server answered, but its output cannot be used: a shape or byte size that does not add
 * up, a value no detector can produce (NaN, a class id of 1e30), an output that is missing.
 * A distinct class so a session's ledger can count it as a decode error, not a server error.
 */
export class DecodeError extends Error {
  /** The output tensor at fault, when one is. */
  readonly tensor: string | undefined
  readonly hint: string
  constructor(message: string, options: { tensor?: string; hint?: string } = {}) {
    super(safeLine(redactSecrets(message), 1000))
    this.name = 'DecodeError'
    this.tensor = options.tensor
    this.hint = safeLine(options.hint ?? DEFAULT_HINT, 1000)
  }

  toUserString(): string {
    return `${this.message} (${this.hint})`
  }
}
