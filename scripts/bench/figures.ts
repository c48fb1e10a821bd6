// The figures of the performance table (README, Performance), each a function that drives lanes (any client) or the
// project's sessions for a while and returns numbers. They run inside a client worker process
// (client-worker.ts), so CPU, event-loop lag and RSS are that client's alone.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks'
import { computeLetterbox } from '../../src/shared/letterbox'
import { toPcm16 } from '../../src/shared/pcm16'
import type { ModelProfile } from '../../src/shared/model-profile'
import type { SessionSummary } from '../../src/shared/session-summary'
import type { AudioChunkIn } from '../../src/main/sessions/pipelines/audio-chunk'
import type { FrameIn } from '../../src/main/sessions/pipelines/detection-pipeline'
import type { Session } from '../../src/main/sessions/session'
import { createAudioSession, createFrameSession } from '../../src/main/sessions/session-factory'
import { createTransport } from '../../src/main/transport/create-transport'
import type { TritonClient } from '../../src/main/triton/triton-client'
import {
  AUDIO_CHUNK,
  AUDIO_PROFILE,
  AUDIO_RATE,
  detectionProfile,
  FRAME_SIDE,
} from './bench-models'
import { STABLE_WINDOWS, stableTail } from './stability'
import type { Lane } from './lanes'

export interface Probe {
  /** The whole process, worker threads included. */
  cpuMs: number
  /** The main thread's busy time (event-loop utilisation): what the app's window waits behind. */
  mainMs: number
  lagP99Ms: number
  gcCount: number
  gcMs: number
}

/** CPU, event-loop lag (p99 of timer delay at 1 ms resolution) and GC over one measured stretch. */
export function startProbe(): () => Probe {
  const cpu0 = process.cpuUsage()
  const elu0 = performance.eventLoopUtilization()
  const lag = monitorEventLoopDelay({ resolution: 1 })
  lag.enable()
  let gcCount = 0
  let gcMs = 0
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcCount++
      gcMs += e.duration
    }
  })
  obs.observe({ entryTypes: ['gc'] })
  return () => {
    lag.disable()
    obs.disconnect()
    const c = process.cpuUsage(cpu0)
    return {
      cpuMs: (c.user + c.system) / 1000,
      mainMs: performance.eventLoopUtilization(elu0).active,
      lagP99Ms: lag.percentile(99) / 1e6,
      gcCount,
      gcMs,
    }
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)))

export interface Throughput extends Probe {
  requests: number
  rps: number
  cpuMsPerReq: number
  mainMsPerReq: number
}

/** A throughput figure from a probe, the answers counted and the seconds they took. */
function throughputOf(p: Probe, requests: number, wallSec: number): Throughput {
  return {
    ...p,
    requests,
    rps: requests / wallSec,
    cpuMsPerReq: p.cpuMs / Math.max(1, requests),
    mainMsPerReq: p.mainMs / Math.max(1, requests),
  }
}

/** Keeps `inFlight` requests on one lane for `seconds` (after a short warm-up) and counts answers. */
export async function throughput(
  lane: Lane,
  inFlight: number,
  seconds: number,
): Promise<Throughput> {
  let stop = false
  let counting = false
  let requests = 0
  const worker = async (): Promise<void> => {
    while (!stop) {
      await lane.send()
      if (counting) requests++
    }
  }
  const workers = Promise.all(Array.from({ length: inFlight }, worker))
  // A lane that fails ends the figure; its error comes out of the await below, not as an
  // unhandled rejection while the clock runs.
  workers.catch(() => (stop = true))
  await sleep(Math.min(1000, seconds * 250))
  const probe = startProbe()
  const t = performance.now()
  counting = true
  await sleep(seconds * 1000)
  counting = false
  const wall = (performance.now() - t) / 1000
  const p = probe()
  stop = true
  await workers
  return throughputOf(p, requests, wall)
}

export interface Latency {
  requests: number
  /** Round trip minus the server's own time. */
  addedP50Ms: number
  addedP99Ms: number
  rttP50Ms: number
  cpuMsPerReq: number
  lagP99Ms: number
  gcCount: number
}

/** One request in flight, back to back, for `seconds`: the time the client adds to each. */
export async function latency(lane: Lane, seconds: number): Promise<Latency> {
  for (let i = 0; i < 200; i++) await lane.send()
  const added: number[] = []
  const rtt: number[] = []
  const probe = startProbe()
  const end = performance.now() + seconds * 1000
  while (performance.now() < end) {
    const s = await lane.send()
    rtt.push(s.rttMs)
    added.push(s.rttMs - s.serverMs)
  }
  const p = probe()
  return {
    requests: added.length,
    addedP50Ms: percentile(added, 50),
    addedP99Ms: percentile(added, 99),
    rttP50Ms: percentile(rtt, 50),
    cpuMsPerReq: p.cpuMs / added.length,
    lagP99Ms: p.lagP99Ms,
    gcCount: p.gcCount,
  }
}

