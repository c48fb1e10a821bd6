import { z } from 'zod'
import { ANSWER_DEADLINE_MS, MAX_PATH_CHARS, TIMEOUT_MS } from './limits'
import {
  modelProfileSchema,
  type DetectionForm,
  type ModelKind,
  type ModelProfile,
} from './model-profile'
import type { LatencySummary } from './results'
import {
  singleRequestSchema,
  type RequestResponseEvent,
  type SingleRequestResult,
} from './single-request'
import type { RequestOutcome, SessionSummary } from './session-summary'
import type { UserError } from './session-events'
import { GRPC_MODES, SHARED_MEMORY_MODES } from './transport-choice'

/**
 * The one IPC contract: channel names, payload schemas and result types. The preload, the main
 * process and the tests' bridge all build on this file; the renderer only sees `TritonLiveApi`.
 */

export type { UserError } from './session-events'
export type {
  LatencySample,
  NoticeEvent,
  SessionEvent,
  SessionState,
  SessionStatusEvent,
} from './session-events'
export type { SessionSummary } from './session-summary'
export type {
  OutputView,
  RequestInput,
  RequestResponseEvent,
  ResponseView,
  SingleRequest,
  SingleRequestResult,
} from './single-request'

export type Result<T> = { ok: true; value: T } | { ok: false; error: UserError }

// ---- endpoints

/** A DNS name (or an IPv4 address): labels of letters, digits and hyphens, as on a certificate. */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i

/** Stream or unary calls, and shared memory: an endpoint's setting, or one benchmark run's. */
export const transportChoiceSchema = z.object({
  mode: z.enum(GRPC_MODES).optional(),
  sharedMemory: z.enum(SHARED_MEMORY_MODES).optional(),
})

export const endpointDraftSchema = z.object({
  id: z.string().max(64).optional(),
  name: z.string().trim().min(1).max(80),
  url: z.string().trim().min(1).max(300),
  tls: z
    .object({
      enabled: z.boolean(),
      /** TLS files: main takes only paths chosen in a dialog in this run, or already saved. */
      caFile: z.string().max(MAX_PATH_CHARS).optional(),
      certFile: z.string().max(MAX_PATH_CHARS).optional(),
      keyFile: z.string().max(MAX_PATH_CHARS).optional(),
      insecureSkipVerify: z.boolean().optional(),
      /** The name expected on the server certificate when it differs from the host. */
      serverName: z
        .string()
        .trim()
        .max(253)
        .regex(HOST_NAME, 'a host name, such as triton.internal')
        .optional(),
    })
    .optional(),
  /** A gRPC stream or unary calls, and whether tensors go through shared memory. */
  transport: transportChoiceSchema.optional(),
  /** Header that carries the token: 'authorization' sends `Bearer <token>`. */
  authHeader: z.string().trim().max(80).optional(),
  /** Only sent on save; stored with the OS keychain, never returned. Empty string clears it. */
  token: z.string().max(8192).optional(),
  timeoutMs: z.number().int().min(TIMEOUT_MS.min).max(TIMEOUT_MS.max).optional(),
  /**
   * How long one streamed request may wait for its answer before it counts as timed out and the
   * link is renewed; unset, each source keeps its own (live audio 10 s, camera 5 s, files 30 s).
   */
  answerDeadlineMs: z
    .number()
    .int()
    .min(ANSWER_DEADLINE_MS.min)
    .max(ANSWER_DEADLINE_MS.max)
    .optional(),
  metricsUrl: z.string().trim().max(300).optional(),
  /** The gRPC :authority (Host) for proxies that route by host; empty means the URL's. */
  authority: z
    .string()
    .trim()
    .max(300)
    .regex(/^[a-z0-9.\-_:[\]]*$/i, 'a host name, optionally with :port')
    .optional(),
})
export type EndpointDraft = z.infer<typeof endpointDraftSchema>

export interface EndpointProfile {
  id: string
  name: string
  url: string
  tls?: EndpointDraft['tls']
  authHeader?: string
  hasToken: boolean
  timeoutMs?: number
  answerDeadlineMs?: number
  metricsUrl?: string
  /** The gRPC :authority, when it differs from the URL's host. */
  authority?: string
  transport?: EndpointDraft['transport']
  /** The built-in demo endpoint, started by the app on demand. */
  builtInDemo: boolean
  /** Set when the saved token would travel without TLS to a host that is not loopback. */
  credentialWarning?: string
}

