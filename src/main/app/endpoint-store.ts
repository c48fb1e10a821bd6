import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import {
  credentialNameOfHeader,
  plaintextCredentialWarning,
} from '../../shared/credential-exposure'
import { headerNameProblem, headerValueProblem } from '../../shared/header-rules'
import type { EndpointDraft, EndpointProfile } from '../../shared/ipc-contract'
import type { TransportChoice } from '../transport/create-transport'
import type { ConnectionOptions } from '../triton/connection-options'
import { parseEndpoint, type ParsedEndpoint } from '../../shared/endpoint-url'
import { TritonError } from '../triton/triton-error'
import { FileQueue, readJsonFile, writeJsonFile } from './json-file'
import type { SecretStore } from './secret-store'

export const DEMO_ENDPOINT_ID = 'demo'
/** The same built-in demo over KServe v2 HTTP/REST, so HTTP can be tried without a server. */
export const DEMO_HTTP_ENDPOINT_ID = 'demo-http'

/** The built-in demo's addresses once it runs. */
export interface DemoUrls {
  grpc?: string
  http?: string
}

export function isBuiltInDemo(id: string | undefined): boolean {
  return id === DEMO_ENDPOINT_ID || id === DEMO_HTTP_ENDPOINT_ID
}

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

interface StoredEndpoint extends Omit<
  EndpointProfile,
  'hasToken' | 'builtInDemo' | 'credentialWarning'
> {
  /** Token sealed by the SecretStore, base64; never the token itself. */
  sealedToken?: string
}

/**
 * Saved endpoint profiles, in endpoints.json under the app's data folder. The built-in demo
 * endpoint (over gRPC, and over HTTP) is always listed first and cannot be edited or removed.
 */
export class EndpointStore {
  private readonly file: string
  private cache: StoredEndpoint[] | undefined
  private readonly writes = new FileQueue()

  constructor(
    dataDir: string,
    private readonly secrets: SecretStore,
    private readonly demoUrls: () => DemoUrls,
  ) {
    this.file = join(dataDir, 'endpoints.json')
  }

  private async load(): Promise<StoredEndpoint[]> {
    this.cache ??= await readJsonFile<StoredEndpoint[]>(this.file, [])
    return this.cache
  }

  private demoProfiles(): EndpointProfile[] {
    const urls = this.demoUrls()
    return [
      {
        id: DEMO_ENDPOINT_ID,
        name: 'Built-in demo endpoint',
        url: urls.grpc ?? '127.0.0.1 (starts on connect)',
        hasToken: false,
        builtInDemo: true,
      },
      {
        id: DEMO_HTTP_ENDPOINT_ID,
        name: 'Built-in demo endpoint (HTTP)',
        url: urls.http ?? 'http://127.0.0.1 (starts on connect)',
        hasToken: false,
        builtInDemo: true,
      },
    ]
  }

  private toProfile(e: StoredEndpoint): EndpointProfile {
    const { sealedToken, ...rest } = e
    const credentialWarning = plaintextCredentialWarning(
      e.url,
      Boolean(e.tls?.enabled),
      sealedToken ? credentialNameOfHeader(e.authHeader) : undefined,
    )
    return {
      ...rest,
      hasToken: Boolean(sealedToken),
      builtInDemo: false,
      ...(credentialWarning ? { credentialWarning } : {}),
    }
  }

  async list(): Promise<EndpointProfile[]> {
    return [...this.demoProfiles(), ...(await this.load()).map((e) => this.toProfile(e))]
  }

  save(draft: EndpointDraft): Promise<EndpointProfile> {
    return this.writes.run(() => this.write(draft))
  }

  private async write(draft: EndpointDraft): Promise<EndpointProfile> {
    if (isBuiltInDemo(draft.id)) {
      throw new TritonError(
        'invalid-argument',
        'the built-in demo endpoint cannot be edited',
        'add a new endpoint instead',
      )
    }
    const parsed = parseEndpoint(draft.url)
    checkCredentials(draft)
    const all = await this.load()
    const existing = draft.id ? all.find((e) => e.id === draft.id) : undefined
    // A saved token belongs to the server it was typed for: pointing the endpoint at another
    // host, port or scheme drops it unless a token comes with the change, so a page cannot
    // re-aim a stored credential at a server of its choosing.
    const sameServer = existing !== undefined && sameTokenAudience(existing.url, parsed)
    let sealedToken = sameServer ? existing?.sealedToken : undefined
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
      answerDeadlineMs: draft.answerDeadlineMs,
      metricsUrl: draft.metricsUrl,
      authority: draft.authority || undefined,
      transport: draft.transport,
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

  remove(id: string): Promise<void> {
    return this.writes.run(async () => {
      const next = (await this.load()).filter((e) => e.id !== id)
      await writeJsonFile(this.file, next)
      this.cache = next
    })
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

  /** How the endpoint's requests travel (the built-in demo: the defaults). */
  async transportChoice(id: string): Promise<TransportChoice> {
    if (isBuiltInDemo(id)) return {}
    const stored = (await this.load()).find((e) => e.id === id)
    return {
      ...(stored?.transport?.mode ? { mode: stored.transport.mode } : {}),
      ...(stored?.transport?.sharedMemory ? { sharedMemory: stored.transport.sharedMemory } : {}),
    }
  }

  /** The endpoint's answer deadline for streamed requests, when it sets one. */
  async answerDeadline(id: string): Promise<number | undefined> {
    if (isBuiltInDemo(id)) return undefined
    return (await this.load()).find((e) => e.id === id)?.answerDeadlineMs
  }

  /** Connection options with the token unsealed; only main-process code ever sees them. */
  async connectionOptions(id: string, url: string): Promise<ConnectionOptions> {
    if (isBuiltInDemo(id)) return { url }
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
            serverName: stored.tls.serverName || undefined,
          }
        : undefined,
      timeoutMs: stored.timeoutMs,
      authority: stored.authority,
      ...auth,
    }
  }
}

/** Same host, port, TLS and protocol: the server a saved token was meant for. */
function sameTokenAudience(savedUrl: string, next: ParsedEndpoint): boolean {
  const saved = parseEndpoint(savedUrl)
  return (
    saved.target === next.target &&
    saved.tls === next.tls &&
    saved.protocol === next.protocol &&
    saved.basePath === next.basePath
  )
}
