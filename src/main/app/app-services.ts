import { randomUUID } from 'node:crypto'
import { stat } from 'node:fs/promises'
import type {
  EndpointHealth,
  InvokeChannel,
  InvokeResults,
  ModelDetails,
  SessionEvent,
  SessionPlan,
  SessionStartRequest,
  ExportFormat,
  invokeSchemas,
} from '../../shared/ipc-contract'
import type { z } from 'zod'
import { startDemoEndpoint, type DemoEndpoint } from '../demo-endpoint/demo-server'
import { MediaError } from '../media/media-error'
import { probeMedia } from '../media/media-probe'
import { inspectModel } from '../models/model-facts'
import { MetricsPoller } from './metrics-poller'
import { BenchService } from './bench-service'
import { exportSession } from '../exports/session-exporter'
import { resolveModel } from '../sessions/model-plan'
import { TritonClient } from '../triton/triton-client'
import { TritonError } from '../triton/triton-error'
import { DEMO_ENDPOINT_ID, EndpointStore } from './endpoint-store'
import { LiveSession } from './live-session'
import { ProfileStore } from './profile-store'
import type { SecretStore } from './secret-store'

export interface AppServicesDeps {
  dataDir: string
  secrets: SecretStore
  /** Shows an open dialog; resolves to the chosen path. */
  pickFile(kind: 'media' | 'pem' | 'json'): Promise<string | undefined>
  /** A URL the renderer may play for a file the user chose. */
  mediaUrlFor(path: string): string
  /** Shows a save dialog; resolves to the chosen path. */
  saveFile(defaultName: string): Promise<string | undefined>
  emit(event: SessionEvent): void
  demoPorts?: { port?: number; metricsPort?: number | null }
}

type Payload<C extends InvokeChannel> = z.output<(typeof invokeSchemas)[C]>
export type AppHandlers = {
  [C in InvokeChannel]: (payload: Payload<C>) => Promise<InvokeResults[C]>
}

const MAX_FINISHED_SESSIONS = 10
const MODEL_LOAD_TIMEOUT_MS = 10 * 60_000

/**
 * Everything the window can ask of the main process, as plain functions over the core. The
 * Electron shell and the end-to-end tests' bridge both call these after validating payloads.
 */
export class AppServices {
  readonly endpoints: EndpointStore
  private readonly profiles: ProfileStore
  private readonly clients = new Map<string, Promise<TritonClient>>()
  private readonly sessions = new Map<string, LiveSession>()
  /** Stopped sessions, newest last, kept so their results can still be exported. */
  private readonly finished = new Map<string, LiveSession>()
  private readonly bench = new BenchService((e) => this.deps.emit(e))
  private readonly metrics = new MetricsPoller()
  private demo: DemoEndpoint | undefined
  private demoStarting: Promise<DemoEndpoint> | undefined

  constructor(private readonly deps: AppServicesDeps) {
    this.endpoints = new EndpointStore(deps.dataDir, deps.secrets, () => this.demo?.url)
    this.profiles = new ProfileStore(deps.dataDir)
  }

  private async demoEndpoint(): Promise<DemoEndpoint> {
    if (this.demo) return this.demo
    this.demoStarting ??= startDemoEndpoint({
      port: this.deps.demoPorts?.port ?? 0,
      metricsPort:
        this.deps.demoPorts?.metricsPort === undefined ? 0 : this.deps.demoPorts.metricsPort,
    })
    this.demo = await this.demoStarting
    return this.demo
  }