export interface EndpointHealth {
  endpointId: string
  live: boolean
  ready: boolean
  serverName?: string
  serverVersion?: string
  extensions: string[]
  checkedAtMs: number
  roundTripMs?: number
  error?: UserError
  /** The endpoint's credential travels without TLS to another machine (credential-exposure.ts). */
  warning?: string
}

// ---- models

export interface TensorInfo {
  name: string
  datatype: string
  shape: number[]
}

export interface ModelSummary {
  name: string
  version: string
  state: string
  reason: string
  /** What the model understands, from its config's `description`, shown in its row. */
  description?: string
  /** Why its metadata or config could not be read: the row says so, the others are listed. */
  error?: UserError
}

export interface ModelDetails {
  name: string
  versions: string[]
  platform: string
  backend: string
  maxBatchSize: number
  inputs: TensorInfo[]
  outputs: TensorInfo[]
  dynamicBatching: boolean
  sequenceBatching: boolean
  decoupled: boolean
  kind: ModelKind
  detectionForm?: DetectionForm
  /** The profile in effect: the saved one if any, otherwise what the app derived. */
  profile?: ModelProfile
  /** True when the effective profile is a saved override. */
  profileSaved: boolean
  /** Why a profile could not be derived, with an example to start from. */
  profileProblem?: string
  /**
   * With a problem: the profile the editor starts from, built from this model's own inputs and
   * outputs (each input mapped to the source its name and type suggest).
   */
  profileTemplate?: ModelProfile
  /** Inputs the config marks optional: a request may leave them out. */
  optionalInputs?: string[]
  labels?: string[]
  /** The model family the app recognised and the numbers its preset set. */
  preset?: ModelPreset
  /** What the model understands, from its config parameter `description`, when the server gives one. */
  description?: string
}

// ---- model presets: what a recognised family sets, as the user sees it

/** A known deployment (sherpa, WeNet, Whisper BLS, Ultralytics, ...) and the numbers it implies. */
export interface ModelPreset {
  /** Stable id, such as 'sherpa-streaming-transducer'. */
  id: string
  /** For people: 'sherpa streaming transducer'. */
  name: string
  /** The repository and files the preset follows. */
  source: string
  /** One line: 'sherpa streaming transducer, first chunk 0.77 s then 0.64 s'. */
  summary: string
  /** Every number the preset set, by profile path ('audio.firstChunkSamples': 12320). */
  settings: Record<string, number | string>
}

/** One line of `triton-live doctor` and of the Doctor view. */
export interface DoctorCheck {
  /** 'name resolves', 'TCP connects', 'TLS', 'HTTP/2 and gRPC', 'ServerLive', ... */
  name: string
  status: 'ok' | 'warn' | 'fail' | 'skip'
  /** What was found: '127.0.0.1', 'subject CN=triton, expires 2027-01-01', ... */
  detail: string
  /** What to do, when the check did not pass. */
  hint?: string
  /** A fatal failure stops the run: nothing after it can work. */
  fatal?: boolean
  /** How long the check took. */
  ms: number
}

export interface DoctorReport {
  url: string
  checks: DoctorCheck[]
  /** 'ok': every check passed; 'warn': some did not but the app works; 'fail': it does not. */
  verdict: 'ok' | 'warn' | 'fail'
}

/** The Doctor view's request: the endpoint's id. */
export const doctorRequestSchema = z.string().min(1).max(64)

// ---- sessions

export const SOURCE_KINDS = ['microphone', 'camera', 'file'] as const
export type SourceKind = (typeof SOURCE_KINDS)[number]

export const sessionStartSchema = z.object({
  endpointId: z.string().min(1).max(64),
  model: z.string().min(1).max(200),
  source: z.enum(SOURCE_KINDS),
  /** For 'file': a path the user chose through the dialog or dropped (main checks its grant). */
  filePath: z.string().max(MAX_PATH_CHARS).optional(),
  /** For 'file': pace to real time (in sync with playback) or analyse as fast as the server allows. */
  pace: z.enum(['realtime', 'fast']).optional(),
  profile: modelProfileSchema.optional(),
  /** Microphone chunk length override, in milliseconds. */
  chunkMs: z.number().int().min(20).max(10_000).optional(),
  /** The page's nonce: main posts the session's MessagePort with it, and the page takes only that port. */
  nonce: z.string().min(16).max(64),
})
export type SessionStartRequest = z.infer<typeof sessionStartSchema>

