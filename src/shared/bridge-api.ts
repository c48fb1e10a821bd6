import type {
  BenchProgressEvent,
  DoctorReport,
  BenchReport,
  BenchRequest,
  EndpointDraft,
  EndpointHealth,
  EndpointProfile,
  EventChannel,
  EventPayloads,
  ExportFormat,
  FilePickKind,
  InvokeChannel,
  InvokePayload,
  InvokeResults,
  MetricsPoll,
  ModelDetails,
  ModelSummary,
  Result,
  ServerTimeSplit,
  SessionPlan,
  SessionStartRequest,
} from './ipc-contract'
import type { RequestResponseEvent, SingleRequest, SingleRequestResult } from './single-request'
import type { ModelProfile } from './model-profile'
import type { SessionSummary } from './session-summary'

// The bridge API only: no runtime imports, so the preload stays small and zod-free.

/** How a bridge moves messages: Electron's ipcRenderer in the app, a test binding in Chromium. */
export interface BridgeTransport {
  invoke<C extends InvokeChannel>(
    channel: C,
    payload: InvokePayload<C>,
  ): Promise<Result<InvokeResults[C]>>
  subscribe<C extends EventChannel>(
    channel: C,
    listener: (event: EventPayloads[C]) => void,
  ): () => void
  /**
   * A file dropped on the window: its path, once main has granted it; undefined when the
   * platform cannot tell where the file lives. The page hands over the File, never a path.
   */
  droppedFile?(file: File): Promise<Result<string | undefined>>
}

/** The API the renderer sees as `window.tritonLive`. Every call resolves to a Result, never throws. */
export interface TritonLiveApi {
  endpoints: {
    list(): Promise<Result<EndpointProfile[]>>
    save(draft: EndpointDraft): Promise<Result<EndpointProfile>>
    remove(id: string): Promise<Result<void>>
    health(id: string): Promise<Result<EndpointHealth>>
    /** The connection doctor: one check per rung, from name resolution to each model. */
    doctor(id: string): Promise<Result<DoctorReport>>
  }
  models: {
    list(endpointId: string): Promise<Result<ModelSummary[]>>
    details(endpointId: string, model: string): Promise<Result<ModelDetails>>
    saveProfile(
      endpointId: string,
      model: string,
      profile: ModelProfile | null,
    ): Promise<Result<ModelDetails>>
    load(endpointId: string, model: string): Promise<Result<void>>
    unload(endpointId: string, model: string): Promise<Result<void>>
    /** Sends one request to any model; resolves with every response once the final one is in. */
    infer(request: SingleRequest): Promise<Result<SingleRequestResult>>
    /** Gives up on a request still waiting: its `infer` ends as cancelled. */
    cancelInfer(requestId: string): Promise<Result<void>>
    /** Responses of a request as they arrive, in batches tagged with the request's id; returns the unsubscribe. */
    onInferResponse(listener: (event: RequestResponseEvent) => void): () => void
  }
  session: {
    /**
     * Starts a session. Its events, and the channel for audio and frames, arrive on a
     * MessagePort that main posts to the window with `request.nonce` (see session-port.ts).
     */
    start(request: SessionStartRequest): Promise<Result<SessionPlan>>
    /** A drain: resolves with the summary once outstanding answers are in (or given up). */
    stop(sessionId: string): Promise<Result<SessionSummary | undefined>>
  }
  files: {
    /** An open dialog (`data`: any file, for a request input's bytes); the chosen path is granted to this window for the rest of the run. */
    pick(kind: FilePickKind): Promise<Result<string | undefined>>
    /** A dropped file's path, granted like a picked one; undefined if it cannot be told. */
    dropped(file: File): Promise<Result<string | undefined>>
  }
  metrics: {
    poll(endpointId: string): Promise<Result<MetricsPoll>>
    serverStats(endpointId: string, model: string): Promise<Result<ServerTimeSplit | null>>
  }
  bench: {
    run(request: BenchRequest): Promise<Result<BenchReport>>
    /** About once a second while a benchmark runs; returns the unsubscribe. */
    onProgress(listener: (event: BenchProgressEvent) => void): () => void
    /** Stops a running benchmark; its run then fails with a 'cancelled' error. */
    cancel(): Promise<Result<void>>
    export(format: 'md' | 'csv' | 'json'): Promise<Result<string | undefined>>
  }
  exports: {
    /** Saves a finished (or running) session's results; asks where with a save dialog. */
    session(sessionId: string, format: ExportFormat): Promise<Result<string | undefined>>
  }
}

/** Builds the renderer API over any transport, so preload and test bridge cannot drift apart. */
export function createTritonLiveApi(t: BridgeTransport): TritonLiveApi {
  return {
    endpoints: {
      list: () => t.invoke('endpoints:list', undefined),
      save: (draft) => t.invoke('endpoints:save', draft),
      remove: (id) => t.invoke('endpoints:remove', id),
      health: (id) => t.invoke('endpoints:health', id),
      doctor: (id) => t.invoke('endpoints:doctor', id),
    },
    models: {
      list: (endpointId) => t.invoke('models:list', endpointId),
      details: (endpointId, model) => t.invoke('models:details', { endpointId, model }),
      saveProfile: (endpointId, model, profile) =>
        t.invoke('models:save-profile', { endpointId, model, profile }),
      load: (endpointId, model) => t.invoke('models:load', { endpointId, model }),
      unload: (endpointId, model) => t.invoke('models:unload', { endpointId, model }),
      infer: (request) => t.invoke('models:infer', request),
      cancelInfer: (requestId) => t.invoke('models:infer-cancel', { requestId }),
      onInferResponse: (listener) => t.subscribe('models:infer-response', listener),
    },
    session: {
      start: (request) => t.invoke('session:start', request),
      stop: (sessionId) => t.invoke('session:stop', sessionId),
    },
    files: {
      pick: (kind) => t.invoke('files:pick', { kind }),
      dropped: (file) =>
        t.droppedFile ? t.droppedFile(file) : Promise.resolve({ ok: true, value: undefined }),
    },
    metrics: {
      poll: (endpointId) => t.invoke('metrics:poll', endpointId),
      serverStats: (endpointId, model) => t.invoke('metrics:server-stats', { endpointId, model }),
    },
    bench: {
      run: (request) => t.invoke('bench:run', request),
      onProgress: (listener) => t.subscribe('bench:progress', listener),
      cancel: () => t.invoke('bench:cancel', undefined),
      export: (format) => t.invoke('bench:export', { format }),
    },
    exports: {
      session: (sessionId, format) => t.invoke('session:export', { sessionId, format }),
    },
  }
}
