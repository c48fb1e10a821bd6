import type { SessionPlan, SessionStartRequest, TritonLiveApi } from '../../../shared/ipc-contract'
import type { SessionEvent } from '../../../shared/session-events'
import {
  browserCapture,
  type CameraDevice,
  type CaptureFactories,
  type MicDevice,
} from '../capture/capture-devices'
import { parseResolution } from '../capture/camera-capture'
import type { FrameStats } from '../capture/frame-stats'
import type { AppStore } from '../store'
import {
  createEventBatcher,
  type BatcherScheduler,
  type EventBatcher,
} from '../store/event-batcher'
import { selectStartBlocker } from '../store/selectors'
import { isActiveStatus } from '../store/session-slice'
import { isUserError, mediaError, sourceMismatch } from './media-errors'
import { awaitSessionPort, SessionLink } from './session-link'

/** Takes the port main posts for a session's nonce (the window's message in the app). */
export type PortAcceptor = (nonce: string) => { port: Promise<MessagePort>; cancel(): void }

export interface ControllerOptions {
  scheduler?: BatcherScheduler
  acceptPort?: PortAcceptor
}

/** 128 random bits as hex: the page's proof that a session port is the one it asked for. */
function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * Starts and stops sessions: opens the device, asks main for a plan, takes the session's port,
 * pumps audio or frames into it and folds its events into the store (batched per animation
 * frame), and releases everything in one place. Devices and ports live here, not in the store,
 * because they are resources rather than state.
 */
export class SessionController {
  private mic: MicDevice | undefined
  private camera: CameraDevice | undefined
  private link: SessionLink | undefined
  private readonly batcher: EventBatcher<SessionEvent>
  private readonly acceptPort: PortAcceptor
  private stopRequested = false
  /** The start in progress, so a stop that comes before the plan can wait for it. */
  private starting: Promise<void> | undefined
  /** The stop in progress: a second Stop (or an endpoint edit) waits for the same one. */
  private stopping: Promise<void> | undefined
  private readonly unsubscribe: () => void

  constructor(
    private readonly store: AppStore,
    private readonly api: TritonLiveApi,
    private readonly capture: CaptureFactories = browserCapture,
    options: ControllerOptions = {},
  ) {
    this.acceptPort = options.acceptPort ?? awaitSessionPort
    const scheduler = options.scheduler
    this.batcher = createEventBatcher<SessionEvent>(
      (batch) => {
        store.getState().applyEvents(batch)
        store.getState().noteDelivered()
      },
      { scheduler },
    )
    this.unsubscribe = store.subscribe((s, prev) => {
      if (s.session.status !== prev.session.status && !isActiveStatus(s.session.status)) {
        // Main ended the session (file finished, stream failed): let go of the devices.
        if (s.session.status !== 'stopping') this.release()
      }
    })
  }

  /** The session's port: its events go to the store, its frame credits to the camera. */
  private attach(port: MessagePort): SessionLink {
    const link = new SessionLink(port)
    this.link = link
    link.onEvents((events) => {
      const state = this.store.getState()
      for (const e of events) {
        // Stamped before batching: the render segment starts when the event reaches the window.
        state.noteArrival(e)
        if (e.kind === 'ack' && link === this.link) this.camera?.resultArrived()
        this.batcher.push(e)
        if (e.kind === 'status' && (e.state === 'stopped' || e.state === 'failed')) {
          this.batcher.flush()
          link.close()
          if (this.link === link) this.link = undefined
        }
      }
    })
    return link
  }

  /** Capture / sent / result rates of the running camera, for the overlay. */
  get frameStats(): FrameStats | undefined {
    return this.camera?.stats
  }

  async toggle(): Promise<void> {
    const status = this.store.getState().session.status
    if (isActiveStatus(status)) await this.stop()
    else await this.start()
  }

  start(): Promise<void> {
    const state = this.store.getState()
    if (selectStartBlocker(state) || isActiveStatus(state.session.status)) return Promise.resolve()
    const run = this.run().finally(() => {
      if (this.starting === run) this.starting = undefined
    })
    this.starting = run
    return run
  }

