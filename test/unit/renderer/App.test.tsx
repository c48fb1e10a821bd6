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
import { createAppStore, StoreContext, type AppStore } from '../../../src/renderer/src/store'
import type {
  SessionEvent,
  SessionPlan,
  SessionStartRequest,
} from '../../../src/shared/ipc-contract'
import { presetLine } from '../../../src/shared/preset-line'
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

function mount(extra: FakeHandlers = {}): { bridge: FakeBridge; store: AppStore } {
  const bridge = demoBridge({
    'files:pick': () => ok<string | undefined>('/samples/hello-tones.wav'),
    'session:start': () => ok(plan),
    'session:stop': () => ok(undefined),
    ...extra,
  })
  const store = createAppStore({ api: bridge.api })
  const controller = new SessionController(store, bridge.api, undefined, {
    acceptPort: bridge.acceptPort,
  })
  render(<App api={bridge.api} store={store} controller={controller} />)
  return { bridge, store }
}

/** Mounts, waits for the demo's models, picks a file and starts a file session. */
async function startFileSession(extra: FakeHandlers = {}) {
  const mounted = mount(extra)
  await waitFor(() => expect(screen.getByTestId('model-details')).toBeTruthy())
  fireEvent.click(screen.getByTestId('file-pick'))
  await waitFor(() => expect(screen.getByTestId('file-path').textContent).toBe('hello-tones.wav'))
  fireEvent.click(screen.getByTestId('session-start'))
  await waitFor(() => expect(screen.getByTestId('session-stop')).toBeTruthy())
  return mounted
}

