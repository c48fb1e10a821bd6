import { randomUUID } from 'node:crypto'
import { copyFile, mkdir, rm } from 'node:fs/promises'
import { join, parse } from 'node:path'
import type { ExportFormat, SessionPlan, SessionStartRequest } from '../../shared/ipc-contract'
import type { SessionEvent } from '../../shared/session-events'
import { pageToMainSchema, type PageToMainMessage } from '../../shared/session-port'
import type { SessionSummary } from '../../shared/session-summary'
import { computeLetterbox } from '../../shared/letterbox'
import { presetLine } from '../../shared/preset-line'
import { exportSession } from '../exports/session-exporter'
import { resolveModel } from '../sessions/model-plan'
import type { AudioChunkIn } from '../sessions/pipelines/audio-chunk'
import type { FrameIn } from '../sessions/pipelines/detection-pipeline'
import { FileSource } from '../sessions/file-source'
import type { Session } from '../sessions/session'
import { createAudioSession, createFrameSession } from '../sessions/session-factory'
import { createTransport } from '../transport/create-transport'
import { TritonError } from '../triton/triton-error'
import type { EndpointService } from './endpoint-service'
import { PortEventSink, type MainSessionPort } from './session-port-link'
import { planSession } from './session-plan'

export interface SessionServiceDeps {
  endpoints: EndpointService
  /** Hands the page a MessagePort for the session (posted with the page's nonce). */
  openPort(sessionId: string, nonce: string): MainSessionPort
  /** A URL the page may play for a file the user chose. */
  mediaUrlFor(path: string): string
  saveFile(defaultName: string): Promise<string | undefined>
  /** Where sessions keep their folders (spilled audio, results log, kept audio). */
  workRoot: string
  /** Lets the window name a file main made for it (kept audio it may transcribe later). */
  grantFile(path: string): void
}

/** One run of the app: the session, how the page feeds it, and what it produced. */
interface LiveRun {
  plan: SessionPlan
  endpointId: string
  session: Session<AudioChunkIn> | Session<FrameIn>
  file?: FileSource
  port: MainSessionPort
  source: SessionStartRequest['source']
  filePath?: string
  samplesIn: number
  framesIn: number
  startedAt: number
  summary?: SessionSummary
}

const MAX_FINISHED_SESSIONS = 10

/**
 * The app's sessions: starts one per request, feeds it from its port, stops it (a drain), keeps
 * the last few finished ones for export, and removes a session's entry in exactly one place.
 */
export class SessionService {
  private readonly live = new Map<string, LiveRun>()
  private readonly finished = new Map<string, LiveRun>()

  constructor(private readonly deps: SessionServiceDeps) {}

  async start(req: SessionStartRequest): Promise<SessionPlan> {
    const client = await this.deps.endpoints.client(req.endpointId)
    const saved = req.profile ?? (await this.deps.endpoints.profiles.get(req.endpointId, req.model))
    const { details, profile: resolved } = await resolveModel(client, req.model, saved)
    const sessionId = randomUUID()
    const { plan, profile } = await planSession(req, resolved, sessionId, this.deps.mediaUrlFor)
    const preset = presetLine(details)
    if (preset) plan.preset = preset
    await mkdir(this.deps.workRoot, { recursive: true })
    // The endpoint's choices (stream or unary, shared memory); a refused shared memory is told
    // once, as a notice on the session's port, which exists by the time the first request goes.
    let notice: (message: string) => void = () => undefined
    const transport = createTransport(client, {
      ...(await this.deps.endpoints.store.transportChoice(req.endpointId)),
      sharedMemoryOptions: { onFallback: (message) => notice(message) },
    })
    plan.transport = transport.label
    const deadlineMs = await this.deps.endpoints.store.answerDeadline(req.endpointId)
    const setup = {
      id: sessionId,
      transport,
      profile,
      workRoot: this.deps.workRoot,
      ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    }
    let file: FileSource | undefined
    let session: LiveRun['session']
    if (req.source === 'file') {
      file = new FileSource(setup, { path: req.filePath ?? '', pace: req.pace ?? 'realtime' })
      session = file.session
    } else if (req.source === 'microphone') {
      session = createAudioSession(setup, 'microphone')
    } else {
      session = createFrameSession(setup, 'camera')
    }
    const port = this.deps.openPort(sessionId, req.nonce)
    const run: LiveRun = {
      plan,
      endpointId: req.endpointId,
      session,
      file,
      port,
      source: req.source,
      filePath: req.filePath,
      samplesIn: 0,
      framesIn: 0,
      startedAt: performance.now(),
    }
    const sink = new PortEventSink(port)
    notice = (message) => sink.push({ kind: 'notice', message })
    session.onDidEmit((e: SessionEvent) => {
      const kept = e.kind === 'status' ? e.summary?.unprocessed?.keptAudioPath : undefined
      if (kept) this.deps.grantFile(kept)
      sink.push(e)
      if (e.kind === 'status' && (e.state === 'stopped' || e.state === 'failed')) {
        run.summary = e.summary
        this.retire(run)
      }
    })
    port.onMessage((data) => this.fromPage(run, data))
    this.live.set(sessionId, run)
    try {
      await (file ? file.start() : session.start())
    } catch (e) {
      this.live.delete(sessionId)
      port.close()
      throw e
    }
    return plan
  }