  /** Stops the session on screen; resolves once main has answered and the devices are closed. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping
    const { status, plan } = this.store.getState().session
    if (!isActiveStatus(status)) return Promise.resolve()
    this.stopRequested = true
    this.store.getState().sessionStopping()
    // Without a plan the start is still on its way; it finishes the stop when it returns.
    const done = plan ? this.finishStop(plan) : (this.starting ?? Promise.resolve())
    const stopping = done.finally(() => {
      if (this.stopping === stopping) this.stopping = undefined
    })
    this.stopping = stopping
    return stopping
  }

  dispose(): void {
    this.unsubscribe()
    this.batcher.dispose()
    this.link?.close()
    this.link = undefined
    const plan = this.store.getState().session.plan
    if (plan && isActiveStatus(this.store.getState().session.status)) {
      void this.api.session.stop(plan.sessionId)
    }
    this.release()
  }

  private async run(): Promise<void> {
    const state = this.store.getState()
    const { session, connection, models } = state
    const endpointId = connection.connectedId
    const model = models.selected
    if (!endpointId || !model) return
    const source = session.source
    this.stopRequested = false
    const startedAtMs = Date.now()
    state.resetResults()
    state.resetBreakdown(startedAtMs, source)
    state.sessionStarting(startedAtMs)

    try {
      if (source === 'microphone') this.mic = await this.capture.openMic(session.micDeviceId)
      if (source === 'camera') {
        this.camera = await this.capture.openCamera({
          deviceId: session.cameraDeviceId,
          ...parseResolution(session.cameraResolution),
          fpsCap: session.cameraFpsCap,
        })
      }
    } catch (err) {
      this.release()
      if (this.stopRequested) return this.finishStop(undefined)
      this.store.getState().sessionFailed(mediaError(err, source))
      return
    }
    if (this.stopRequested) return this.finishStop(undefined)

    const request: SessionStartRequest = {
      endpointId,
      model,
      source,
      nonce: newNonce(),
      ...(source === 'file' ? { filePath: session.filePath, pace: session.pace } : {}),
      ...(source === 'microphone' ? { chunkMs: session.chunkMs } : {}),
    }
    // Listen before asking: main posts the port before it answers.
    const portWait = this.acceptPort(request.nonce)
    const r = await this.api.session.start(request)
    if (r.ok) {
      try {
        this.attach(await portWait.port)
      } catch (err) {
        this.release()
        await this.api.session.stop(r.value.sessionId)
        this.store.getState().sessionFailed({
          message: err instanceof Error ? err.message : String(err),
          hint: 'reload the window and start again',
          kind: 'port',
        })
        return
      }
    } else {
      portWait.cancel()
    }
    if (!r.ok) {
      this.release()
      // Stopped while main was refusing: the user asked to stop, so stopped it is.
      if (this.stopRequested) return this.finishStop(undefined)
      this.store.getState().sessionFailed(r.error)
      return
    }
    const plan = r.value
    if (this.stopRequested) return this.finishStop(plan)
    this.store.getState().sessionStarted(plan, this.camera?.stream)
    await this.pump(plan)
  }

  private async pump(plan: SessionPlan): Promise<void> {
    const { api, store } = this
    const mic = this.mic
    const camera = this.camera
    try {
      if (mic) {
        if (!plan.audio) throw sourceMismatch(plan.kind, 'microphone')
        const link = this.link
        await mic.start(
          plan.audio,
          (samples, at) => link?.sendAudio(samples, at),
          (level) => store.getState().setMicLevel(level),
        )
      }
      if (camera) {
        if (!plan.vision) throw sourceMismatch(plan.kind, 'camera')
        const link = this.link
        await camera.start(plan.vision, (f) => link?.sendFrame(f))
      }
    } catch (err) {
      // Stop, Esc or an endpoint switch before play() or resume() settled makes them reject
      // (AbortError), and main may have ended the session first: neither is the device's
      // fault, and main's own error must stand. The stop path, or the store subscription,
      // has already let go of the devices, which may by now belong to a newer session.
      const s = store.getState().session
      if (this.stopRequested || s.plan?.sessionId !== plan.sessionId || !isActiveStatus(s.status))
        return
      const error = isUserError(err) ? err : mediaError(err, mic ? 'microphone' : 'camera')
      this.release()
      await api.session.stop(plan.sessionId)
      store.getState().sessionFailed(error)
    }
  }

  private async finishStop(plan: SessionPlan | undefined): Promise<void> {
    this.release()
    if (!plan) {
      this.store.getState().sessionStopped()
      return
    }
    if (!this.store.getState().session.plan) this.store.getState().sessionStarted(plan)
    const r = await this.api.session.stop(plan.sessionId)
    const s = this.store.getState()
    if (r.ok) s.sessionStopped(r.value)
    else {
      s.sessionStopped()
      s.sessionFailed(r.error)
    }
  }

  private release(): void {
    const mic = this.mic
    const camera = this.camera
    this.mic = undefined
    this.camera = undefined
    if (mic) void mic.close()
    camera?.close()
  }
}
