import { beforeEach, describe, expect, it } from 'vitest'
import { createAppStore, type AppStore } from '../../../src/renderer/src/store'
import { selectAnsweredCount, selectEmptyAnswers } from '../../../src/renderer/src/store/selectors'
import type { SessionEvent, SessionPlan } from '../../../src/shared/ipc-contract'
import { emptyOutcomes, type SessionSummary } from '../../../src/shared/session-summary'
import { demoBridge } from './fake-bridge'

const asr: SessionPlan = { sessionId: 's1', model: 'tone_asr', kind: 'streaming-asr' }
const detector: SessionPlan = { sessionId: 's1', model: 'boxes', kind: 'detection' }

const latency = (atMs: number): SessionEvent => ({
  kind: 'latency',
  atMs,
  roundTripMs: 5,
})

const frame = (n: number, boxes: number): SessionEvent => ({
  kind: 'detections',
  frame: n,
  timeSec: n / 10,
  sourceWidth: 64,
  sourceHeight: 64,
  latencyMs: 5,
  boxes: Array.from({ length: boxes }, () => ({
    x: 1,
    y: 1,
    width: 4,
    height: 4,
    score: 0.9,
    classId: 0,
    label: 'red',
  })),
})

const summary = (successes: number): SessionSummary => ({
  requests: successes,
  successes,
  failures: 0,
  successRate: 1,
  durationSec: 1,
  throughput: successes,
  p50Ms: 5,
  p95Ms: 5,
  p99Ms: 5,
  meanMs: 5,
  minMs: 5,
  maxMs: 5,
  outcomes: { ...emptyOutcomes(), success: successes },
  unmatched: 0,
  retries: 0,
  linkLosses: 0,
  reconnects: 0,
  droppedFrames: 0,
  emptyAnswers: successes,
})

let store: AppStore
beforeEach(() => {
  store = createAppStore({ api: demoBridge().api, now: () => 1000 })
})

/** A new session as the controller starts one: fresh results and round trips. */
function run(plan: SessionPlan, events: SessionEvent[]): void {
  store.setState((s) => ({ models: { ...s.models, selected: plan.model } }))
  store.getState().resetResults()
  store.getState().resetBreakdown(0, 'file')
  store.getState().sessionStarting(0)
  store.getState().sessionStarted(plan)
  store.getState().applyEvents(events)
}

describe('a session whose answers were all empty', () => {
  it('says how often the transcriber answered without text, while it runs and once it ends', () => {
    run(asr, [latency(1), latency(2), latency(3)])
    expect(selectAnsweredCount(store.getState())).toBe(3)
    expect(selectEmptyAnswers(store.getState())).toBe(
      'tone_asr has answered 3 times, with no text so far.',
    )
    store.getState().sessionStopped(summary(4))
    expect(selectEmptyAnswers(store.getState())).toBe('tone_asr answered 4 times with no text.')
  })

  it('says nothing before the first answer, or once any text came', () => {
    run(asr, [])
    expect(selectEmptyAnswers(store.getState())).toBeUndefined()
    store.getState().applyEvents([
      latency(1),
      {
        kind: 'transcript',
        utterance: 0,
        final: false,
        text: 'he',
        startSec: 0,
        endSec: 1,
        latencyMs: 5,
      },
    ])
    expect(selectEmptyAnswers(store.getState())).toBeUndefined()
  })

  it('says a detector answered without boxes, and stops once one frame has a box', () => {
    run(detector, [latency(1), frame(0, 0), latency(2), frame(1, 0)])
    store.getState().sessionStopped(summary(2))
    expect(selectEmptyAnswers(store.getState())).toBe('boxes answered 2 times with no boxes.')
    run(detector, [latency(1), frame(0, 1), latency(2), frame(1, 0)])
    expect(selectEmptyAnswers(store.getState())).toBeUndefined()
  })

  it('is forgotten once another model is picked', () => {
    run(asr, [latency(1)])
    store.getState().sessionStopped(summary(1))
    store.setState((s) => ({ models: { ...s.models, selected: 'other' } }))
    expect(selectEmptyAnswers(store.getState())).toBeUndefined()
  })

  it('says "once" for a single answer', () => {
    run(asr, [latency(1)])
    store.getState().sessionStopped(summary(1))
    expect(selectEmptyAnswers(store.getState())).toBe('tone_asr answered once with no text.')
  })
})