/** What the renderer needs to capture for a session: the rate and chunking, or the frame size. */
export interface SessionPlan {
  sessionId: string
  model: string
  kind: ModelKind
  audio?: { sampleRate: number; chunkSamples: number }
  vision?: { width: number; height: number }
  labels?: string[]
  /** For file sessions: a URL the renderer can play in a <video> or <audio> element. */
  mediaUrl?: string
  mediaKind?: 'audio' | 'video'
  /** How requests travel: 'gRPC stream', 'gRPC unary + shm', 'HTTP'… */
  transport?: string
  /** The preset line the CLI prints at the start of a stream (src/shared/preset-line.ts). */
  preset?: string
}

/** About once a second while a benchmark runs, on its own channel. */
export interface BenchProgressEvent {
  kind: 'bench-progress'
  elapsedSec: number
  durationSec: number
  sent: number
  succeeded: number
  failed: number
  label: string
}

// ---- metrics

export interface GpuReading {
  uuid: string
  /** 0..1 */
  utilization?: number
  memoryUsedBytes?: number
  memoryTotalBytes?: number
  powerWatts?: number
}

export interface ModelRateReading {
  model: string
  version: string
  inferencePerSec?: number
  successPerSec?: number
  failurePerSec?: number
  avgRequestMs?: number
  avgQueueMs?: number
  avgComputeMs?: number
  pendingRequests?: number
}

/** One scrape of the endpoint's Prometheus page, with rates against the previous scrape. */
export interface MetricsPoll {
  endpointId: string
  url: string
  takenAtMs: number
  /** Set when the page could not be read; the panel shows a plain "no metrics" state. */
  error?: UserError
  hasGpuMetrics: boolean
  gpus: GpuReading[]
  cpu: { utilization?: number; memoryUsedBytes?: number; memoryTotalBytes?: number }
  models: ModelRateReading[]
}

/** Server-side time per request over the interval since the previous call, from ModelStatistics. */
export interface ServerTimeSplit {
  requests: number
  successes: number
  failures: number
  avgQueueMs: number
  avgComputeInputMs: number
  avgComputeInferMs: number
  avgComputeOutputMs: number
  avgServerMs: number
  avgBatch: number
}

// ---- benchmark and exports

/** How a benchmark's requests travel, beside the URL's protocol: the CLI's transport flags. */
export type BenchTransportChoice = z.infer<typeof transportChoiceSchema>

export const benchRequestSchema = z.object({
  endpointId: z.string().min(1).max(64),
  model: z.string().min(1).max(200),
  mode: z.enum(['rate', 'concurrency']),
  /** Requests per second, for 'rate'. */
  rate: z.number().positive().max(10_000).optional(),
  /** Requests in flight, for 'concurrency'. */
  concurrency: z.number().int().min(1).max(256).optional(),
  durationSec: z.number().positive().max(3600),
  /** Input taken from this file (granted like a session's); generated data when absent. */
  filePath: z.string().max(MAX_PATH_CHARS).optional(),
  /** Default: a gRPC stream (or HTTP requests for an http(s):// endpoint), no shared memory. */
  transport: transportChoiceSchema.optional(),
  /** Runs the same workload again against another endpoint, model and/or transport, side by side. */
  compare: z
    .object({
      endpointId: z.string().min(1).max(64).optional(),
      model: z.string().min(1).max(200).optional(),
      transport: transportChoiceSchema.optional(),
    })
    .optional(),
})
export type BenchRequest = z.infer<typeof benchRequestSchema>

export interface BenchRunView {
  label: string
  url: string
  /** How the requests travelled: 'gRPC stream', 'HTTP + shm'. */
  transport?: string
  model: string
  mode: 'rate' | 'concurrency'
  rate?: number
  concurrency?: number
  durationSec: number
  input: string
  summary: LatencySummary
  /** Every request by how it ended, as sessions count them. */
  outcomes?: Record<RequestOutcome, number>
  server?: ServerTimeSplit
  gpu?: { avgUtilization?: number; maxMemoryUsedBytes?: number; avgPowerWatts?: number }
  // The facts the Benchmark tab warns from (bench-warnings.ts):
  /** Failed requests by cause: 'deadline exceeded', 'model error', 'decode', a gRPC status name. */
  failuresByCause?: Record<string, number>
  /** Rate mode: requests sent per second, how many went out late, answers per second sustained. */
  sentRate?: number
  lateSends?: number
  answeredRate?: number
  /** Each measurement window's figures, when the run was measured in several (--compare). */
  windows?: BenchWindowView[]
}

export interface BenchWindowView {
  summary: LatencySummary
  server?: ServerTimeSplit
  gpu?: BenchRunView['gpu']
}

export interface BenchReport {
  runs: BenchRunView[]
  /** The report as Markdown: one run, or two side by side with the winner and ratio per metric. */
  markdown: string
  /** Things the report could not show, such as a metrics page that did not answer. */
  notes: string[]
}

