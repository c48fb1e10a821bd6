// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SessionFlowLine, SessionOutcome } from '../../../src/renderer/src/components/SessionFlow'
import { emptyOutcomes, type SessionSummary } from '../../../src/shared/session-summary'

afterEach(cleanup)

const base: SessionSummary = {
  requests: 12,
  successes: 10,
  failures: 2,
  successRate: 10 / 12,
  durationSec: 4,
  throughput: 2.5,
  p50Ms: 4.25,
  p95Ms: 9,
  p99Ms: 9,
  meanMs: 5,
  minMs: 1,
  maxMs: 9,
  outcomes: { ...emptyOutcomes(), success: 10, timeout: 1, cancelled: 1 },
  unmatched: 0,
  retries: 3,
  linkLosses: 3,
  reconnects: 2,
  droppedFrames: 0,
  emptyAnswers: 0,
}

describe('the session outcome under Start', () => {
  it('names how every request ended, the links lost and the reconnects', () => {
    render(<SessionOutcome summary={base} />)
    expect(screen.getByTestId('session-summary').textContent).toBe(
      '12 requests, 10 ok, 1 timed out, 1 cancelled, p50 4.3 ms, p95 9.0 ms, 2.5 req/s; link lost 3×, reconnected 2×',
    )
    expect(screen.queryByTestId('session-unprocessed')).toBeNull()
  })

  it('says how much audio was not transcribed and offers to transcribe the kept copy', () => {
    const onKept = vi.fn()
    const summary = {
      ...base,
      successes: 0,
      unprocessed: {
        requests: 3,
        audioSec: 3.25,
        audioStartSec: 12,
        frames: 0,
        keptAudioPath: '/tmp/k.wav',
      },
    }
    render(<SessionOutcome summary={summary} onTranscribeKept={onKept} />)
    expect(screen.getByTestId('session-summary').textContent).not.toContain('p50')
    expect(screen.getByTestId('session-unprocessed').textContent).toContain(
      '3.3 s of audio not transcribed (from 12.0 s) — kept.',
    )
    fireEvent.click(screen.getByTestId('transcribe-kept'))
    expect(onKept).toHaveBeenCalledWith('/tmp/k.wav')
  })
})

describe('the flow line while a session runs', () => {
  it('shows what waits where, and nothing when nothing does', () => {
    const flow = {
      kind: 'flow' as const,
      queued: 5,
      queuedSec: 3.2,
      spilledSec: 1,
      inFlight: 2,
      droppedFrames: 0,
      unmatched: 1,
      retries: 4,
    }
    const { rerender } = render(<SessionFlowLine flow={flow} />)
    expect(screen.getByTestId('session-flow').textContent).toBe(
      '3.2 s of audio queued (1.0 s on disk) · 2 in flight · 4 sent again after a drop · 1 answers matched no request',
    )
    rerender(
      <SessionFlowLine
        flow={{ ...flow, queued: 0, queuedSec: 0, inFlight: 0, unmatched: 0, retries: 0 }}
      />,
    )
    expect(screen.queryByTestId('session-flow')).toBeNull()
  })
})
