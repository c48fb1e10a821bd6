/**
 * Secrets this process sends (tokens, API keys, secret headers), so that no message can repeat
 * one: a server or proxy that echoes the credential it refused ("invalid token abc…") would
 * otherwise put it on the screen, in a log or in a saved report. Every TritonError and every
 * CLI error line passes through `redactSecrets`.
 */
const secrets = new Set<string>()

/** Shorter values would match ordinary words; a real credential is longer. */
const MIN_SECRET_CHARS = 6

export const REDACTED = '[redacted]'

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_CHARS) secrets.add(value)
}

export function redactSecrets(text: string): string {
  let out = text
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED)
  return out
}