/** Calls `tick(i)` at `hz` for `seconds`, on schedule (a late tick does not shift the next ones). */
async function paced(
  hz: number,
  seconds: number,
  tick: (i: number) => void,
  offsetMs = 0,
): Promise<number> {
  const start = performance.now() + offsetMs
  const n = Math.round(hz * seconds)
  for (let i = 0; i < n; i++) {
    await sleep(start + (i * 1000) / hz - performance.now())
    tick(i)
  }
  return n
}

export interface Camera extends Probe {
  frames: number
  answered: number
  drops: number
  failed: number
  cpuMsPerFrame: number
  mainMsPerFrame: number
  rttP50Ms: number
}

/** A baseline camera: frames at `fps`, one in flight, latest-wins (one frame waits, an older one is dropped). */
export async function cameraLane(lane: Lane, fps: number, seconds: number): Promise<Camera> {
  for (let i = 0; i < 5; i++) await lane.send()
  let busy = false
  let waiting = false
  let drops = 0
  let answered = 0
  const rtt: number[] = []
  const send = (): void => {
    busy = true
    void lane.send().then((s) => {
      answered++
      rtt.push(s.rttMs)
      busy = false
      if (waiting) {
        waiting = false
        send()
      }
    })
  }
  const probe = startProbe()
  const frames = await paced(fps, seconds, () => {
    if (!busy) return send()
    if (waiting) drops++
    waiting = true
  })
  while (busy) await sleep(5)
  const p = probe()
  return {
    ...p,
    frames,
    answered,
    drops,
    failed: 0,
    cpuMsPerFrame: p.cpuMs / Math.max(1, answered),
    mainMsPerFrame: p.mainMs / Math.max(1, answered),
    rttP50Ms: percentile(rtt, 50),
  }
}

function workRoot(): string {
  return mkdtempSync(join(tmpdir(), 'triton-live-bench-'))
}

function frameIn(rgb: Uint8Array, index: number, fps: number): FrameIn {
  return {
    index,
    timeSec: index / fps,
    rgb,
    letterbox: computeLetterbox(FRAME_SIDE, FRAME_SIDE, FRAME_SIDE, FRAME_SIDE),
    sourceWidth: FRAME_SIDE,
    sourceHeight: FRAME_SIDE,
    capturedAtMs: Date.now(),
    seq: index,
  }
}

function failures(s: SessionSummary): number {
  return s.outcomes['server-error'] + s.outcomes['decode-error'] + s.outcomes.timeout
}

