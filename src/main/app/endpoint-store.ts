import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { headerNameProblem, headerValueProblem } from '../../shared/header-rules'
import type { EndpointDraft, EndpointProfile } from '../../shared/ipc-contract'
import type { ConnectionOptions } from '../triton/connection-options'
import { parseEndpoint } from '../triton/endpoint'
import { TritonError } from '../triton/triton-error'
import { readJsonFile, writeJsonFile } from './json-file'
import type { SecretStore } from './secret-store'

export const DEMO_ENDPOINT_ID = 'demo'

/**
 * The token and its header follow HTTP's rules where they are entered: a token with a line
 * break could add a header of its own choosing. The message never repeats the token.
 */
function checkCredentials(draft: EndpointDraft): void {
  const header = draft.authHeader?.trim()
  const problem =
    (header ? headerNameProblem(header) : undefined) ??
    (draft.token ? headerValueProblem(draft.token, 'the token') : undefined)
  if (problem) {
    throw new TritonError('invalid-argument', problem, 'fix it and save the endpoint again')
  }
}

interface StoredEndpoint extends Omit<EndpointProfile, 'hasToken' | 'builtInDemo'> {
  /** Token sealed by the SecretStore, base64; never the token itself. */
  sealedToken?: string
}

/**
 * Saved endpoint profiles, in endpoints.json under the app's data folder. The built-in demo
 * endpoint is always listed first and cannot be edited or removed.
 */
export class EndpointStore {
  private readonly file: string
  private cache: StoredEndpoint[] | undefined

  constructor(
    dataDir: string,
    private readonly secrets: SecretStore,
    private readonly demoUrl: () => string | undefined,
  ) {
    this.file = join(dataDir, 'endpoints.json')
  }

  private async load(): Promise<StoredEndpoint[]> {
    this.cache ??= await readJsonFile<StoredEndpoint[]>(this.file, [])
    return this.cache
  }

  private demoProfile(): EndpointProfile {
    return {
      id: DEMO_ENDPOINT_ID,
      name: 'Built-in demo endpoint',
      url: this.demoUrl() ?? '127.0.0.1 (starts on connect)',
      hasToken: false,
      builtInDemo: true,
    }
  }

  private toProfile(e: StoredEndpoint): EndpointProfile {
    const { sealedToken, ...rest } = e
    return { ...rest, hasToken: Boolean(sealedToken), builtInDemo: false }
  }

  async list(): Promise<EndpointProfile[]> {
    return [this.demoProfile(), ...(await this.load()).map((e) => this.toProfile(e))]
  }

  async save(draft: EndpointDraft): Promise<EndpointProfile> {
    if (draft.id === DEMO_ENDPOINT_ID) {
      throw new TritonError(
        'invalid-argument',
        'the built-in demo endpoint cannot be edited',
        'add a new endpoint instead',
      )
    }
    parseEndpoint(draft.url)
    checkCredentials(draft)
    const all = await this.load()
    const existing = draft.id ? all.find((e) => e.id === draft.id) : undefined
    let sealedToken = existing?.sealedToken
    if (draft.token !== undefined) {
      if (draft.token === '') sealedToken = undefined
      else if (!this.secrets.isAvailable()) {
        throw new TritonError(
          'auth',
          'the OS keychain is not available, so the token was not saved',
          'unlock or set up the system keychain (on Linux: a Secret Service such as GNOME Keyring), then save again',
        )
      } else sealedToken = this.secrets.encrypt(draft.token).toString('base64')
    }
    const record: StoredEndpoint = {
      id: existing?.id ?? randomUUID(),
      name: draft.name,
      url: draft.url,
      tls: draft.tls,
      authHeader: draft.authHeader,
      timeoutMs: draft.timeoutMs,
      metricsUrl: draft.metricsUrl,
      authority: draft.authority || undefined,
      sealedToken,
    }
    const next = existing ? all.map((e) => (e.id === record.id ? record : e)) : [...all, record]
    await writeJsonFile(this.file, next)
    this.cache = next
    return this.toProfile(record)
  }

  /** The TLS file paths an endpoint already holds (checked when they were first saved). */
  async savedTlsFiles(id: string | undefined): Promise<EndpointDraft['tls'] | undefined> {
    if (!id) return undefined
    return (await this.load()).find((e) => e.id === id)?.tls
  }

  async remove(id: string): Promise<void> {
    const all = await this.load()
    const next = all.filter((e) => e.id !== id)
    await writeJsonFile(this.file, next)
    this.cache = next
  }

  async profile(id: string): Promise<EndpointProfile> {
    const found = (await this.list()).find((e) => e.id === id)
    if (!found)
      throw new TritonError(
        'not-found',
        `no saved endpoint with id '${id}'`,
        'pick an endpoint from the list',
      )
    return found
  }

  /** Connection options with the token unsealed; only main-process code ever sees them. */
  async connectionOptions(id: string, url: string): Promise<ConnectionOptions> {
    if (id === DEMO_ENDPOINT_ID) return { url }
    const stored = (await this.load()).find((e) => e.id === id)
    if (!stored)
      throw new TritonError(
        'not-found',
        `no saved endpoint with id '${id}'`,
        'pick an endpoint from the list',
      )
    const token = stored.sealedToken
      ? this.secrets.decrypt(Buffer.from(stored.sealedToken, 'base64'))
      : undefined
    const header = (stored.authHeader ?? 'authorization').trim().toLowerCase()
    const auth =
      token === undefined
        ? {}
        : header === 'authorization'
          ? { bearerToken: token }
          : header === 'x-api-key'
            ? { apiKey: token }
            : { headers: { [header]: token } }
    return {
      url,
      tls: stored.tls?.enabled
        ? {
            caFile: stored.tls.caFile || undefined,
            certFile: stored.tls.certFile || undefined,
            keyFile: stored.tls.keyFile || undefined,
            insecureSkipVerify: stored.tls.insecureSkipVerify,
          }
        : undefined,
      timeoutMs: stored.timeoutMs,
      authority: stored.authority,
      ...auth,
    }
  }
}
