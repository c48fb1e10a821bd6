import type {
  DoctorReport,
  EndpointDraft,
  EndpointHealth,
  EndpointProfile,
  MetricsPoll,
  ModelDetails,
  ModelSummary,
  ServerTimeSplit,
} from '../../shared/ipc-contract'
import type { ModelProfile } from '../../shared/model-profile'
import { startDemoEndpoint, type DemoEndpoint } from '../demo-endpoint/demo-server'
import { explainConnectionFailure, runDoctor, worthDiagnosing } from '../doctor/doctor'
import { inspectModel } from '../models/model-facts'
import { inspectRepository } from '../models/model-listing'
import { safeLine } from '../../shared/safe-text'
import { assertProfileUsable } from '../sessions/model-plan'
import type { ConnectionOptions } from '../triton/connection-options'
import { createTritonApi } from '../triton/create-triton-api'
import type { TritonApi } from '../triton/triton-api'
import { TritonError } from '../triton/triton-error'
import { DEMO_HTTP_ENDPOINT_ID, EndpointStore } from './endpoint-store'
import { MetricsPoller } from './metrics-poller'
import { ProfileStore } from './profile-store'
import type { SecretStore } from './secret-store'
import { toUserError } from './user-error'

export interface EndpointServiceDeps {
  dataDir: string
  secrets: SecretStore
  /** The built-in demo's ports: 0 picks a free one, null turns the service off. */
  demoPorts?: { port?: number; metricsPort?: number | null; httpPort?: number | null }
}

const MODEL_LOAD_TIMEOUT_MS = 10 * 60_000

/**
 * The endpoints the user knows and what they serve: saved endpoints and model profiles, one
 * client per endpoint (the built-in demo endpoint started on demand), health, the model
 * repository and the metrics page.
 */
export class EndpointService {
  readonly store: EndpointStore
  readonly profiles: ProfileStore
  private readonly clients = new Map<string, Promise<TritonApi>>()
  private readonly metrics = new MetricsPoller()
  private demo: DemoEndpoint | undefined
  private demoStarting: Promise<DemoEndpoint> | undefined

  constructor(private readonly deps: EndpointServiceDeps) {
    this.store = new EndpointStore(deps.dataDir, deps.secrets, () => ({
      grpc: this.demo?.url,
      http: this.demo?.httpUrl,
    }))
    this.profiles = new ProfileStore(deps.dataDir)
  }

  private async demoEndpoint(): Promise<DemoEndpoint> {
    if (this.demo) return this.demo
    this.demoStarting ??= startDemoEndpoint({
      port: this.deps.demoPorts?.port ?? 0,
      metricsPort:
        this.deps.demoPorts?.metricsPort === undefined ? 0 : this.deps.demoPorts.metricsPort,
      httpPort: this.deps.demoPorts?.httpPort === undefined ? 0 : this.deps.demoPorts.httpPort,
    })
    this.demo = await this.demoStarting
    return this.demo
  }

  /** One client per endpoint, made on first use; two first calls share one connection. */
  client(endpointId: string): Promise<TritonApi> {
    let pending = this.clients.get(endpointId)
    if (!pending) {
      pending = this.connect(endpointId)
      this.clients.set(endpointId, pending)
      pending.catch(() => {
        if (this.clients.get(endpointId) === pending) this.clients.delete(endpointId)
      })
    }
    return pending
  }

  private async connect(endpointId: string): Promise<TritonApi> {
    return createTritonApi(await this.options(endpointId))
  }

  private dropClient(endpointId: string): void {
    this.clients.get(endpointId)?.then(
      (c) => c.close(),
      () => undefined,
    )
    this.clients.delete(endpointId)
  }

  list(): Promise<EndpointProfile[]> {
    return this.store.list()
  }

  async save(draft: EndpointDraft): Promise<EndpointProfile> {
    const saved = await this.store.save(draft)
    this.dropClient(saved.id)
    return saved
  }

  async remove(endpointId: string): Promise<void> {
    this.dropClient(endpointId)
    await this.store.remove(endpointId)
  }

  /** The dialled URL and connection options of an endpoint (the demo's own, when built in). */
  private async options(endpointId: string): Promise<ConnectionOptions> {
    const profile = await this.store.profile(endpointId)
    return this.store.connectionOptions(endpointId, await this.urlOf(profile))
  }

