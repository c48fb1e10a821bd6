import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SessionEvent, SessionPlan } from '../../../src/shared/ipc-contract'
import { createAppStore, type AppStore } from '../../../src/renderer/src/store'
import { initialConnectionState } from '../../../src/renderer/src/store/connection-slice'
import {
  createEventBatcher,
  type BatcherScheduler,
} from '../../../src/renderer/src/store/event-batcher'
import { SERIES_CAPACITY } from '../../../src/renderer/src/metrics/breakdown-recorder'
import { initialServerMetricsState } from '../../../src/renderer/src/store/metrics-slice'
import { initialModelsState } from '../../../src/renderer/src/store/models-slice'
import {
  initialResultsState,
  MAX_FILE_DETECTIONS,
} from '../../../src/renderer/src/store/results-slice'
import {
  selectSessionModel,
  selectStartBlocker,
  selectTranscriptFinals,
} from '../../../src/renderer/src/store/selectors'
import { initialSessionState } from '../../../src/renderer/src/store/session-slice'
import { asrDetails, demoBridge, fail, ok, type FakeBridge } from './fake-bridge'

function manualScheduler() {
  let next = 1
  const frames = new Map<number, () => void>()
  const scheduler: BatcherScheduler = {
    requestFrame: (cb) => {
      frames.set(next, cb)
      return next++
    },
    cancelFrame: (h) => void frames.delete(h),
  }
  const runFrame = (): void => {
    const due = [...frames.values()]
    frames.clear()
    due.forEach((cb) => cb())
  }
  return { scheduler, runFrame, pending: () => frames.size }
}

const plan: SessionPlan = {
  sessionId: 's1',
  model: 'tone_asr',
  kind: 'streaming-asr',
  audio: { sampleRate: 16000, chunkSamples: 10240 },
}

const ev = (e: Record<string, unknown> & { kind: string }): SessionEvent =>
  e as unknown as SessionEvent

describe('initial state factories', () => {
  it('start empty and fresh each time', () => {
    expect(initialConnectionState()).toEqual({ endpoints: [], loaded: false, connecting: false })
    expect(initialModelsState().list).toEqual([])
    expect(initialSessionState().status).toBe('idle')
    expect(initialResultsState().finals).not.toBe(initialResultsState().finals)
    expect(initialServerMetricsState().polls).toEqual([])
    expect(initialResultsState().detections).not.toBe(initialResultsState().detections)
  })
})

describe('event batcher', () => {
  afterEach(() => vi.useRealTimers())

  it('delivers everything pushed in one frame as one batch', () => {
    const { scheduler, runFrame, pending } = manualScheduler()
    const deliver = vi.fn()
    const b = createEventBatcher<number>(deliver, { scheduler })
    b.push(1)
    b.push(2)
    b.push(3)
    expect(deliver).not.toHaveBeenCalled()
    expect(pending()).toBe(1)
    runFrame()
    expect(deliver).toHaveBeenCalledExactlyOnceWith([1, 2, 3])
    b.push(4)
    runFrame()
    expect(deliver).toHaveBeenLastCalledWith([4])
    b.dispose()
  })

  it('falls back to a timer when frames stop (hidden window)', () => {
    vi.useFakeTimers()
    const { scheduler } = manualScheduler()
    const deliver = vi.fn()
    const b = createEventBatcher<number>(deliver, { scheduler, maxDelayMs: 100 })
    b.push(1)
    vi.advanceTimersByTime(99)
    expect(deliver).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(deliver).toHaveBeenCalledExactlyOnceWith([1])
  })

  it('flushes what is queued on dispose and ignores later pushes', () => {
    const { scheduler } = manualScheduler()
    const deliver = vi.fn()
    const b = createEventBatcher<number>(deliver, { scheduler })
    b.push(7)
    b.dispose()
    b.push(8)
    expect(deliver).toHaveBeenCalledExactlyOnceWith([7])
  })
})

