/** Results that sessions emit and that the CLI, the tests and the renderer consume. */

export interface TranscriptEvent {
  kind: 'transcript'
  /** Utterance number within the session, from 0. A partial is replaced by later events of the same utterance. */
  utterance: number
  final: boolean
  text: string
  /** Media time of the utterance's start and of the audio covered so far, in seconds. */
  startSec: number
  endSec: number
  /** Round trip of the request that produced this text, in milliseconds. */
  latencyMs: number
}

/** A box in source-media pixels: top-left corner and size. */
export interface DetectionBox {
  x: number
  y: number
  width: number
  height: number
  score: number
  classId: number
  label: string
}

export interface DetectionFrameEvent {
  kind: 'detections'
  /** Frame index in the source, from 0. */
  frame: number
  /** Media timestamp of the frame, in seconds. */
  timeSec: number
  sourceWidth: number
  sourceHeight: number
  boxes: DetectionBox[]
  latencyMs: number
}

export interface RequestErrorEvent {
  kind: 'request-error'
  /** What failed, in words a user can act on. */
  message: string
  /** Media time of the chunk or frame whose request failed. */
  timeSec: number
}

export interface LatencySummary {
  requests: number
  successes: number
  failures: number
  /** 0..1 */
  successRate: number
  durationSec: number
  /** Successful requests per second of wall time. */
  throughput: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
  meanMs: number
  minMs: number
  maxMs: number
}

export interface SummaryEvent {
  kind: 'summary'
  model: string
  url: string
  summary: LatencySummary
}

export type SessionResultEvent = TranscriptEvent | DetectionFrameEvent | RequestErrorEvent
