// @vitest-environment jsdom
import {
  act,
  cleanup,
  fireEvent,
  render,
  renderHook,
  screen,
  waitFor,
} from '@testing-library/react'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { App } from '../../../src/renderer/src/App'
import { SessionController } from '../../../src/renderer/src/session/session-controller'
import { useHealthPolling } from '../../../src/renderer/src/hooks/useHealthPolling'
import { createAppStore, StoreContext } from '../../../src/renderer/src/store'
import type {
  SessionEvent,
  SessionPlan,
  SessionStartRequest,
} from '../../../src/shared/ipc-contract'
import { demoBridge, fail, ok, type FakeBridge, type FakeHandlers } from './fake-bridge'

beforeAll(() => {
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null)
})
afterEach(cleanup)

const plan: SessionPlan = {
  sessionId: 's1',
  model: 'tone_asr',
  kind: 'streaming-asr',
  audio: { sampleRate: 16000, chunkSamples: 10240 },
  mediaUrl: 'triton-media://session/s1',
  mediaKind: 'audio',
}

function mount(extra: FakeHandlers = {}): { bridge: FakeBridge } {
  const bridge = demoBridge({
    'files:pick': () => ok<string | undefined>('/samples/hello-tones.wav'),
    'session:start': () => ok(plan),
    'session:stop': () => ok(undefined),
    ...extra,
  })
  const store = createAppStore({ api: bridge.api })
  const controller = new SessionController(store, bridge.api)
  render(<App api={bridge.api} store={store} controller={controller} />)
  return { bridge }
}

const emit = (bridge: FakeBridge, e: Omit<SessionEvent, 'sessionId'> & Record<string, unknown>) =>
  act(() => bridge.emit({ sessionId: 's1', ...e } as SessionEvent))

