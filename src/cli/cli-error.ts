/** A failure the CLI reports as one line and a non-zero exit, never a stack trace. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CliUsageError'
  }
}