  /** Audio and frames from the page; anything that does not validate is dropped, never thrown. */
  private fromPage(run: LiveRun, data: unknown): void {
    const parsed = pageToMainSchema.safeParse(data)
    if (!parsed.success || !this.live.has(run.plan.sessionId)) return
    const msg: PageToMainMessage = parsed.data
    if (msg.type === 'audio' && run.source === 'microphone' && run.plan.audio) {
      const rate = run.plan.audio.sampleRate
      const chunk: AudioChunkIn = {
        samples: msg.samples,
        validSamples: msg.samples.length,
        startSec: run.samplesIn / rate,
        last: false,
        capturedAtMs: msg.capturedAtMs,
        seq: msg.seq,
      }
      run.samplesIn += msg.samples.length
      void (run.session as Session<AudioChunkIn>).push(chunk)
    } else if (msg.type === 'frame' && run.source === 'camera' && run.plan.vision) {
      const { width, height } = run.plan.vision
      if (msg.width !== width || msg.height !== height) return
      const frame: FrameIn = {
        index: run.framesIn++,
        timeSec: (performance.now() - run.startedAt) / 1000,
        rgb: msg.rgb,
        letterbox: computeLetterbox(msg.sourceWidth, msg.sourceHeight, width, height),
        sourceWidth: msg.sourceWidth,
        sourceHeight: msg.sourceHeight,
        capturedAtMs: msg.capturedAtMs,
        seq: msg.seq,
      }
      void (run.session as Session<FrameIn>).push(frame)
    }
  }

  async stop(sessionId: string): Promise<SessionSummary | undefined> {
    const run = this.live.get(sessionId)
    if (!run) return this.finished.get(sessionId)?.summary
    return run.file ? run.file.stop() : run.session.stop()
  }

  /** The one place a session leaves the live registry. */
  private retire(run: LiveRun): void {
    const id = run.plan.sessionId
    if (!this.live.delete(id)) return
    // The last events (the final status) go out before the port closes.
    setImmediate(() => run.port.close())
    this.finished.set(id, run)
    while (this.finished.size > MAX_FINISHED_SESSIONS) {
      this.finished.delete(this.finished.keys().next().value as string)
    }
  }

  /** True while a session uses the model, so the page can keep Unload from pulling it away. */
  inUse(endpointId: string, model: string): boolean {
    return [...this.live.values()].some(
      (r) => r.endpointId === endpointId && r.plan.model === model,
    )
  }

  async export(sessionId: string, format: ExportFormat): Promise<string | undefined> {
    const run = this.live.get(sessionId) ?? this.finished.get(sessionId)
    if (!run) {
      throw new TritonError(
        'not-found',
        'that session is no longer available to export',
        'run the session again',
      )
    }
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')
    const path = await this.deps.saveFile(`${run.plan.model}-${stamp}.${format}`)
    if (!path) return undefined
    const { events, records } = await run.session.log.collect()
    await exportSession(path, {
      events,
      records,
      source: run.filePath,
      kind: run.plan.kind === 'detection' ? 'detection' : 'transcript',
    })
    const kept = run.summary?.unprocessed?.keptAudioPath
    if (kept) {
      const { dir, name } = parse(path)
      await copyFile(kept, join(dir, `${name}.untranscribed.wav`))
    }
    return path
  }

  /** Stops every session (each a bounded drain) and removes their folders. */
  async dispose(): Promise<void> {
    await Promise.all([...this.live.keys()].map((id) => this.stop(id).catch(() => undefined)))
    await rm(this.deps.workRoot, { recursive: true, force: true })
  }
}