export const EXPORT_FORMATS = ['txt', 'srt', 'vtt', 'json', 'jsonl', 'csv', 'mp4'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

// ---- channels

export const INVOKE_CHANNELS = [
  'endpoints:list',
  'endpoints:save',
  'endpoints:remove',
  'endpoints:health',
  'endpoints:doctor',
  'models:list',
  'models:details',
  'models:save-profile',
  'models:load',
  'models:unload',
  'session:start',
  'session:stop',
  'files:pick',
  'files:dropped',
  'metrics:poll',
  'metrics:server-stats',
  'bench:run',
  'bench:cancel',
  'bench:export',
  'session:export',
  'models:infer',
  'models:infer-cancel',
] as const
export type InvokeChannel = (typeof INVOKE_CHANNELS)[number]

/**
 * What an open dialog is for, each with its own file filters: media for sessions, PEM files for
 * TLS, a profile, a labels list, or any file (`data`) as a request input's bytes.
 */
export const FILE_PICK_KINDS = ['media', 'pem', 'json', 'labels', 'data'] as const
export type FilePickKind = (typeof FILE_PICK_KINDS)[number]

/** Main to window. Sessions have no channel here: each talks over its own MessagePort. */
export const EVENT_CHANNELS = ['bench:progress', 'models:infer-response'] as const
export type EventChannel = (typeof EVENT_CHANNELS)[number]

/** The payload of each event channel. */
export interface EventPayloads {
  'bench:progress': BenchProgressEvent
  /** Each response of a single request as it arrives (a decoupled model sends several). */
  'models:infer-response': RequestResponseEvent
}

/** The channel on which main posts a session's MessagePort to the preload. */
export const SESSION_PORT_CHANNEL = 'session:port'

const idSchema = z.string().min(1).max(64)
const modelRef = z.object({ endpointId: idSchema, model: z.string().min(1).max(200) })

/** Payload schema and result type for every invoke channel. */
export const invokeSchemas = {
  'endpoints:list': z.undefined(),
  'endpoints:save': endpointDraftSchema,
  'endpoints:remove': idSchema,
  'endpoints:health': idSchema,
  'endpoints:doctor': doctorRequestSchema,
  'models:list': idSchema,
  'models:details': modelRef,
  'models:save-profile': modelRef.extend({ profile: modelProfileSchema.nullable() }),
  'models:load': modelRef,
  'models:unload': modelRef,
  'session:start': sessionStartSchema,
  'session:stop': idSchema,
  'files:pick': z.object({ kind: z.enum(FILE_PICK_KINDS) }),
  /**
   * Sent by the preload only, never by the page's API: the path Electron's webUtils gives for a
   * File the user dropped (see src/preload/index.ts). Main grants it for this run.
   */
  'files:dropped': z.object({ path: z.string().min(1).max(MAX_PATH_CHARS) }),
  'metrics:poll': idSchema,
  'metrics:server-stats': modelRef,
  'bench:run': benchRequestSchema,
  'bench:cancel': z.undefined(),
  'bench:export': z.object({ format: z.enum(['md', 'csv', 'json']) }),
  'session:export': z.object({ sessionId: idSchema, format: z.enum(EXPORT_FORMATS) }),
  'models:infer': singleRequestSchema,
  'models:infer-cancel': z.object({ requestId: z.string().min(8).max(64) }),
} satisfies Record<InvokeChannel, z.ZodType>

export interface InvokeResults {
  'endpoints:list': EndpointProfile[]
  'endpoints:save': EndpointProfile
  'endpoints:remove': void
  'endpoints:health': EndpointHealth
  'endpoints:doctor': DoctorReport
  'models:list': ModelSummary[]
  'models:details': ModelDetails
  'models:save-profile': ModelDetails
  'models:load': void
  'models:unload': void
  'session:start': SessionPlan
  'session:stop': SessionSummary | undefined
  'files:pick': string | undefined
  'files:dropped': void
  'metrics:poll': MetricsPoll
  'metrics:server-stats': ServerTimeSplit | null
  'bench:run': BenchReport
  'bench:cancel': void
  /** The saved file's path; undefined when the user cancelled the dialog. */
  'bench:export': string | undefined
  'session:export': string | undefined
  'models:infer': SingleRequestResult
  'models:infer-cancel': void
}

export type InvokePayload<C extends InvokeChannel> = z.input<(typeof invokeSchemas)[C]>

export { createTritonLiveApi, type BridgeTransport, type TritonLiveApi } from './bridge-api'