  /** One client per endpoint, made on first use; the demo endpoint is started on demand. */
  async client(endpointId: string): Promise<TritonClient> {
    // Cache the promise, not the client, so two first calls share one connection.
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

  private async connect(endpointId: string): Promise<TritonClient> {
    const profile = await this.endpoints.profile(endpointId)
    const url = profile.builtInDemo ? (await this.demoEndpoint()).url : profile.url
    return new TritonClient(await this.endpoints.connectionOptions(endpointId, url))
  }

  private dropClient(endpointId: string): void {
    this.clients.get(endpointId)?.then(
      (c) => c.close(),
      () => undefined,
    )
    this.clients.delete(endpointId)
  }

  private async health(endpointId: string): Promise<EndpointHealth> {
    const client = await this.client(endpointId)
    const started = performance.now()
    const live = await client.serverLive({ timeoutMs: 5000 })
    const roundTripMs = performance.now() - started
    const ready = await client.serverReady({ timeoutMs: 5000 })
    const meta = await client.serverMetadata({ timeoutMs: 5000 })
    return {
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

  private async details(endpointId: string, model: string): Promise<ModelDetails> {
    return inspectModel(
      await this.client(endpointId),
      model,
      await this.profiles.get(endpointId, model),
    )
  }

  private async startSession(req: SessionStartRequest): Promise<SessionPlan> {
    const client = await this.client(req.endpointId)
    const saved = req.profile ?? (await this.profiles.get(req.endpointId, req.model))
    const { profile } = await resolveModel(client, req.model, saved)
    const sessionId = randomUUID()
    const plan: SessionPlan = {
      sessionId,
      model: req.model,
      kind: profile.kind,
      labels: profile.labels,
    }
    const audioModel = profile.kind === 'streaming-asr' || profile.kind === 'offline-asr'
    if (audioModel) {
      if (!profile.audio)
        throw new TritonError(
          'invalid-argument',
          `profile for '${req.model}' has no audio settings`,
          'edit the model profile',
        )
      const chunkSamples = req.chunkMs
        ? Math.round((req.chunkMs / 1000) * profile.audio.sampleRate)
        : profile.audio.chunkSamples
      profile.audio = { ...profile.audio, chunkSamples }
      plan.audio = { sampleRate: profile.audio.sampleRate, chunkSamples }
    } else if (profile.kind === 'detection' && profile.vision) {
      plan.vision = { width: profile.vision.width, height: profile.vision.height }
    } else {
      throw new TritonError(
        'invalid-argument',
        `'${req.model}' is a ${profile.kind} model; live sessions need an ASR or detection model`,
        'pick another model or save a profile that says what the model is',
      )
    }
    if (req.source === 'microphone' && !audioModel) {
      throw new TritonError(
        'invalid-argument',
        `'${req.model}' takes images, not audio`,
        'use the camera or a video file with this model',
      )
    }
    if (req.source === 'camera' && audioModel) {
      throw new TritonError(
        'invalid-argument',
        `'${req.model}' takes audio, not images`,
        'use the microphone or an audio file with this model',
      )
    }
    if (req.source === 'file') {
      const path = req.filePath
      if (!path)
        throw new TritonError(
          'invalid-argument',
          'no file chosen',
          'open a file or drop one on the window',
        )
      const info = await stat(path).catch(() => undefined)
      if (!info?.isFile())
        throw new MediaError(
          'not-found',
          `cannot open '${path}': no such file`,
          'choose the file again',
        )
      const media = await probeMedia(path)
      if (audioModel && !media.audio)
        throw new MediaError(
          'no-audio',
          `'${path}' has no audio track`,
          'choose a file with sound for a speech model',
        )
      if (!audioModel && !media.video)
        throw new MediaError(
          'no-video',
          `'${path}' has no video track`,
          'choose a video file for a detection model',
        )
      plan.mediaUrl = this.deps.mediaUrlFor(path)
      plan.mediaKind = media.video ? 'video' : 'audio'
    }
    const session = new LiveSession(req, client, profile, plan, (e) => {
      this.deps.emit(e)
      if (e.kind === 'status' && (e.state === 'stopped' || e.state === 'failed'))
        this.retire(e.sessionId)
    })
    this.sessions.set(sessionId, session)
    session.start()
    return plan
  }

  private retire(sessionId: string): void {
    const session = this.sessions.get(sessionId)
    if (!session) return
    this.sessions.delete(sessionId)
    this.finished.set(sessionId, session)
    while (this.finished.size > MAX_FINISHED_SESSIONS) {
      this.finished.delete(this.finished.keys().next().value as string)
    }
  }

  private async exportSession(
    sessionId: string,
    format: ExportFormat,
  ): Promise<string | undefined> {
    const session = this.sessions.get(sessionId) ?? this.finished.get(sessionId)
    if (!session) {
      throw new TritonError(
        'not-found',
        'that session is no longer available to export',
        'run the session again',
      )
    }
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')
    const path = await this.deps.saveFile(`${session.plan.model}-${stamp}.${format}`)
    if (!path) return undefined
    await exportSession(path, session.collected())
    return path
  }

  pushAudio(sessionId: string, samples: Float32Array, capturedAtMs: number): void {
    this.sessions.get(sessionId)?.pushAudio(samples, capturedAtMs)
  }

  pushFrame(msg: {
    sessionId: string
    rgb: Uint8Array
    width: number
    height: number
    sourceWidth: number
    sourceHeight: number
    capturedAtMs: number
  }): void {
    this.sessions
      .get(msg.sessionId)
      ?.pushFrame(
        msg.rgb,
        msg.width,
        msg.height,
        msg.sourceWidth,
        msg.sourceHeight,
        msg.capturedAtMs,
      )
  }

  readonly handlers: AppHandlers = {
    'endpoints:list': () => this.endpoints.list(),
    'endpoints:save': async (draft) => {
      const saved = await this.endpoints.save(draft)
      this.dropClient(saved.id)
      return saved
    },
    'endpoints:remove': async (id) => {
      this.dropClient(id)
      await this.endpoints.remove(id)
    },
    'endpoints:health': (id) => this.health(id),
    'models:list': async (id) => {
      const index = await (await this.client(id)).repositoryIndex()
      return index.map((m) => ({
        name: m.name,
        version: m.version,
        state: m.state,
        reason: m.reason,
      }))
    },
    'models:details': ({ endpointId, model }) => this.details(endpointId, model),
    'models:save-profile': async ({ endpointId, model, profile }) => {
      await this.profiles.set(endpointId, model, profile)
      return this.details(endpointId, model)
    },
    // Loading blocks until the model is up; a large engine takes minutes, not the unary deadline.
    'models:load': async ({ endpointId, model }) =>
      (await this.client(endpointId)).loadModel(model, { timeoutMs: MODEL_LOAD_TIMEOUT_MS }),
    'models:unload': async ({ endpointId, model }) =>
      (await this.client(endpointId)).unloadModel(model, { timeoutMs: MODEL_LOAD_TIMEOUT_MS }),
    'session:start': (req) => this.startSession(req),
    'session:stop': async (id) => {
      const session = this.sessions.get(id)
      if (!session) return undefined
      const summary = await session.stop()
      this.retire(id)
      return summary
    },
    'files:pick': ({ kind }) => this.deps.pickFile(kind),
    'metrics:poll': async (id) => {
      const profile = await this.endpoints.profile(id)
      const url = profile.builtInDemo ? (await this.demoEndpoint()).metricsUrl : profile.metricsUrl
      return this.metrics.poll(id, url || (await this.client(id)).connection.endpoint.target)
    },
    'metrics:server-stats': async ({ endpointId, model }) =>
      this.metrics.serverStats(endpointId, model, await this.client(endpointId)),
    'bench:run': async (req) => {
      const target = async (endpointId: string) => {
        const profile = await this.endpoints.profile(endpointId)
        return {
          client: await this.client(endpointId),
          metricsUrl: profile.builtInDemo ? this.demo?.metricsUrl : profile.metricsUrl,
          profile: undefined,
        }
      }
      return this.bench.run(req, target, (endpointId, model) =>
        this.profiles.get(endpointId, model),
      )
    },
    'bench:cancel': async () => this.bench.cancel(),
    'bench:export': async ({ format }) => {
      const path = await this.deps.saveFile(`bench-report.${format}`)
      if (!path) return undefined
      await this.bench.save(path, format)
      return path
    },
    'session:export': ({ sessionId, format }) => this.exportSession(sessionId, format),
  }

  /** Stops every session and closes every client; the app calls this before quitting. */
  async dispose(): Promise<void> {
    this.bench.cancel()
    await Promise.all([...this.sessions.values()].map((s) => s.stop().catch(() => undefined)))
    this.sessions.clear()
    for (const id of [...this.clients.keys()]) this.dropClient(id)
    await this.demo?.close()
    this.demo = undefined
  }
}

export { DEMO_ENDPOINT_ID }
