import type { z } from 'zod'
import type {
  BenchProgressEvent,
  FilePickKind,
  InvokeChannel,
  InvokeResults,
  invokeSchemas,
} from '../../shared/ipc-contract'
import { TritonClient } from '../triton/triton-client'
import type { TritonApi } from '../triton/triton-api'
import { TritonError } from '../triton/triton-error'
import { BenchService } from './bench-service'
import { EndpointService } from './endpoint-service'
import { FileGrants } from './file-grants'
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
  /** Shows an open dialog; resolves to the chosen path. */
  pickFile(kind: FilePickKind): Promise<string | undefined>
  /** A URL the renderer may play for a file the user chose. */
  mediaUrlFor(path: string): string
  /** Shows a save dialog; resolves to the chosen path. */
  saveFile(defaultName: string): Promise<string | undefined>
  /** Hands the window a MessagePort for a session, with the window's nonce. */
  openSessionPort(sessionId: string, nonce: string): MainSessionPort
  onBenchProgress(event: BenchProgressEvent): void
  /** Each response of a single request (the Request view) as it arrives. */
  onInferResponse?(event: RequestResponseEvent): void
  demoPorts?: { port?: number; metricsPort?: number | null }
}

type Payload<C extends InvokeChannel> = z.output<(typeof invokeSchemas)[C]>
export type AppHandlers = {
  [C in InvokeChannel]: (payload: Payload<C>) => Promise<InvokeResults[C]>
}

/** The benchmark drives gRPC calls itself; an HTTP endpoint is benchmarked from the CLI. */
function grpcClient(api: TritonApi): TritonClient {
  if (api instanceof TritonClient) return api
  throw new TritonError(
    'unsupported',
    `the app benchmarks gRPC endpoints; ${api.target} is HTTP`,
    'use a grpc:// endpoint here, or `triton-live bench --url http://… ` from the command line',
  )
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
  readonly requests: RequestService
  readonly handlers: AppHandlers
  /** Files the user chose in an open dialog: the only ones a request reads. */
  private readonly grants = new FileGrants()

  constructor(private readonly deps: AppCoreDeps) {
    this.endpoints = new EndpointService(deps)
    this.sessions = new SessionService({
      endpoints: this.endpoints,
      openPort: deps.openSessionPort,
      mediaUrlFor: deps.mediaUrlFor,
      saveFile: deps.saveFile,
      workRoot: deps.workRoot,
    })
    this.bench = new BenchService(deps.onBenchProgress)
    this.requests = new RequestService({
      endpoints: this.endpoints,
      grants: this.grants,
      onResponse: (event) => deps.onInferResponse?.(event),
    })
    this.handlers = this.table()
  }

  private table(): AppHandlers {
    const { endpoints, sessions, bench, requests, grants, deps } = this
    return {
      'endpoints:list': () => endpoints.list(),
      'endpoints:save': (draft) => endpoints.save(draft),
      'endpoints:remove': (id) => endpoints.remove(id),
      'endpoints:health': (id) => endpoints.health(id),
      'endpoints:doctor': (id) => endpoints.doctor(id),
      'models:list': (id) => endpoints.models(id),
      'models:details': ({ endpointId, model }) => endpoints.details(endpointId, model),
      'models:save-profile': ({ endpointId, model, profile }) =>
        endpoints.saveProfile(endpointId, model, profile),
      'models:load': ({ endpointId, model }) => endpoints.load(endpointId, model),
      'models:unload': ({ endpointId, model }) => endpoints.unload(endpointId, model),
      'session:start': (req) => sessions.start(req),
      'session:stop': (id) => sessions.stop(id),
      'session:export': ({ sessionId, format }) => sessions.export(sessionId, format),
      'files:pick': async ({ kind }) => {
        const path = await deps.pickFile(kind)
        if (path) grants.grant(path)
        return path
      },
      'models:infer': (req) => requests.send(req),
      'metrics:poll': (id) => endpoints.pollMetrics(id),
      'metrics:server-stats': ({ endpointId, model }) => endpoints.serverStats(endpointId, model),
      'bench:run': (req) =>
        bench.run(
          req,
          async (endpointId) => ({
            client: grpcClient(await endpoints.client(endpointId)),
            metricsUrl: await endpoints.metricsUrl(endpointId),
          }),
          (endpointId, model) => endpoints.profiles.get(endpointId, model),
        ),
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
    await this.sessions.dispose()
    await this.endpoints.dispose()
  }
}
