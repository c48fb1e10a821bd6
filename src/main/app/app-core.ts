import { join } from 'node:path'
import type { z } from 'zod'
import type {
  BenchProgressEvent,
  FilePickKind,
  InvokeChannel,
  InvokeResults,
  invokeSchemas,
} from '../../shared/ipc-contract'
import { createTransport } from '../transport/create-transport'
import { BenchService } from './bench-service'
import { EndpointService, type EndpointServiceDeps } from './endpoint-service'
import { FileAccessError, FileGrants, USER_FILES_FOLDER } from './file-grants'
import { RequestService } from './request-service'
import type { SecretStore } from './secret-store'
import { SessionService } from './session-service'
import type { MainSessionPort } from './session-port-link'
import type { RequestResponseEvent } from '../../shared/single-request'

export interface AppCoreDeps {
  dataDir: string
  secrets: SecretStore
  /** Where sessions keep their temporary folders; removed when the app quits. */
  workRoot: string
  /** Shows an open dialog; resolves to the chosen path, which the core then grants. */
  pickFile(kind: FilePickKind): Promise<string | undefined>
  /** A URL the renderer may play for a file the user chose. */
  mediaUrlFor(path: string): string
  /** Shows a save dialog; resolves to the chosen path (main's own choice, never the page's). */
  saveFile(defaultName: string): Promise<string | undefined>
  /** Hands the window a MessagePort for a session, with the window's nonce. */
  openSessionPort(sessionId: string, nonce: string): MainSessionPort
  onBenchProgress(event: BenchProgressEvent): void
  /** Each response of a single request (the Request view) as it arrives. */
  onInferResponse?(event: RequestResponseEvent): void
  demoPorts?: EndpointServiceDeps['demoPorts']
}

type Payload<C extends InvokeChannel> = z.output<(typeof invokeSchemas)[C]>
export type AppHandlers = {
  [C in InvokeChannel]: (payload: Payload<C>) => Promise<InvokeResults[C]>
}

/**
 * What the window can ask of the main process: four services (endpoints, sessions, benchmark,
 * single requests) and a thin table from channel to call. The Electron shell and the
 * end-to-end tests' bridge both call the table after validating payloads.
 */
export class AppCore {
  readonly endpoints: EndpointService
  readonly sessions: SessionService
  readonly bench: BenchService
  /** The files the window may name: picked, dropped or kept in this run, or in the data folder. */
  readonly files: FileGrants
  readonly requests: RequestService
  readonly handlers: AppHandlers

  constructor(private readonly deps: AppCoreDeps) {
    // Files the user keeps for the app (labels lists, say) go in `files` under its data folder;
    // the folder itself holds the app's own settings (endpoints, profiles), never granted.
    this.files = new FileGrants([join(deps.dataDir, USER_FILES_FOLDER)])
    this.endpoints = new EndpointService(deps)
    this.sessions = new SessionService({
      endpoints: this.endpoints,
      openPort: deps.openSessionPort,
      mediaUrlFor: deps.mediaUrlFor,
      saveFile: deps.saveFile,
      workRoot: deps.workRoot,
      grantFile: (path) => this.files.grant(path),
    })
    this.bench = new BenchService(deps.onBenchProgress)
    this.requests = new RequestService({
      endpoints: this.endpoints,
      onResponse: (event) => deps.onInferResponse?.(event),
    })
    this.handlers = this.table()
  }

  // Every path the window can name is checked here, before a handler looks at the disk: media
  // and bench files, a profile's labelsFile, an endpoint's TLS files and a request's inputs. Export targets never
  // come from the window: main's save dialog picks them.
  private table(): AppHandlers {
    const { endpoints, sessions, bench, requests, deps, files } = this
    return {
      'endpoints:list': () => endpoints.list(),
      'endpoints:save': async (draft) => {
        const kept = await endpoints.store.savedTlsFiles(draft.id)
        files.require(draft.tls?.caFile, 'caFile', kept?.caFile)
        files.require(draft.tls?.certFile, 'certFile', kept?.certFile)
        files.require(draft.tls?.keyFile, 'keyFile', kept?.keyFile)
        return endpoints.save(draft)
      },
      'endpoints:remove': (id) => endpoints.remove(id),
      'endpoints:health': (id) => endpoints.health(id),
      'endpoints:doctor': (id) => endpoints.doctor(id),
      'models:list': (id) => endpoints.models(id),
      'models:details': ({ endpointId, model }) => endpoints.details(endpointId, model),
      'models:save-profile': async ({ endpointId, model, profile }) => {
        const kept = await endpoints.profiles.get(endpointId, model)
        files.require(profile?.labelsFile, 'labels', kept?.labelsFile)
        return endpoints.saveProfile(endpointId, model, profile)
      },
      'models:load': ({ endpointId, model }) => endpoints.load(endpointId, model),
      'models:unload': ({ endpointId, model }) => endpoints.unload(endpointId, model),
      'session:start': async (req) => {
        files.require(req.filePath, 'media')
        files.require(req.profile?.labelsFile, 'labels')
        return sessions.start(req)
      },
      'session:stop': (id) => sessions.stop(id),
      'session:export': ({ sessionId, format }) => sessions.export(sessionId, format),
      'files:pick': async ({ kind }) => {
        const path = await deps.pickFile(kind)
        if (path) files.grant(path)
        return path
      },
      'files:dropped': async ({ path }) => {
        if (!files.grant(path)) {
          throw new FileAccessError('the dropped file could not be located', 'use "Choose file…"')
        }
      },
      'models:infer': async (req) => {
        for (const input of req.inputs)
          if (input.value.kind === 'file') files.require(input.value.path, 'input')
        return requests.send(req)
      },
      'models:infer-cancel': async ({ requestId }) => requests.cancel(requestId),
      'metrics:poll': (id) => endpoints.pollMetrics(id),
      'metrics:server-stats': ({ endpointId, model }) => endpoints.serverStats(endpointId, model),
      'bench:run': async (req) => {
        files.require(req.filePath, 'media')
        return bench.run(
          req,
          async (endpointId, choice, onNote) => ({
            // Any endpoint: its URL picks gRPC or HTTP; the run's choice of stream, unary or shm
            // overrides what the endpoint was saved with.
            transport: createTransport(await endpoints.client(endpointId), {
              ...(await endpoints.store.transportChoice(endpointId)),
              ...choice,
              sharedMemoryOptions: { onFallback: onNote },
            }),
            metricsUrl: await endpoints.metricsUrl(endpointId),
            // As the CLI's --timeout: the endpoint's answer deadline, else its call timeout.
            deadlineMs:
              (await endpoints.store.answerDeadline(endpointId)) ??
              (await endpoints.store.profile(endpointId)).timeoutMs,
          }),
          (endpointId, model) => endpoints.profiles.get(endpointId, model),
        )
      },
      'bench:cancel': async () => bench.cancel(),
      'bench:export': async ({ format }) => {
        const path = await deps.saveFile(`bench-report.${format}`)
        if (!path) return undefined
        await bench.save(path, format)
        return path
      },
    }
  }

  /** Stops every session and benchmark and closes every client; the app calls this before quitting. */
  async dispose(): Promise<void> {
    this.bench.cancel()
    this.requests.dispose()
    await this.sessions.dispose()
    await this.endpoints.dispose()
  }
}
