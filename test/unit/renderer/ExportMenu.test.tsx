// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { App } from '../../../src/renderer/src/App'
import { ExportMenu } from '../../../src/renderer/src/components/ExportMenu'
import { exportChoices, exportKindOf } from '../../../src/renderer/src/components/export-formats'
import { SessionController } from '../../../src/renderer/src/session/session-controller'
import { createAppStore } from '../../../src/renderer/src/store'
import type { SessionPlan } from '../../../src/shared/ipc-contract'
import { demoBridge, fail, ok } from './fake-bridge'

beforeAll(() => {
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null)
})
afterEach(cleanup)

const formats = (kind: 'transcript' | 'detection', fromFile: boolean) =>
  exportChoices(kind, fromFile).map((c) => c.format)

describe('export formats per session kind', () => {
  it('offers text, subtitles, JSON and the latency log for transcripts', () => {
    expect(formats('transcript', true)).toEqual(['txt', 'srt', 'vtt', 'json', 'csv'])
    expect(formats('transcript', false)).toEqual(['txt', 'srt', 'vtt', 'json', 'csv'])
  })

  it('offers the annotated video only for detections from a file', () => {
    expect(formats('detection', true)).toEqual(['jsonl', 'json', 'mp4', 'csv'])
    expect(formats('detection', false)).toEqual(['jsonl', 'json', 'csv'])
  })

  it('reads the kind and the source from the session plan', () => {
    const base = { sessionId: 's', model: 'm' }
    expect(exportKindOf({ ...base, kind: 'offline-asr' })).toEqual({
      kind: 'transcript',
      fromFile: false,
    })
    expect(exportKindOf({ ...base, kind: 'detection', mediaUrl: 'x', mediaKind: 'video' })).toEqual(
      {
        kind: 'detection',
        fromFile: true,
      },
    )
    expect(exportKindOf({ ...base, kind: 'generic' })).toBeUndefined()
  })

  it('renders one entry per format and reports what was saved or what failed', () => {
    const onExport = vi.fn()
    const { rerender } = render(
      <ExportMenu
        choices={exportChoices('detection', false)}
        disabled={false}
        onExport={onExport}
      />,
    )
    expect(screen.queryByTestId('export-mp4')).toBeNull()
    fireEvent.click(screen.getByTestId('export-jsonl'))
    expect(onExport).toHaveBeenCalledWith('jsonl')
    rerender(
      <ExportMenu
        choices={exportChoices('detection', true)}
        disabled={false}
        saved={{ format: 'mp4', path: '/tmp/out/boxes.mp4' }}
        onExport={onExport}
      />,
    )
    expect(screen.getByTestId('export-mp4').textContent).toBe('Annotated video (.mp4)')
    expect(screen.getByTestId('export-saved').textContent).toBe('Saved MP4 to /tmp/out/boxes.mp4')
    rerender(
      <ExportMenu
        choices={[]}
        disabled={false}
        error={{ message: 'cannot export x.srt', hint: 'use .json', kind: 'export' }}
        onExport={onExport}
      />,
    )
    expect(screen.getByTestId('export-error').textContent).toBe('cannot export x.srt (use .json)')
  })
})

describe('exports in the app', () => {
  const plan: SessionPlan = {
    sessionId: 's1',
    model: 'tone_asr',
    kind: 'streaming-asr',
    audio: { sampleRate: 16000, chunkSamples: 10240 },
    mediaUrl: 'triton-media://session/s1',
    mediaKind: 'audio',
  }

  it('exports the last transcript session as SRT and shows where it went', async () => {
    const bridge = demoBridge({
      'files:pick': () => ok<string | undefined>('/samples/tone-text.wav'),
      'session:start': () => ok(plan),
      'session:stop': () => ok(undefined),
      'session:export': ({ format }) => ok<string | undefined>(`/home/me/tone_asr.${format}`),
    })
    const store = createAppStore({ api: bridge.api })
    render(
      <App
        api={bridge.api}
        store={store}
        controller={
          new SessionController(store, bridge.api, undefined, { acceptPort: bridge.acceptPort })
        }
      />,
    )
    await waitFor(() => expect(screen.getByTestId('model-details')).toBeTruthy())
    // No session yet: nothing to export.
    expect(screen.getByTestId('export-srt').hasAttribute('disabled')).toBe(true)
    fireEvent.click(screen.getByTestId('file-pick'))
    await waitFor(() => expect(screen.getByTestId('file-path').textContent).toBe('tone-text.wav'))
    fireEvent.click(screen.getByTestId('session-start'))
    await waitFor(() => expect(screen.getByTestId('session-stop')).toBeTruthy())
    fireEvent.click(screen.getByTestId('session-stop'))
    await waitFor(() => expect(screen.getByTestId('session-start')).toBeTruthy())
    expect(
      ['txt', 'srt', 'vtt', 'json', 'csv'].every((f) => screen.queryByTestId(`export-${f}`)),
    ).toBe(true)
    fireEvent.click(screen.getByTestId('export-srt'))
    await waitFor(() =>
      expect(screen.getByTestId('export-saved').textContent).toBe(
        'Saved SRT to /home/me/tone_asr.srt',
      ),
    )
    expect(bridge.calls('session:export')).toEqual([{ sessionId: 's1', format: 'srt' }])
    bridge.handlers['session:export'] = () =>
      fail<string | undefined>(
        'that session is no longer available to export',
        'run the session again',
      )
    fireEvent.click(screen.getByTestId('export-txt'))
    await waitFor(() =>
      expect(screen.getByTestId('export-error').textContent).toContain('no longer available'),
    )
  })
})