describe('App over a fake bridge', () => {
  it('connects to the demo endpoint on first load and shows its models', async () => {
    mount()
    await waitFor(() => expect(screen.getAllByTestId('model-row')).toHaveLength(2))
    expect(screen.getByTestId('health-badge').getAttribute('data-state')).toBe('ready')
    await waitFor(() =>
      expect(screen.getByTestId('model-details').getAttribute('data-model')).toBe('tone_asr'),
    )
    expect((screen.getByTestId('session-start') as HTMLButtonElement).disabled).toBe(true) // no file yet
  })

  it('plays a file session end to end: pick, start, live transcript and latency, Esc stops', async () => {
    const { bridge } = mount()
    await waitFor(() => expect(screen.getByTestId('model-details')).toBeTruthy())
    fireEvent.click(screen.getByTestId('file-pick'))
    await waitFor(() => expect(screen.getByTestId('file-path').textContent).toBe('hello-tones.wav'))
    fireEvent.click(screen.getByTestId('pace-fast'))
    fireEvent.click(screen.getByTestId('session-start'))
    await waitFor(() => expect(screen.getByTestId('session-stop')).toBeTruthy())
    expect(bridge.calls('session:start')[0]).toEqual<SessionStartRequest>({
      endpointId: 'demo',
      model: 'tone_asr',
      source: 'file',
      filePath: '/samples/hello-tones.wav',
      pace: 'fast',
    })
    expect(screen.getByTestId('file-audio').getAttribute('src')).toBe(plan.mediaUrl)

    emit(bridge, {
      kind: 'transcript',
      utterance: 0,
      final: false,
      text: 'hel',
      startSec: 0.2,
      endSec: 0.6,
      latencyMs: 12,
    })
    await waitFor(() =>
      expect(screen.getByTestId('transcript-partial').textContent).toContain('hel'),
    )
    emit(bridge, {
      kind: 'transcript',
      utterance: 0,
      final: true,
      text: 'hello',
      startSec: 0.2,
      endSec: 1.1,
      latencyMs: 14,
    })
    for (const rt of [10, 20, 30, 40])
      emit(bridge, { kind: 'latency', atMs: 1000 + rt, roundTripMs: rt })
    await waitFor(() =>
      expect(screen.getByTestId('transcript-final').textContent).toContain('hello'),
    )
    expect(screen.queryByTestId('transcript-partial')).toBeNull()
    await waitFor(() => expect(screen.getByTestId('latency-p50').textContent).toBe('20.0'))
    expect(screen.getByTestId('latency-last').textContent).toBe('40.0')
    expect(screen.getByTestId('latency-mean').textContent).toBe('25.0')

    emit(bridge, { kind: 'request-error', message: 'Model busy.', timeSec: 3.5 })
    await waitFor(() =>
      expect(screen.getByTestId('request-error-banner').textContent).toContain('00:03.5'),
    )

    fireEvent.keyDown(window, { key: 'Escape' })
    await waitFor(() => expect(bridge.calls('session:stop')).toEqual(['s1']))
    await waitFor(() => expect(screen.getByTestId('session-start')).toBeTruthy())
  })

  it('starts with Space and stops with Ctrl+Enter', async () => {
    const { bridge } = mount()
    await waitFor(() => expect(screen.getByTestId('model-details')).toBeTruthy())
    fireEvent.drop(screen.getByTestId('source-panel'), {
      dataTransfer: { files: [new File(['x'], 'clip.mp4', { type: 'video/mp4' })] },
    })
    await waitFor(() => expect(screen.getByTestId('file-path').textContent).toBe('clip.mp4'))
    fireEvent.keyDown(document.body, { key: ' ' })
    await waitFor(() => expect(bridge.calls('session:start')).toHaveLength(1))
    expect((bridge.calls('session:start')[0] as SessionStartRequest).filePath).toBe(
      '/dropped/clip.mp4',
    )
    await waitFor(() => expect(screen.getByTestId('session-stop')).toBeTruthy())
    fireEvent.keyDown(document.body, { key: 'Enter', ctrlKey: true })
    await waitFor(() => expect(bridge.calls('session:stop')).toHaveLength(1))
  })

  it('shows a failed start in the source panel with its hint', async () => {
    mount({
      'session:start': () =>
        fail<SessionPlan>('The file has no audio track.', 'Pick a file with sound.', 'media'),
    })
    await waitFor(() => expect(screen.getByTestId('model-details')).toBeTruthy())
    fireEvent.click(screen.getByTestId('file-pick'))
    await waitFor(() => expect(screen.getByTestId('file-path').textContent).toBe('hello-tones.wav'))
    fireEvent.click(screen.getByTestId('session-start'))
    const banner = await screen.findByTestId('session-error')
    expect(banner.textContent).toContain('The file has no audio track.')
    expect(banner.textContent).toContain('Pick a file with sound.')
    expect(screen.getByTestId('session-status').getAttribute('data-state')).toBe('failed')
  })

  it('reports a failure that main sends mid-session', async () => {
    const { bridge } = mount()
    await waitFor(() => expect(screen.getByTestId('model-details')).toBeTruthy())
    fireEvent.click(screen.getByTestId('file-pick'))
    await waitFor(() => expect(screen.getByTestId('file-path').textContent).toBe('hello-tones.wav'))
    fireEvent.click(screen.getByTestId('session-start'))
    await waitFor(() => expect(screen.getByTestId('session-stop')).toBeTruthy())
    emit(bridge, {
      kind: 'status',
      state: 'failed',
      error: { message: 'The stream to Triton broke.', hint: 'Check the network.', kind: 'stream' },
    })
    const banner = await screen.findByTestId('session-error')
    expect(banner.textContent).toContain('The stream to Triton broke.')
    expect(screen.getByTestId('session-start')).toBeTruthy()
  })
})

describe('health polling', () => {
  it('polls the connected endpoint and turns the badge red when it stops answering', async () => {
    const bridge = demoBridge()
    const store = createAppStore({ api: bridge.api })
    await store.getState().bootstrap()
    const { unmount } = renderHook(() => useHealthPolling(20), {
      wrapper: ({ children }) => (
        <StoreContext.Provider value={store}>{children}</StoreContext.Provider>
      ),
    })
    await waitFor(() => expect(bridge.calls('endpoints:health').length).toBeGreaterThanOrEqual(3))
    bridge.handlers['endpoints:health'] = (id) =>
      ok({
        endpointId: id,
        live: false,
        ready: false,
        extensions: [],
        checkedAtMs: 2,
        error: { message: 'Connection refused.', hint: 'Is the server up?', kind: 'unavailable' },
      })
    await waitFor(() => expect(store.getState().connection.health?.live).toBe(false))
    expect(store.getState().connection.error?.message).toBe('Connection refused.')
    unmount()
    const calls = bridge.calls('endpoints:health').length
    await new Promise((r) => setTimeout(r, 80))
    expect(bridge.calls('endpoints:health').length).toBe(calls)
  })
})