describe('results/applyEvents', () => {
  let store: AppStore
  beforeEach(() => {
    store = createAppStore({ api: demoBridge().api, now: () => 1000 })
  })

  it('folds a whole batch with one store update', () => {
    store.getState().sessionStarting(0)
    store.getState().sessionStarted(plan)
    const listener = vi.fn()
    store.subscribe(listener)
    const batch: SessionEvent[] = []
    for (let i = 0; i < 100; i++) batch.push(ev({ kind: 'latency', atMs: i, roundTripMs: i }))
    store.getState().applyEvents(batch)
    expect(listener).toHaveBeenCalledOnce()
    expect(store.getState().breakdown.recorder.roundTripView().figures?.count).toBe(100)
  })

  it('replaces partials, appends finals and keeps them in order', () => {
    store.getState().sessionStarting(0)
    store.getState().sessionStarted(plan)
    const t = (utterance: number, text: string, final: boolean) =>
      ev({
        kind: 'transcript',
        utterance,
        text,
        final,
        startSec: utterance,
        endSec: utterance + 1,
        latencyMs: 5,
      })
    store.getState().applyEvents([t(0, 'he', false), t(0, 'hello', false)])
    expect(store.getState().results.partial?.text).toBe('hello')
    store.getState().applyEvents([t(0, 'hello there', true), t(1, 'ne', false)])
    expect(selectTranscriptFinals(store.getState()).map((l) => l.text)).toEqual(['hello there'])
    expect(store.getState().results.partial?.text).toBe('ne')
    // A late partial of a finished utterance must not come back.
    store.getState().applyEvents([t(1, 'next one', true), t(1, 'next', false)])
    expect(store.getState().results.partial).toBeUndefined()
    expect(selectTranscriptFinals(store.getState())).toHaveLength(2)
    store.getState().clearTranscript()
    expect(selectTranscriptFinals(store.getState())).toHaveLength(0)
  })

  it('keeps detections sorted by media time and remembers the newest', () => {
    store.getState().sessionStarting(0)
    store.getState().sessionStarted({ ...plan, kind: 'detection', audio: undefined })
    const d = (frame: number) =>
      ev({
        kind: 'detections',
        frame,
        timeSec: frame / 10,
        sourceWidth: 64,
        sourceHeight: 48,
        boxes: [],
        latencyMs: 3,
      })
    store.getState().applyEvents([d(0), d(2), d(1)])
    const r = store.getState().results
    expect(r.detections.map((x) => x.frame)).toEqual([0, 1, 2])
    expect(r.latestDetection?.frame).toBe(1)
    expect(r.latestDetection?.receivedAtMs).toBe(1000)
    expect(r.detectionCount).toBe(3)
  })

  it('shows flow, notices and a drain from the session port in the session state', () => {
    store.getState().sessionStarting(0)
    store.getState().sessionStarted(plan)
    const flow = {
      kind: 'flow',
      queued: 3,
      queuedSec: 1.92,
      spilledSec: 0,
      inFlight: 2,
      droppedFrames: 0,
      unmatched: 1,
      retries: 4,
    }
    store
      .getState()
      .applyEvents([
        ev(flow),
        ev({ kind: 'notice', message: 'using a first chunk of 0.77 s' }),
        ev({ kind: 'ack', seq: 7, outcome: 'success' }),
        ev({ kind: 'status', state: 'stopping' }),
      ])
    const s = store.getState().session
    expect(s.flow).toEqual(flow)
    expect(s.notice).toBe('using a first chunk of 0.77 s')
    expect(s.status).toBe('stopping')
    // A credit is flow control, not a result.
    expect(store.getState().results.requestErrorCount).toBe(0)
  })

  it('turns a failed status into the session error', () => {
    store.getState().sessionStarting(0)
    store.getState().sessionStarted(plan)
    const error = { message: 'Stream broke.', hint: 'Check the link.', kind: 'stream' }
    store.getState().applyEvents([ev({ kind: 'status', state: 'failed', error })])
    expect(store.getState().session.status).toBe('failed')
    expect(store.getState().session.error).toEqual(error)
  })

  it('counts request errors and keeps the last', () => {
    store.getState().sessionStarting(0)
    store.getState().sessionStarted(plan)
    store
      .getState()
      .applyEvents([
        ev({ kind: 'request-error', message: 'a', timeSec: 1 }),
        ev({ kind: 'request-error', message: 'b', timeSec: 2 }),
      ])
    expect(store.getState().results.requestErrorCount).toBe(2)
    expect(store.getState().results.lastRequestError?.message).toBe('b')
  })

  it('keeps every round trip in the HDR figures and the newest ones for the chart', () => {
    store.getState().sessionStarting(0)
    store.getState().sessionStarted(plan)
    const total = SERIES_CAPACITY + 500
    const batch = Array.from({ length: total }, (_, i) =>
      ev({ kind: 'latency', atMs: i, roundTripMs: i }),
    )
    store.getState().applyEvents(batch)
    const view = store.getState().breakdown.recorder.roundTripView()
    expect(view.figures?.count).toBe(total)
    expect(view.lastMs).toBe(total - 1)
    expect(view.series[1]).toHaveLength(SERIES_CAPACITY)
    expect(view.series[1][0]).toBe(500)
  })
})

