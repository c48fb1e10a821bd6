import { z } from 'zod'
import {
  modelProfileSchema,
  type DetectionForm,
  type ModelKind,
  type ModelProfile,
} from './model-profile'
import type { LatencySummary, SessionResultEvent } from './results'

/**
 * The one IPC contract: channel names, payload schemas and result types. The preload, the main
 * process and the tests' bridge all build on this file; the renderer only sees `TritonLiveApi`.
 */

export interface UserError {
  /** What went wrong. */
  message: string
  /** What to do about it. */
  hint: string
  kind: string
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: UserError }

// ---- endpoints

export const endpointDraftSchema = z.object({
  id: z.string().max(64).optional(),
  name: z.string().trim().min(1).max(80),
  url: z.string().trim().min(1).max(300),
  tls: z
    .object({
      enabled: z.boolean(),
      caFile: z.string().max(1000).optional(),
      certFile: z.string().max(1000).optional(),
      keyFile: z.string().max(1000).optional(),
      insecureSkipVerify: z.boolean().optional(),
    })
    .optional(),
  /** Header that carries the token: 'authorization' sends `Bearer <token>`. */
  authHeader: z.string().trim().max(80).optional(),
  /** Only sent on save; stored with the OS keychain, never returned. Empty string clears it. */
  token: z.string().max(8192).optional(),
  timeoutMs: z.number().int().min(100).max(600_000).optional(),
  metricsUrl: z.string().trim().max(300).optional(),
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
  metricsUrl?: string
  /** The built-in demo endpoint, started by the app on demand. */
  builtInDemo: boolean
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
  labels?: string[]
  // ---- issue 12 (ui helper): what the model understands, from its config parameter
  // `description`, when the server gives one.
  description?: string
}

// ---- sessions

export const SOURCE_KINDS = ['microphone', 'camera', 'file'] as const
export type SourceKind = (typeof SOURCE_KINDS)[number]

export const sessionStartSchema = z.object({
  endpointId: z.string().min(1).max(64),
  model: z.string().min(1).max(200),
  source: z.enum(SOURCE_KINDS),
  /** For 'file': a path the user chose through the dialog or dropped. */
  filePath: z.string().max(4096).optional(),
  /** For 'file': pace to real time (in sync with playback) or analyse as fast as the server allows. */
  pace: z.enum(['realtime', 'fast']).optional(),
  profile: modelProfileSchema.optional(),
  /** Microphone chunk length override, in milliseconds. */
  chunkMs: z.number().int().min(20).max(10_000).optional(),
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
}

export const audioChunkSchema = z.object({
  sessionId: z.string().min(1).max(64),
  /** Mono float32 PCM at the plan's sample rate. */
  samples: z.custom<Float32Array>(
    (v) => v instanceof Float32Array,
    'samples must be a Float32Array',
  ),
  /** Capture time of the first sample, ms since epoch, for glass-to-glass latency. */
  capturedAtMs: z.number(),
})
export type AudioChunkMessage = z.infer<typeof audioChunkSchema>

export const videoFrameSchema = z.object({
  sessionId: z.string().min(1).max(64),
  /** RGB24, already letterboxed in the renderer to the plan's size. */
  rgb: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'rgb must be a Uint8Array'),
  width: z.number().int().positive().max(8192),
  height: z.number().int().positive().max(8192),
  sourceWidth: z.number().int().positive().max(16384),
  sourceHeight: z.number().int().positive().max(16384),
  capturedAtMs: z.number(),
})
export type VideoFrameMessage = z.infer<typeof videoFrameSchema>

export interface SessionStatusEvent {
  kind: 'status'
  state: 'starting' | 'running' | 'reconnecting' | 'stopped' | 'failed'
  error?: UserError
  summary?: LatencySummary
}

/** About once a second while a benchmark runs. */
export interface BenchProgressEvent {
  kind: 'bench-progress'
  elapsedSec: number
  durationSec: number
  sent: number
  succeeded: number
  failed: number
  label: string
}

export interface LatencySample {
  kind: 'latency'
  atMs: number
  roundTripMs: number
  /** Capture to send, queue wait in the app, in ms. */
  captureToSendMs?: number
}

export type SessionEvent = (
  SessionResultEvent | SessionStatusEvent | LatencySample | BenchProgressEvent
) & {
  sessionId: string
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

export const benchRequestSchema = z.object({
  endpointId: z.string().min(1).max(64),
  model: z.string().min(1).max(200),
  mode: z.enum(['rate', 'concurrency']),
  /** Requests per second, for 'rate'. */
  rate: z.number().positive().max(10_000).optional(),
  /** Requests in flight, for 'concurrency'. */
  concurrency: z.number().int().min(1).max(256).optional(),
  durationSec: z.number().positive().max(3600),
  /** Input taken from this file; generated data when absent. */
  filePath: z.string().max(4096).optional(),
  /** Runs the same workload again against another endpoint and/or model, side by side. */
  compare: z
    .object({
      endpointId: z.string().min(1).max(64).optional(),
      model: z.string().min(1).max(200).optional(),
    })
    .optional(),
})
export type BenchRequest = z.infer<typeof benchRequestSchema>

export interface BenchRunView {
  label: string
  url: string
  model: string
  mode: 'rate' | 'concurrency'
  rate?: number
  concurrency?: number
  durationSec: number
  input: string
  summary: LatencySummary
  server?: ServerTimeSplit
  gpu?: { avgUtilization?: number; maxMemoryUsedBytes?: number; avgPowerWatts?: number }
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
  'models:list',
  'models:details',
  'models:save-profile',
  'models:load',
  'models:unload',
  'session:start',
  'session:stop',
  'files:pick',
  'metrics:poll',
  'metrics:server-stats',
  'bench:run',
  'bench:cancel',
  'bench:export',
  'session:export',
] as const
export type InvokeChannel = (typeof INVOKE_CHANNELS)[number]

export const SEND_CHANNELS = ['session:audio', 'session:frame'] as const
export type SendChannel = (typeof SEND_CHANNELS)[number]

export const EVENT_CHANNELS = ['session:event'] as const
export type EventChannel = (typeof EVENT_CHANNELS)[number]

const idSchema = z.string().min(1).max(64)
const modelRef = z.object({ endpointId: idSchema, model: z.string().min(1).max(200) })

/** Payload schema and result type for every invoke channel. */
export const invokeSchemas = {
  'endpoints:list': z.undefined(),
  'endpoints:save': endpointDraftSchema,
  'endpoints:remove': idSchema,
  'endpoints:health': idSchema,
  'models:list': idSchema,
  'models:details': modelRef,
  'models:save-profile': modelRef.extend({ profile: modelProfileSchema.nullable() }),
  'models:load': modelRef,
  'models:unload': modelRef,
  'session:start': sessionStartSchema,
  'session:stop': idSchema,
  'files:pick': z.object({ kind: z.enum(['media', 'pem', 'json']) }),
  'metrics:poll': idSchema,
  'metrics:server-stats': modelRef,
  'bench:run': benchRequestSchema,
  'bench:cancel': z.undefined(),
  'bench:export': z.object({ format: z.enum(['md', 'csv', 'json']) }),
  'session:export': z.object({ sessionId: idSchema, format: z.enum(EXPORT_FORMATS) }),
} satisfies Record<InvokeChannel, z.ZodType>

export interface InvokeResults {
  'endpoints:list': EndpointProfile[]
  'endpoints:save': EndpointProfile
  'endpoints:remove': void
  'endpoints:health': EndpointHealth
  'models:list': ModelSummary[]
  'models:details': ModelDetails
  'models:save-profile': ModelDetails
  'models:load': void
  'models:unload': void
  'session:start': SessionPlan
  'session:stop': LatencySummary | undefined
  'files:pick': string | undefined
  'metrics:poll': MetricsPoll
  'metrics:server-stats': ServerTimeSplit | null
  'bench:run': BenchReport
  'bench:cancel': void
  /** The saved file's path; undefined when the user cancelled the dialog. */
  'bench:export': string | undefined
  'session:export': string | undefined
}

export type InvokePayload<C extends InvokeChannel> = z.input<(typeof invokeSchemas)[C]>

export const sendSchemas = {
  'session:audio': audioChunkSchema,
  'session:frame': videoFrameSchema,
} satisfies Record<SendChannel, z.ZodType>

export { createTritonLiveApi, type BridgeTransport, type TritonLiveApi } from './bridge-api'
