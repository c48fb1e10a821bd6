import { describe, expect, it, vi } from 'vitest'
import type {
  CameraDevice,
  CaptureFactories,
  MicDevice,
} from '../../../src/renderer/src/capture/capture-devices'
import { FrameStats } from '../../../src/renderer/src/capture/frame-stats'
import { SessionController } from '../../../src/renderer/src/session/session-controller'
import { createAppStore, type AppStore } from '../../../src/renderer/src/store'
import type { Result, SessionEvent, SessionPlan } from '../../../src/shared/ipc-contract'
import type { SessionSummary } from '../../../src/shared/session-summary'
import { asrDetails, demoBridge, ok, type FakeBridge, type FakeHandlers } from './fake-bridge'

/** A promise settled from outside, to hold a step of the start where a test wants it. */
function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

class FakeMic implements MicDevice {
  closed = 0
  started = 0
  start = vi.fn(async () => {
    this.started++
  })
  async close(): Promise<void> {
    this.closed++
  }
}

class FakeCamera implements CameraDevice {
  readonly stream = new EventTarget() as unknown as MediaStream
  readonly stats = new FrameStats()
  closed = 0
  /** What play() does: resolves at once unless a test holds it. */
  play: Promise<void> = Promise.resolve()
  start = vi.fn(() => this.play)
  resultArrived(): void {}
  close(): void {
    this.closed++
  }
}

const asrPlan: SessionPlan = {
  sessionId: 's1',
  model: 'tone_asr',
  kind: 'streaming-asr',
  audio: { sampleRate: 16000, chunkSamples: 10240 },
}
const detectorPlan: SessionPlan = {
  sessionId: 's2',
  model: 'box_finder',
  kind: 'detection',
  vision: { width: 64, height: 48 },
}

interface Rig {
  store: AppStore
  bridge: FakeBridge
  controller: SessionController
  mics: FakeMic[]
  cameras: FakeCamera[]
  capture: CaptureFactories
}

async function rig(source: 'microphone' | 'camera', extra: FakeHandlers = {}): Promise<Rig> {
  const bridge = demoBridge({
    'models:details': ({ model }) =>
      ok(model === 'tone_asr' ? asrDetails : { ...asrDetails, name: model, kind: 'detection' }),
    'session:start': () => ok(source === 'camera' ? detectorPlan : asrPlan),
    'session:stop': () => ok(undefined),
    ...extra,
  })
  const store = createAppStore({ api: bridge.api })
  const mics: FakeMic[] = []
  const cameras: FakeCamera[] = []
  const capture: CaptureFactories = {
    openMic: vi.fn(async () => {
      const m = new FakeMic()
      mics.push(m)
      return m
    }),
    openCamera: vi.fn(async () => {
      const c = new FakeCamera()
      cameras.push(c)
      return c
    }),
  }
  const controller = new SessionController(store, bridge.api, capture, {
    acceptPort: bridge.acceptPort,
  })
  await store.getState().bootstrap()
  if (source === 'camera') await store.getState().selectModel('box_finder')
  store.getState().setSource(source)
  return { store, bridge, controller, mics, cameras, capture }
}

const status = (r: Rig, state: 'stopped' | 'failed', _sessionId: string, more = {}) =>
  r.store.getState().applyEvents([{ kind: 'status', state, ...more } as SessionEvent])