  /** The URL an endpoint is dialled at: the demo's own once started, when built in. */
  private async urlOf(profile: EndpointProfile): Promise<string> {
    if (!profile.builtInDemo) return profile.url
    const demo = await this.demoEndpoint()
    if (profile.id !== DEMO_HTTP_ENDPOINT_ID) return demo.url
    if (!demo.httpUrl) {
      throw new TritonError(
        'unsupported',
        'the built-in demo endpoint serves no HTTP here',
        'use the built-in demo endpoint over gRPC',
      )
    }
    return demo.httpUrl
  }

  async doctor(endpointId: string): Promise<DoctorReport> {
    return runDoctor(await this.options(endpointId), {
      metricsUrl: await this.metricsUrl(endpointId),
    })
  }

  async health(endpointId: string): Promise<EndpointHealth> {
    const client = await this.client(endpointId)
    const started = performance.now()
    // A failure below gRPC (wrong port, TLS, a proxy) is explained by the doctor's link checks.
    const live = await client.serverLive({ timeoutMs: 5000 }).catch(async (e: unknown) => {
      if (!worthDiagnosing(e)) throw e
      const options = await this.options(endpointId)
      throw (await explainConnectionFailure(options).catch(() => undefined)) ?? e
    })
    const roundTripMs = performance.now() - started
    const ready = await client.serverReady({ timeoutMs: 5000 })
    const meta = await client.serverMetadata({ timeoutMs: 5000 })
    const warning = (await this.store.profile(endpointId)).credentialWarning
    return {
      ...(warning ? { warning } : {}),
      endpointId,
      live,
      ready,
      serverName: meta.name,
      serverVersion: meta.version,
      extensions: meta.extensions,
      checkedAtMs: Date.now(),
      roundTripMs,
    }
  }

  async models(endpointId: string): Promise<ModelSummary[]> {
    const client = await this.client(endpointId)
    const listed = await inspectRepository(client, await client.repositoryIndex())
    return listed.map(({ entry: m, details, error }) => {
      const summary: ModelSummary = {
        name: m.name,
        version: m.version,
        state: m.state,
        reason: m.reason,
      }
      if (details?.description) summary.description = details.description
      if (error !== undefined) {
        const e = toUserError(error)
        summary.error = { ...e, message: safeLine(e.message), hint: safeLine(e.hint) }
      }
      return summary
    })
  }

  async details(endpointId: string, model: string): Promise<ModelDetails> {
    return inspectModel(
      await this.client(endpointId),
      model,
      await this.profiles.get(endpointId, model),
    )
  }

  async saveProfile(
    endpointId: string,
    model: string,
    profile: ModelProfile | null,
  ): Promise<ModelDetails> {
    // Refused here, naming the field, rather than saved and then never producing a request.
    if (profile) assertProfileUsable(profile, 'save')
    await this.profiles.set(endpointId, model, profile)
    return this.details(endpointId, model)
  }

  // Loading blocks until the model is up; a large engine takes minutes, not the unary deadline.
  async load(endpointId: string, model: string): Promise<void> {
    await (await this.client(endpointId)).loadModel(model, { timeoutMs: MODEL_LOAD_TIMEOUT_MS })
  }

  async unload(endpointId: string, model: string): Promise<void> {
    await (await this.client(endpointId)).unloadModel(model, { timeoutMs: MODEL_LOAD_TIMEOUT_MS })
  }

  /** The metrics page of an endpoint: its saved URL, the demo's, or the gRPC host's :8002. */
  async metricsUrl(endpointId: string): Promise<string | undefined> {
    const profile = await this.store.profile(endpointId)
    return profile.builtInDemo ? (await this.demoEndpoint()).metricsUrl : profile.metricsUrl
  }

  async pollMetrics(endpointId: string): Promise<MetricsPoll> {
    const url = await this.metricsUrl(endpointId)
    return this.metrics.poll(endpointId, url || (await this.client(endpointId)).target)
  }

  async serverStats(endpointId: string, model: string): Promise<ServerTimeSplit | null> {
    return this.metrics.serverStats(endpointId, model, await this.client(endpointId))
  }

  async dispose(): Promise<void> {
    for (const id of [...this.clients.keys()]) this.dropClient(id)
    await this.demo?.close()
    this.demo = undefined
    this.demoStarting = undefined
  }
}
