import { parseEndpoint } from './endpoint-url'

/**
 * Whether a credential would travel in the clear to another machine: one owner for the CLI's
 * warning and the app's (endpoint form, saved endpoints, health), so both say the same thing.
 */

/** What a user calls the credential an endpoint sends, for messages that must not repeat it. */
export type CredentialName = 'the token' | 'the API key' | 'a credential header'

/** Header names whose values are credentials, whatever the deployment calls them. */
export function isSecretHeader(name: string): boolean {
  return /auth|token|key|secret|password|cookie|session|credential/i.test(name)
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

/** The credential a set of connection options sends, by name; undefined when none. */
export function credentialName(o: {
  bearerToken?: string
  apiKey?: string
  headers?: Record<string, string>
}): CredentialName | undefined {
  if (o.bearerToken) return 'the token'
  if (o.apiKey) return 'the API key'
  if (Object.keys(o.headers ?? {}).some(isSecretHeader)) return 'a credential header'
  return undefined
}

/** The name of the credential the app's endpoint sends, from the header that carries it. */
export function credentialNameOfHeader(header: string | undefined): CredentialName {
  const h = (header ?? '').trim().toLowerCase()
  if (h === '' || h === 'authorization') return 'the token'
  return h === 'x-api-key' ? 'the API key' : 'a credential header'
}

/**
 * A warning when `credential` is about to travel without TLS to a host that is not loopback,
 * where anyone on the network path can read it; undefined when TLS is on (by the scheme or
 * `tls`), the host is loopback, no credential is sent, or the URL does not parse (its own
 * error says so).
 */
export function plaintextCredentialWarning(
  url: string,
  tls: boolean,
  credential: CredentialName | undefined,
): string | undefined {
  if (!credential || tls) return undefined
  let endpoint
  try {
    endpoint = parseEndpoint(url)
  } catch {
    return undefined
  }
  if (endpoint.tls || isLoopbackHost(endpoint.host)) return undefined
  const secure = endpoint.protocol === 'http' ? 'https://' : 'grpcs://'
  return `${credential} is sent without TLS to ${endpoint.target}, where anyone on the network path can read it; use ${secure} for a remote server`
}