describe('connection and models', () => {
  let bridge: FakeBridge
  let store: AppStore
  beforeEach(() => {
    bridge = demoBridge()
    store = createAppStore({ api: bridge.api })
  })

  it('bootstraps: demo endpoint first and selected, connected, models listed, a ready model picked', async () => {
    await store.getState().bootstrap()
    const s = store.getState()
    expect(s.connection.endpoints.map((e) => e.id)).toEqual(['demo', 'remote'])
    expect(s.connection.selectedId).toBe('demo')
    expect(s.connection.connectedId).toBe('demo')
    expect(s.connection.health?.ready).toBe(true)
    expect(s.models.list.map((m) => m.name)).toEqual(['box_finder', 'tone_asr'])
    expect(s.models.selected).toBe('tone_asr')
    expect(s.models.details?.kind).toBe('streaming-asr')
    expect(bridge.calls('endpoints:health')).toEqual(['demo'])
    // Listed at start, and again once the demo endpoint is up, to show its real address.
    expect(bridge.calls('endpoints:list')).toHaveLength(2)
    // Bootstrapping is done once, even when React mounts twice.
    await store.getState().bootstrap()
    expect(bridge.calls('endpoints:list')).toHaveLength(2)
    expect(bridge.calls('endpoints:health')).toEqual(['demo'])
  })

  it('shows why a connect failed, and stays disconnected', async () => {
    bridge.handlers['endpoints:health'] = (id) =>
      ok({
        endpointId: id,
        live: false,
        ready: false,
        extensions: [],
        checkedAtMs: 1,
        error: {
          message: 'Connection refused.',
          hint: 'Is Triton running on that port?',
          kind: 'unavailable',
        },
      })
    await store.getState().loadEndpoints()
    expect(await store.getState().connect('remote')).toBe(false)
    expect(store.getState().connection.connectedId).toBeUndefined()
    expect(store.getState().connection.error?.message).toBe('Connection refused.')
    expect(bridge.calls('models:list')).toHaveLength(0)
  })

  it('keeps the connection when one health poll fails and reports it', async () => {
    await store.getState().bootstrap()
    bridge.handlers['endpoints:health'] = () => fail('Deadline exceeded.', 'The link is slow.')
    await store.getState().refreshHealth()
    expect(store.getState().connection.connectedId).toBe('demo')
    expect(store.getState().connection.error?.message).toBe('Deadline exceeded.')
  })

  it('says what blocks Start', async () => {
    expect(selectStartBlocker(store.getState())).toBe('Connect to an endpoint first.')
    await store.getState().bootstrap()
    expect(selectStartBlocker(store.getState())).toBe('Choose a file.')
    store.getState().setFilePath('/media/clip.mp4')
    expect(selectStartBlocker(store.getState())).toBeUndefined()
    store.getState().setSource('microphone')
    store.getState().setFilePath(undefined)
    expect(selectStartBlocker(store.getState())).toBeUndefined()
  })

  it('saves a profile and adopts the answer', async () => {
    await store.getState().bootstrap()
    bridge.handlers['models:save-profile'] = ({ model }) =>
      ok({ ...asrDetails, name: model, profileSaved: true })
    const r = await store.getState().saveProfile(null)
    expect(r.ok).toBe(true)
    expect(store.getState().models.details?.profileSaved).toBe(true)
  })
})