const emit = (bridge: FakeBridge, e: SessionEvent) => act(() => bridge.emit(e))

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
      nonce: bridge.nonces[0],
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

  it('shows the preset line the CLI prints when a session starts on a model with a family preset', async () => {
    const line = presetLine({
      profileSaved: false,
      preset: {
        id: 'sherpa-streaming-transducer',
        name: 'sherpa streaming transducer',
        source: 'k2-fsa/sherpa triton/model_repo_streaming',
        summary: 'sherpa streaming transducer, first chunk 0.77 s then 0.64 s',
        settings: {},
      },
    })
    expect(line).toBe(
      'preset: sherpa streaming transducer, first chunk 0.77 s then 0.64 s (k2-fsa/sherpa triton/model_repo_streaming)',
    )
    await startFileSession({ 'session:start': () => ok({ ...plan, preset: line }) })
    expect(screen.getByTestId('session-preset').textContent).toBe(line)
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

describe('keyboard and locks around a running session', () => {
  it('leaves Space on a focused summary (Export ▾) to the summary', async () => {
    const { bridge } = mount()
    await waitFor(() => expect(screen.getByTestId('model-details')).toBeTruthy())
    fireEvent.click(screen.getByTestId('file-pick'))
    await waitFor(() => expect(screen.getByTestId('file-path').textContent).toBe('hello-tones.wav'))
    const summary = screen.getByTestId('export-toggle')
    summary.focus()
    fireEvent.keyDown(summary, { key: ' ' })
    // Space on a listbox option picks the option.
    const row = screen.getAllByTestId('model-row')[0]
    fireEvent.keyDown(row, { key: ' ' })
    expect(bridge.calls('session:start')).toHaveLength(0)
    // On the page itself, Space still starts.
    fireEvent.keyDown(document.body, { key: ' ' })
    await waitFor(() => expect(bridge.calls('session:start')).toHaveLength(1))
  })

  it('keeps Esc and Ctrl+Enter for the field being typed in', async () => {
    const { bridge } = await startFileSession()
    const profile = screen.getByTestId('profile-text')
    fireEvent.keyDown(profile, { key: 'Escape' })
    fireEvent.keyDown(profile, { key: 'Enter', ctrlKey: true })
    expect(bridge.calls('session:stop')).toHaveLength(0)
    expect(screen.getByTestId('session-stop')).toBeTruthy()
    fireEvent.keyDown(document.body, { key: 'Escape' })
    await waitFor(() => expect(bridge.calls('session:stop')).toEqual(['s1']))
  })

  it('lets the chunk length be typed digit by digit and clamps it when done', async () => {
    const { store } = mount()
    fireEvent.click(screen.getByTestId('source-microphone'))
    const chunk = screen.getByTestId('mic-chunk-ms') as HTMLInputElement
    for (const typed of ['1', '16', '160']) fireEvent.change(chunk, { target: { value: typed } })
    expect(chunk.value).toBe('160')
    expect(store.getState().session.chunkMs).toBe(640)
    fireEvent.blur(chunk)
    expect(store.getState().session.chunkMs).toBe(160)
    fireEvent.change(chunk, { target: { value: '5' } })
    fireEvent.keyDown(chunk, { key: 'Enter' })
    expect(store.getState().session.chunkMs).toBe(20)
    expect(chunk.value).toBe('20')
    fireEvent.change(chunk, { target: { value: '' } })
    fireEvent.blur(chunk)
    expect(chunk.value).toBe('20')
  })

  it('keeps the running model picked and named until the session ends', async () => {
    const { bridge } = await startFileSession()
    const detailsAsked = bridge.calls('models:details').length
    const other = screen
      .getAllByTestId('model-row')
      .find((r) => r.getAttribute('data-model') === 'box_finder') as HTMLElement
    expect(other.getAttribute('aria-disabled')).toBe('true')
    fireEvent.click(other)
    fireEvent.keyDown(other, { key: 'Enter' })
    expect(bridge.calls('models:details')).toHaveLength(detailsAsked)
    expect(screen.getByTestId('session-status').textContent).toContain('tone_asr running')
    fireEvent.click(screen.getByTestId('session-stop'))
    await waitFor(() => expect(screen.getByTestId('session-start')).toBeTruthy())
    fireEvent.click(other)
    await waitFor(() => expect(bridge.calls('models:details')).toHaveLength(detailsAsked + 1))
  })

  it('picks a model from the keyboard: arrows move, Enter picks', async () => {
    const { bridge } = mount()
    await waitFor(() => expect(screen.getByTestId('model-details')).toBeTruthy())
    const rows = screen.getAllByTestId('model-row')
    const selected = rows.find((r) => r.getAttribute('aria-selected') === 'true') as HTMLElement
    expect(selected.tabIndex).toBe(0)
    expect(rows.filter((r) => r.tabIndex === 0)).toHaveLength(1)
    selected.focus()
    fireEvent.keyDown(selected, { key: 'ArrowUp' })
    const first = rows[0]
    expect(document.activeElement).toBe(first)
    fireEvent.keyDown(first, { key: 'Enter' })
    await waitFor(() =>
      expect(bridge.calls('models:details')).toContainEqual({
        endpointId: 'demo',
        model: first.getAttribute('data-model'),
      }),
    )
  })

  it('refuses to open the camera for a model that takes audio', async () => {
    const { bridge } = mount()
    await waitFor(() => expect(screen.getByTestId('model-details')).toBeTruthy())
    fireEvent.click(screen.getByTestId('source-camera'))
    const start = screen.getByTestId('session-start') as HTMLButtonElement
    expect(start.disabled).toBe(true)
    expect(screen.getByTestId('start-blocker').textContent).toBe(
      'Start is off: tone_asr takes audio: choose Microphone or a file.',
    )
    fireEvent.keyDown(document.body, { key: ' ' })
    expect(bridge.calls('session:start')).toHaveLength(0)
  })

  it('stops the session before removing the endpoint it streams to', async () => {
    const { bridge, store } = mount({ 'endpoints:remove': () => ok(undefined) })
    await waitFor(() => expect(screen.getByTestId('model-details')).toBeTruthy())
    await act(() => store.getState().connect('remote'))
    await waitFor(() =>
      expect(screen.getByTestId('model-details').getAttribute('data-model')).toBe('tone_asr'),
    )
    fireEvent.click(screen.getByTestId('file-pick'))
    await waitFor(() => expect(screen.getByTestId('file-path').textContent).toBe('hello-tones.wav'))
    fireEvent.click(screen.getByTestId('session-start'))
    await waitFor(() => expect(screen.getByTestId('session-stop')).toBeTruthy())
    expect(screen.getByTestId('endpoint-remove').title).toBe('Stops the running session first')
    fireEvent.click(screen.getByTestId('endpoint-remove'))
    fireEvent.click(screen.getByTestId('endpoint-remove-confirm'))
    await waitFor(() => expect(bridge.calls('endpoints:remove')).toEqual(['remote']))
    const order = bridge.invoked
      .map((c) => c.channel)
      .filter((c) => c === 'session:stop' || c === 'endpoints:remove')
    expect(order).toEqual(['session:stop', 'endpoints:remove'])
    expect(store.getState().session.status).toBe('stopped')
    expect(store.getState().connection.connectedId).toBeUndefined()
  })
})

describe('health polling', () => {
  afterEach(() => vi.useRealTimers())

  it('polls the connected endpoint and turns the badge red when it stops answering', async () => {
    vi.useFakeTimers()
    const bridge = demoBridge()
    const store = createAppStore({ api: bridge.api })
    await store.getState().bootstrap()
    const { unmount } = renderHook(() => useHealthPolling(20), {
      wrapper: ({ children }) => (
        <StoreContext.Provider value={store}>{children}</StoreContext.Provider>
      ),
    })
    const healthCalls = () => bridge.calls('endpoints:health').length
    // One check on connect, then one per interval.
    await act(() => vi.advanceTimersByTimeAsync(60))
    expect(healthCalls()).toBe(4)
    bridge.handlers['endpoints:health'] = (id) =>
      ok({
        endpointId: id,
        live: false,
        ready: false,
        extensions: [],
        checkedAtMs: 2,
        error: { message: 'Connection refused.', hint: 'Is the server up?', kind: 'unavailable' },
      })
    await act(() => vi.advanceTimersByTimeAsync(20))
    expect(store.getState().connection.health?.live).toBe(false)
    expect(store.getState().connection.error?.message).toBe('Connection refused.')
    unmount()
    const calls = healthCalls()
    await vi.advanceTimersByTimeAsync(200)
    expect(healthCalls()).toBe(calls)
  })
})