/** The app's camera: a camera session (latest frame wins, one in flight) fed at `fps`. */
export async function cameraSession(
  client: TritonClient,
  rgb: Uint8Array,
  fps: number,
  seconds: number,
): Promise<Camera> {
  const root = workRoot()
  try {
    const session = createFrameSession(
      { transport: createTransport(client), profile: detectionProfile('yolo-raw'), workRoot: root },
      'camera',
    )
    await session.start()
    for (let i = 0; i < 5; i++) {
      await session.push(frameIn(rgb, i, fps))
      await sleep(60)
    }
    const before = session.summary()
    const probe = startProbe()
    const frames = await paced(fps, seconds, (i) => void session.push(frameIn(rgb, 100 + i, fps)))
    const summary = await session.stop()
    const p = probe()
    const answered = summary.successes - before.successes
    return {
      ...p,
      frames,
      answered,
      drops: summary.droppedFrames - before.droppedFrames,
      failed: failures(summary),
      cpuMsPerFrame: p.cpuMs / Math.max(1, answered),
      mainMsPerFrame: p.mainMs / Math.max(1, answered),
      rttP50Ms: summary.p50Ms,
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

/** A video file through the detection session (2 in flight), frames as fast as it takes them. */
export async function sessionThroughput(
  client: TritonClient,
  rgb: Uint8Array,
  seconds: number,
): Promise<Throughput> {
  const root = workRoot()
  try {
    const session = createFrameSession(
      {
        transport: createTransport(client),
        profile: detectionProfile('frame-sink'),
        workRoot: root,
      },
      'file',
      'realtime',
    )
    let answered = 0
    session.onDidEmit((e) => {
      if (e.kind === 'detections') answered++
    })
    await session.start()
    let stop = false
    const feed = (async () => {
      for (let i = 0; !stop; i++) await session.push(frameIn(rgb, i, 30))
    })()
    await sleep(Math.min(1000, seconds * 250))
    const probe = startProbe()
    const a0 = answered
    const t = performance.now()
    await sleep(seconds * 1000)
    const requests = answered - a0
    const wall = (performance.now() - t) / 1000
    const p = probe()
    stop = true
    const summary = await session.stop()
    await feed
    if (failures(summary) > 0)
      throw new Error(`the detection session failed ${failures(summary)} requests`)
    return throughputOf(p, requests, wall)
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

export interface Streams extends Probe {
  streams: number
  /** Requests answered in the windows the figure is taken from. */
  requests: number
  /** Over the last three windows: the steady state a long-running app sees. */
  cpuMsPerReq: number
  /** The first window, one second after the streams started, as runs before measured it. */
  firstCpuMsPerReq: number
  /** Windows measured; `settled` is 1 when the last three agreed, 0 when the limit stopped it. */
  windows: number
  settled: number
  rssPerStreamMB: number
}

const MAX_WINDOWS = 8

const perReq = (w: { cpuMs: number; requests: number }): number => w.cpuMs / Math.max(1, w.requests)

/**
 * Measures paced streams in windows of `seconds` until the CPU per request of the last three
 * windows agrees (`stableTail`), at most MAX_WINDOWS; or exactly `fixedWindows` of them, so two
 * clients run side by side measure the same moments. The first window is kept beside it: the JIT
 * and the server still warm up then, and it read 1.1–1.6× the steady state, by client.
 */
async function steadyStreams(
  seconds: number,
  feed: (sec: number) => Promise<unknown>,
  answered: () => number,
  fixedWindows?: number,
): Promise<Omit<Streams, 'streams' | 'rssPerStreamMB'>> {
  await feed(1)
  const windows: Array<Probe & { requests: number }> = []
  let settled: boolean
  do {
    const a0 = answered()
    const probe = startProbe()
    await feed(seconds)
    await sleep(50)
    windows.push({ ...probe(), requests: answered() - a0 })
    settled = stableTail(windows.map(perReq))
  } while (fixedWindows ? windows.length < fixedWindows : windows.length < MAX_WINDOWS && !settled)
  const tail = windows.slice(-STABLE_WINDOWS)
  const sum = (k: 'cpuMs' | 'mainMs' | 'gcCount' | 'gcMs' | 'requests') =>
    tail.reduce((t, w) => t + w[k], 0)
  const cpuMs = sum('cpuMs')
  const requests = sum('requests')
  return {
    cpuMs,
    mainMs: sum('mainMs'),
    gcCount: sum('gcCount'),
    gcMs: sum('gcMs'),
    lagP99Ms: Math.max(...tail.map((w) => w.lagP99Ms)),
    requests,
    cpuMsPerReq: perReq({ cpuMs, requests }),
    firstCpuMsPerReq: perReq(windows[0]),
    windows: windows.length,
    settled: settled ? 1 : 0,
  }
}

function rssAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  return process.memoryUsage().rss
}

const TONE = toPcm16(
  new Float32Array(AUDIO_CHUNK).map((_, i) => 0.2 * Math.sin((2 * Math.PI * 440 * i) / AUDIO_RATE)),
)

/**
 * A microphone's chunk as the page's port delivers it (16-bit PCM, in a buffer of its own): 2 s
 * of tone then 1 s of silence, so utterances end.
 */
function micChunk(k: number): AudioChunkIn {
  const samples = k % 30 < 20 ? TONE.slice() : new Int16Array(AUDIO_CHUNK)
  return {
    samples,
    validSamples: AUDIO_CHUNK,
    startSec: (k * AUDIO_CHUNK) / AUDIO_RATE,
    last: false,
    capturedAtMs: Date.now(),
    seq: k,
  }
}

/** `n` microphone sessions in real time (100 ms chunks), as the app runs them. */
export async function streamSessions(
  client: TritonClient,
  n: number,
  seconds: number,
  fixedWindows?: number,
): Promise<Streams> {
  const root = workRoot()
  try {
    const profile: ModelProfile = AUDIO_PROFILE
    const rss0 = rssAfterGc()
    const sessions: Session<AudioChunkIn>[] = []
    let answered = 0
    for (let i = 0; i < n; i++) {
      const s = createAudioSession(
        { transport: createTransport(client), profile, workRoot: root },
        'microphone',
      )
      s.onDidEmit((e) => {
        if (e.kind === 'latency') answered++
      })
      await s.start()
      sessions.push(s)
    }
    const chunks = new Array<number>(n).fill(0)
    const feed = (sec: number) =>
      Promise.all(
        sessions.map((s, i) =>
          paced(10, sec, () => void s.push(micChunk(chunks[i]++)), (i * 100) / n),
        ),
      )
    const figure = await steadyStreams(seconds, feed, () => answered, fixedWindows)
    const rss1 = rssAfterGc()
    const summaries = await Promise.all(sessions.map((s) => s.stop()))
    const failed = summaries.reduce((k, s) => k + failures(s), 0)
    if (failed > 0) throw new Error(`the audio sessions failed ${failed} requests`)
    return { ...figure, streams: n, rssPerStreamMB: (rss1 - rss0) / n / 1e6 }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

/** `n` real-time streams of 100 ms chunks on baseline lanes (one request in flight each). */
export async function streamLanes(
  open: () => Promise<Lane>,
  n: number,
  seconds: number,
  fixedWindows?: number,
): Promise<Streams> {
  const rss0 = rssAfterGc()
  const lanes: Lane[] = []
  for (let i = 0; i < n; i++) lanes.push(await open())
  let answered = 0
  const feed = (sec: number) =>
    Promise.all(
      lanes.map((l, i) =>
        paced(10, sec, () => void l.send().then(() => answered++), (i * 100) / n),
      ),
    )
  const figure = await steadyStreams(seconds, feed, () => answered, fixedWindows)
  const rss1 = rssAfterGc()
  await Promise.all(lanes.map((l) => l.close()))
  return { ...figure, streams: n, rssPerStreamMB: (rss1 - rss0) / n / 1e6 }
}
