import { describe, expect, it } from 'vitest'
import { createAppStore } from '../../../src/renderer/src/store'
import {
  selectModelInUse,
  selectModelKind,
  selectPlanOnScreen,
  selectStartBlocker,
} from '../../../src/renderer/src/store/selectors'
import { forgetFinishedSession } from '../../../src/renderer/src/store/session-hygiene'
import { initialSessionState } from '../../../src/renderer/src/store/session-slice'
import type { ModelDetails, SessionPlan } from '../../../src/shared/ipc-contract'
import { asrDetails, demoBridge, ok } from './fake-bridge'

const plan: SessionPlan = { sessionId: 's1', model: 'tone_asr', kind: 'streaming-asr' }
const detector: ModelDetails = { ...asrDetails, name: 'box_finder', kind: 'detection' }

async function connected() {
  const bridge = demoBridge({
    'models:details': ({ model }) => ok(model === 'box_finder' ? detector : asrDetails),
    'models:unload': () => ok(undefined),
  })
  const store = Object.assign(createAppStore({ api: bridge.api }), { bridge })
  await store.getState().bootstrap()
  await store.getState().selectModel('tone_asr')
  return store
}

describe('picking another model after a session', () => {
  it('forgets the failed session: no error, no "failed" status, no summary', async () => {
    const store = await connected()
    store.getState().sessionStarting(0)
    store.getState().sessionStarted(plan)
    store.getState().sessionFailed({ message: 'boom', hint: 'retry', kind: 'session' })
    expect(store.getState().session.status).toBe('failed')
    await store.getState().selectModel('box_finder')
    const { session } = store.getState()
    expect([session.status, session.error, session.summary]).toEqual(['idle', undefined, undefined])
    // The stage prepares for the model now picked, not for the last session's.
    expect(selectPlanOnScreen(store.getState())).toBeUndefined()
    expect(selectModelKind(store.getState())).toBe('detection')
  })

  it('keeps the last session on screen while its model stays picked', async () => {
    const store = await connected()
    store.getState().sessionStarting(0)
    store.getState().sessionStarted(plan)
    store.getState().sessionStopped()
    await store.getState().selectModel('tone_asr')
    expect(store.getState().session.status).toBe('stopped')
    expect(selectPlanOnScreen(store.getState())).toBe(plan)
  })

  it('leaves a running session alone and names the model it uses', async () => {
    const store = await connected()
    expect(selectModelInUse(store.getState())).toBeUndefined()
    store.getState().sessionStarting(0)
    expect(selectModelInUse(store.getState())).toBe('tone_asr')
    store.getState().sessionStarted(plan)
    const running = store.getState().session
    expect(forgetFinishedSession(running)).toBe(running)
    expect(selectModelInUse(store.getState())).toBe('tone_asr')
    store.getState().sessionStopped()
    expect(selectModelInUse(store.getState())).toBeUndefined()
  })

  it('refuses to unload the model a running session uses, and says why', async () => {
    const store = await connected()
    store.getState().sessionStarting(0)
    store.getState().sessionStarted(plan)
    await store.getState().unloadModel('tone_asr')
    expect(store.bridge.calls('models:unload')).toHaveLength(0)
    expect(store.getState().models.error?.message).toBe(
      'tone_asr is in use by the running session.',
    )
    store.getState().sessionStopped()
    await store.getState().unloadModel('tone_asr')
    expect(store.bridge.calls('models:unload')).toHaveLength(1)
  })

  it('does not copy a state that has nothing to forget', () => {
    const idle = initialSessionState()
    expect(forgetFinishedSession(idle)).toBe(idle)
  })

  it('says why Start is off until it can start', async () => {
    const store = await connected()
    expect(selectStartBlocker(store.getState())).toBe('Choose a file.')
    store.getState().setFilePath('/samples/a.wav')
    expect(selectStartBlocker(store.getState())).toBeUndefined()
  })
})