describe('SessionController lets go of the devices', () => {
  it('closes the microphone when the user stops', async () => {
    const r = await rig('microphone')
    await r.controller.start()
    expect(r.mics).toHaveLength(1)
    expect(r.mics[0].start).toHaveBeenCalledOnce()
    expect(r.store.getState().session.status).toBe('running')
    await r.controller.stop()
    expect(r.mics[0].closed).toBe(1)
    expect(r.bridge.calls('session:stop')).toEqual(['s1'])
    expect(r.store.getState().session.status).toBe('stopped')
  })

  it('closes the camera when main says the session stopped', async () => {
    const r = await rig('camera')
    await r.controller.start()
    expect(r.cameras[0].closed).toBe(0)
    status(r, 'stopped', 's2')
    expect(r.cameras[0].closed).toBe(1)
    expect(r.store.getState().session.status).toBe('stopped')
  })

  it('closes the microphone when main says the session failed, and keeps main’s error', async () => {
    const r = await rig('microphone')
    await r.controller.start()
    const error = { message: 'The stream broke.', hint: 'Check the link.', kind: 'stream' }
    status(r, 'failed', 's1', { error })
    expect(r.mics[0].closed).toBe(1)
    expect(r.store.getState().session.error).toEqual(error)
  })

  it('closes a device that opened after Stop, and never asks main for a session', async () => {
    const r = await rig('camera')
    const opening = deferred<CameraDevice>()
    const camera = new FakeCamera()
    r.capture.openCamera = () => opening.promise
    const started = r.controller.start()
    const stopped = r.controller.stop()
    expect(r.store.getState().session.status).toBe('stopping')
    opening.resolve(camera)
    await Promise.all([started, stopped])
    expect(camera.closed).toBe(1)
    expect(r.bridge.calls('session:start')).toHaveLength(0)
    expect(r.store.getState().session.status).toBe('stopped')
  })

  it('stops a session whose start was still on its way, once main answers', async () => {
    const answer = deferred<Result<SessionPlan>>()
    const r = await rig('microphone', { 'session:start': () => answer.promise })
    const started = r.controller.start()
    await vi.waitFor(() => expect(r.bridge.calls('session:start')).toHaveLength(1))
    const stopped = r.controller.stop()
    answer.resolve(ok(asrPlan))
    await stopped
    await started
    expect(r.mics[0].closed).toBe(1)
    expect(r.mics[0].start).not.toHaveBeenCalled()
    expect(r.bridge.calls('session:stop')).toEqual(['s1'])
    expect(r.store.getState().session.status).toBe('stopped')
  })

  it('treats a play() cut short by Stop as a stop, not as a camera failure', async () => {
    const r = await rig('camera')
    const camera = new FakeCamera()
    const play = deferred<void>()
    camera.play = play.promise
    r.capture.openCamera = async () => camera
    const started = r.controller.start()
    await vi.waitFor(() => expect(camera.start).toHaveBeenCalledOnce())
    await r.controller.stop()
    play.reject(new DOMException('The play() request was interrupted.', 'AbortError'))
    await started
    expect(camera.closed).toBe(1)
    expect(r.store.getState().session.status).toBe('stopped')
    expect(r.store.getState().session.error).toBeUndefined()
    expect(r.bridge.calls('session:stop')).toEqual(['s2'])
  })

  it('keeps main’s error when main fails the session before play() settles', async () => {
    const r = await rig('camera')
    const camera = new FakeCamera()
    const play = deferred<void>()
    camera.play = play.promise
    r.capture.openCamera = async () => camera
    const started = r.controller.start()
    await vi.waitFor(() => expect(camera.start).toHaveBeenCalledOnce())
    const error = { message: 'Model unloaded.', hint: 'Load it again.', kind: 'model' }
    status(r, 'failed', 's2', { error })
    play.reject(new DOMException('The play() request was interrupted.', 'AbortError'))
    await started
    expect(camera.closed).toBe(1)
    expect(r.store.getState().session.error).toEqual(error)
    expect(r.bridge.calls('session:stop')).toEqual([])
  })

  it('waits for the same stop when asked twice', async () => {
    const answer = deferred<Result<SessionSummary | undefined>>()
    const r = await rig('microphone', { 'session:stop': () => answer.promise })
    await r.controller.start()
    const first = r.controller.stop()
    const second = r.controller.stop()
    let secondDone = false
    void second.then(() => (secondDone = true))
    await Promise.resolve()
    expect(secondDone).toBe(false)
    answer.resolve(ok(undefined))
    await Promise.all([first, second])
    expect(secondDone).toBe(true)
    expect(r.bridge.calls('session:stop')).toHaveLength(1)
  })
})
