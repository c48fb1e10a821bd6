/**
 * Where the time of one request goes, from capture to pixels:
 *
 *   capture → send | network + send/recv | server queue | server compute | render
 *
 * capture → send and round trip come with every latency sample from main; the server's queue
 * and compute time come from ModelStatistics deltas, an average per poll interval; render is
 * measured in this window, from an event's arrival to the frame that draws it. The network
 * share is what remains of the round trip once the server's queue and compute are taken out,
 * capped at zero: perf_analyzer's "Network+Server Send/Recv", computed the same way.
 */
import type { LatencySample, ServerTimeSplit } from '../../../shared/ipc-contract'
import {
  MsHistogram,
  PointRing,
  type HistogramBucket,
  type LatencyFigures,
} from '../../../shared/ms-histogram'

export const SEGMENT_IDS = [
  'captureToSend',
  'network',
  'serverQueue',
  'serverCompute',
  'render',
] as const
export type SegmentId = (typeof SEGMENT_IDS)[number]

export const SEGMENT_INFO: Readonly<Record<SegmentId, { label: string; title: string }>> = {
  captureToSend: {
    label: 'Capture → send',
    title:
      'From the capture stamp (first sample of a chunk, or the frame) to the write on the stream',
  },
  network: {
    label: 'Network + send/recv',
    title: 'Round trip minus server queue and compute: the link, gRPC and server overhead',
  },
  serverQueue: {
    label: 'Server queue',
    title: 'Time in the scheduler queue (ModelStatistics, averaged per 2 s interval)',
  },
  serverCompute: {
    label: 'Server compute',
    title: 'Compute input + infer + output (ModelStatistics, averaged per 2 s interval)',
  },
  render: {
    label: 'Render',
    title: 'From the event reaching this window to the animation frame that draws it',
  },
}

/** Interactive voice feels live below about 300 ms from speaking to seeing the words. */
export const GLASS_TARGET_MS = 300

/** Points kept for the time charts: the newest ones when a session runs long. */
export const SERIES_CAPACITY = 3000

/** Round trips waiting for their interval's server figures; a server that never answers caps it. */
const MAX_AWAITING = 10_000

export interface BreakdownSnapshot {
  segments: Record<SegmentId, LatencyFigures | undefined>
  roundTrip?: LatencyFigures
  /** Capture → on screen, for sources that stamp their capture time. */
  glass?: LatencyFigures
  roundTripBuckets: HistogramBucket[]
  /** Seconds since the session started, and round trips in ms. */
  roundTripSeries: [number[], number[]]
  glassSeries: [number[], number[]]
  /** Server intervals folded in so far. */
  serverIntervals: number
}

/** Round trips alone, for the Latency tab: the same HDR figures the breakdown shows. */
export interface RoundTripView {
  figures?: LatencyFigures
  /** The newest round trip, in ms. */
  lastMs?: number
  /** Seconds since the session started, and round trips in ms: the newest SERIES_CAPACITY. */
  series: [number[], number[]]
}

/** A latency sample and the paint of the result it produced. */
export interface PaintSample {
  renderMs: number
  latency?: Pick<LatencySample, 'atMs' | 'roundTripMs' | 'captureToSendMs'>
}

export class BreakdownRecorder {
  private readonly segments: Record<SegmentId, MsHistogram> = {
    captureToSend: new MsHistogram(),
    network: new MsHistogram(),
    serverQueue: new MsHistogram(),
    serverCompute: new MsHistogram(),
    render: new MsHistogram(),
  }
  private readonly roundTrip = new MsHistogram()
  private readonly glass = new MsHistogram()
  private readonly rtSeries = new PointRing(SERIES_CAPACITY)
  private readonly glassSeries = new PointRing(SERIES_CAPACITY)
  private awaiting: number[] = []
  private intervals = 0
  private lastRoundTripMs: number | undefined

  /** `startedAtMs`: ms since epoch, the zero of the time charts. */
  constructor(readonly startedAtMs: number) {}

  addLatency(s: Pick<LatencySample, 'atMs' | 'roundTripMs' | 'captureToSendMs'>): void {
    if (!Number.isFinite(s.roundTripMs) || s.roundTripMs < 0) return
    this.roundTrip.record(s.roundTripMs)
    this.lastRoundTripMs = s.roundTripMs
    this.rtSeries.push((s.atMs - this.startedAtMs) / 1000, s.roundTripMs)
    if (s.captureToSendMs !== undefined) this.segments.captureToSend.record(s.captureToSendMs)
    this.awaiting.push(s.roundTripMs)
    if (this.awaiting.length > MAX_AWAITING) this.awaiting.shift()
  }

  /**
   * Folds one ModelStatistics interval in: its average queue and compute count once for every
   * round trip of ours that finished in it, and each of those round trips gives one network
   * figure. Intervals in which none of our requests finished belong to someone else: skipped.
   */
  addServerSplit(split: ServerTimeSplit): void {
    const ours = this.awaiting
    if (ours.length === 0 || split.requests <= 0) return
    this.awaiting = []
    this.intervals++
    const compute = split.avgComputeInputMs + split.avgComputeInferMs + split.avgComputeOutputMs
    this.segments.serverQueue.record(split.avgQueueMs, ours.length)
    this.segments.serverCompute.record(compute, ours.length)
    for (const rt of ours)
      this.segments.network.record(Math.max(0, rt - split.avgQueueMs - compute))
  }

  /** A result on screen: its render time, and capture → screen when its request was stamped. */
  addPaint(p: PaintSample): void {
    if (!Number.isFinite(p.renderMs) || p.renderMs < 0) return
    this.segments.render.record(p.renderMs)
    const l = p.latency
    if (!l || l.captureToSendMs === undefined) return
    const glass = l.captureToSendMs + l.roundTripMs + p.renderMs
    this.glass.record(glass)
    this.glassSeries.push((l.atMs - this.startedAtMs) / 1000, glass)
  }

  /** Round trips recorded: one per answered request of the session. */
  get roundTripCount(): number {
    return this.roundTrip.count
  }

  /** Round trips still waiting for the server figures of their interval. */
  get awaitingServer(): number {
    return this.awaiting.length
  }

  roundTripView(): RoundTripView {
    return {
      figures: this.roundTrip.figures(),
      lastMs: this.lastRoundTripMs,
      series: this.rtSeries.columns(),
    }
  }

  snapshot(): BreakdownSnapshot {
    const segments = {} as Record<SegmentId, LatencyFigures | undefined>
    for (const id of SEGMENT_IDS) segments[id] = this.segments[id].figures()
    return {
      segments,
      roundTrip: this.roundTrip.figures(),
      glass: this.glass.figures(),
      roundTripBuckets: this.roundTrip.buckets(),
      roundTripSeries: this.rtSeries.columns(),
      glassSeries: this.glassSeries.columns(),
      serverIntervals: this.intervals,
    }
  }
}