describe('results kept per batch', () => {
  let store: AppStore
  beforeEach(() => {
    store = createAppStore({ api: demoBridge().api, now: () => 1000 })
  })

  const t = (utterance: number, text: string, final: boolean) =>
    ev({
      kind: 'transcript',
      utterance,
      text,
      final,
      startSec: utterance,
      endSec: utterance + 1,
      latencyMs: 5,
    })
  const d = (frame: number) =>
    ev({
      kind: 'detections',
      frame,
      timeSec: frame / 10,
      sourceWidth: 64,
      sourceHeight: 48,
      boxes: [],
      latencyMs: 3,
    })

  it('leaves the final lines untouched while only partials arrive', () => {
    store.getState().sessionStarting(0)
    store.getState().sessionStarted(plan)
    store.getState().applyEvents([t(0, 'hello', true)])
    const finals = store.getState().results.finals
    store.getState().applyEvents([t(1, 'wor', false), t(1, 'world', false)])
    expect(store.getState().results.finals).toBe(finals)
    expect(store.getState().results.partial?.text).toBe('world')
    store.getState().applyEvents([t(1, 'world', true)])
    expect(store.getState().results.finals).not.toBe(finals)
    // Lines already there keep their identity, so their rows need no render.
    expect(store.getState().results.finals[0]).toBe(finals[0])
  })

  it('puts a late final in utterance order and keeps one line per utterance', () => {
    store.getState().sessionStarting(0)
    store.getState().sessionStarted(plan)
    store.getState().applyEvents([t(0, 'zero', true), t(2, 'two', true)])
    store.getState().applyEvents([t(1, 'one', true), t(2, 'two again', true), t(0, 'zero!', true)])
    expect(selectTranscriptFinals(store.getState()).map((l) => [l.utterance, l.text])).toEqual([
      [0, 'zero!'],
      [1, 'one'],
      [2, 'two again'],
    ])
  })

  it('keeps only the newest detection for a camera session', () => {
    store.getState().setSource('camera')
    store.getState().sessionStarting(0)
    store.getState().sessionStarted({ ...plan, kind: 'detection', audio: undefined })
    store.getState().applyEvents([d(0), d(1), d(2)])
    store.getState().applyEvents([d(3)])
    const r = store.getState().results
    expect(r.detections).toEqual([])
    expect(r.latestDetection?.frame).toBe(3)
    expect(r.detectionCount).toBe(4)
  })

  it('grows the file buffer in place under a new revision, and trims its earliest times', () => {
    store.getState().sessionStarting(0)
    store.getState().sessionStarted({ ...plan, kind: 'detection', audio: undefined })
    store.getState().applyEvents([d(0), d(1)])
    const buffer = store.getState().results.detections
    const revision = store.getState().results.detectionsRevision
    store.getState().applyEvents([d(2)])
    expect(store.getState().results.detections).toBe(buffer)
    expect(store.getState().results.detectionsRevision).toBe(revision + 1)
    expect(buffer.map((x) => x.frame)).toEqual([0, 1, 2])

    store.getState().applyEvents(Array.from({ length: MAX_FILE_DETECTIONS }, (_, i) => d(i + 3)))
    const after = store.getState().results.detections
    expect(after.length).toBeLessThanOrEqual(MAX_FILE_DETECTIONS)
    expect(after[after.length - 1].frame).toBe(MAX_FILE_DETECTIONS + 2)
    expect(after[0].frame).toBeGreaterThan(0)
    // A new session gets a buffer of its own: the old one is never mutated again.
    store.getState().resetResults()
    expect(store.getState().results.detections).not.toBe(buffer)
  })
})

describe('session ends', () => {
  it('rests the microphone level when main stops or fails the session', () => {
    const store = createAppStore({ api: demoBridge().api })
    for (const state of ['stopped', 'failed'] as const) {
      store.getState().sessionStarting(0)
      store.getState().sessionStarted(plan)
      store.getState().setMicLevel({ rms: 0.4, peak: 0.9 })
      store.getState().applyEvents([ev({ kind: 'status', state })])
      expect(store.getState().session.status).toBe(state)
      expect(store.getState().session.micLevel).toEqual({ rms: 0, peak: 0 })
    }
  })
})

describe('what Start needs', () => {
  it('refuses a device that cannot feed the selected model, before the device opens', async () => {
    const bridge = demoBridge({
      'models:details': ({ model }) =>
        model === 'tone_asr'
          ? ok(asrDetails)
          : ok({ ...asrDetails, name: model, kind: 'detection' as const }),
    })
    const store = createAppStore({ api: bridge.api })
    await store.getState().bootstrap()
    store.getState().setSource('camera')
    expect(selectStartBlocker(store.getState())).toBe(
      'tone_asr takes audio: choose Microphone or a file.',
    )
    store.getState().setSource('microphone')
    expect(selectStartBlocker(store.getState())).toBeUndefined()
    await store.getState().selectModel('box_finder')
    expect(selectStartBlocker(store.getState())).toBe(
      'box_finder takes pictures: choose Camera or a file.',
    )
    store.getState().setSource('camera')
    expect(selectStartBlocker(store.getState())).toBeUndefined()
    store.getState().setSource('file')
    expect(selectStartBlocker(store.getState())).toBe('Choose a file.')
  })

  it('names the running model, not a later pick, while the session runs', () => {
    const store = createAppStore({ api: demoBridge().api })
    store.setState((s) => ({ models: { ...s.models, selected: 'box_finder' } }))
    store.getState().sessionStarting(0)
    store.getState().sessionStarted(plan)
    expect(selectSessionModel(store.getState())).toBe('tone_asr')
    store.getState().sessionStopped()
    expect(selectSessionModel(store.getState())).toBe('box_finder')
  })
})
