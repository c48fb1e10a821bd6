// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  formatMediaTime,
  MAX_SHOWN_LINES,
  TranscriptPanel,
} from '../../../src/renderer/src/components/TranscriptPanel'
import type { TranscriptLine } from '../../../src/renderer/src/store/results-slice'

afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

const line = (
  utterance: number,
  text: string,
  startSec: number,
  endSec: number,
  latencyMs = 42,
): TranscriptLine => ({
  utterance,
  text,
  startSec,
  endSec,
  latencyMs,
})

describe('formatMediaTime', () => {
  it('writes mm:ss.s', () => {
    expect(formatMediaTime(0)).toBe('00:00.0')
    expect(formatMediaTime(1.25)).toBe('00:01.2')
    expect(formatMediaTime(65.3)).toBe('01:05.3')
    expect(formatMediaTime(599.99)).toBe('09:59.9')
    expect(formatMediaTime(3600)).toBe('60:00.0')
    expect(formatMediaTime(Number.NaN)).toBe('00:00.0')
  })
})

describe('TranscriptPanel', () => {
  it('replaces the interim line in place and shows it apart from final text', () => {
    const { rerender } = render(
      <TranscriptPanel finals={[]} partial={line(0, 'hel', 0, 0.4)} onClear={() => {}} />,
    )
    expect(screen.getByTestId('transcript-partial').textContent).toContain('hel')
    rerender(
      <TranscriptPanel finals={[]} partial={line(0, 'hello wor', 0, 0.9)} onClear={() => {}} />,
    )
    const partials = screen.getAllByTestId('transcript-partial')
    expect(partials).toHaveLength(1)
    expect(partials[0].textContent).toContain('hello wor')
    expect(partials[0].className).toBe('transcript-partial')
    expect(screen.queryAllByTestId('transcript-final')).toHaveLength(0)
  })

  it('appends finals with media timestamps and latency', () => {
    const finals = [line(0, 'hello world', 0.2, 1.45, 31.25), line(1, 'second line', 61.5, 63, 250)]
    render(
      <TranscriptPanel finals={finals} partial={line(2, 'thi', 63.2, 63.6)} onClear={() => {}} />,
    )
    const rows = screen.getAllByTestId('transcript-final')
    expect(rows).toHaveLength(2)
    expect(rows[0].textContent).toContain('00:00.2–00:01.4')
    expect(rows[0].textContent).toContain('hello world')
    expect(rows[0].textContent).toContain('31.3 ms')
    expect(rows[1].textContent).toContain('01:01.5–01:03.0')
    expect(rows[1].textContent).toContain('250 ms')
    // The interim line comes after the finals.
    const all = screen.getByTestId('transcript-lines').querySelectorAll('p')
    expect(all[all.length - 1].getAttribute('data-testid')).toBe('transcript-partial')
  })

  it('clears through the callback', () => {
    const onClear = vi.fn()
    render(<TranscriptPanel finals={[line(0, 'a', 0, 1)]} onClear={onClear} />)
    fireEvent.click(screen.getByTestId('transcript-clear'))
    expect(onClear).toHaveBeenCalledOnce()
  })

  it('copies the final text, says so for two seconds, then offers Copy again', async () => {
    vi.useFakeTimers()
    const writeText = vi.fn(() => Promise.resolve())
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    render(
      <TranscriptPanel
        finals={[line(0, 'one', 0, 1), line(1, 'two', 2.5, 3)]}
        onClear={() => {}}
      />,
    )
    fireEvent.click(screen.getByTestId('transcript-copy'))
    expect(writeText).toHaveBeenCalledWith('[00:00.0] one\n[00:02.5] two')
    await act(() => vi.advanceTimersByTimeAsync(0))
    expect(screen.getByTestId('transcript-copy').textContent).toBe('Copied')
    await act(() => vi.advanceTimersByTimeAsync(2000))
    expect(screen.getByTestId('transcript-copy').textContent).toBe('Copy')
  })

  it('says when the clipboard refused the text, and why', async () => {
    const writeText = vi.fn(() => Promise.reject(new Error('Document is not focused.')))
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    render(<TranscriptPanel finals={[line(0, 'one', 0, 1)]} onClear={() => {}} />)
    fireEvent.click(screen.getByTestId('transcript-copy'))
    const button = await screen.findByText('Copy failed')
    expect(button.getAttribute('title')).toBe('Document is not focused.')
    expect(button.getAttribute('data-state')).toBe('failed')
  })

  it('announces final lines only: the interim line stays outside the live log', () => {
    render(
      <TranscriptPanel
        finals={[line(0, 'hello', 0, 1)]}
        partial={line(1, 'wor', 1, 1.4)}
        onClear={() => {}}
      />,
    )
    const log = screen.getByRole('log')
    expect(within(log).getAllByTestId('transcript-final')).toHaveLength(1)
    expect(within(log).queryByTestId('transcript-partial')).toBeNull()
    expect(screen.getByTestId('transcript-lines').getAttribute('aria-live')).toBeNull()
  })

  it('keeps each line’s row when older lines are trimmed away', () => {
    const finals = Array.from({ length: 10 }, (_, i) => line(i, `line ${i}`, i, i + 1))
    const { rerender } = render(<TranscriptPanel finals={finals} onClear={() => {}} />)
    const row5 = screen.getByText('line 5').parentElement
    rerender(
      <TranscriptPanel
        finals={[...finals.slice(1), line(10, 'line 10', 10, 11)]}
        onClear={() => {}}
      />,
    )
    expect(screen.getByText('line 5').parentElement).toBe(row5)
    expect(screen.queryByText('line 0')).toBeNull()
  })

  it('renders only the newest lines and says the export has the rest', () => {
    const total = MAX_SHOWN_LINES + 25
    const finals = Array.from({ length: total }, (_, i) => line(i, `line ${i}`, i, i + 1))
    render(<TranscriptPanel finals={finals} onClear={() => {}} />)
    const rows = screen.getAllByTestId('transcript-final')
    expect(rows).toHaveLength(MAX_SHOWN_LINES)
    expect(rows[rows.length - 1].textContent).toContain(`line ${total - 1}`)
    expect(screen.getByTestId('transcript-trimmed').textContent).toContain(
      '25 earlier lines are not shown here',
    )
  })

  it('stops following while the reader scrolls up and offers a jump back', () => {
    const finals = Array.from({ length: 50 }, (_, i) => line(i, `line ${i}`, i, i + 1))
    render(<TranscriptPanel finals={finals} onClear={() => {}} />)
    const scroller = screen.getByTestId('transcript-lines')
    Object.defineProperty(scroller, 'scrollHeight', { value: 2000, configurable: true })
    Object.defineProperty(scroller, 'clientHeight', { value: 300, configurable: true })
    scroller.scrollTop = 200
    fireEvent.scroll(scroller)
    const jump = screen.getByTestId('transcript-jump-live')
    fireEvent.click(jump)
    expect(scroller.scrollTop).toBe(2000)
    expect(screen.queryByTestId('transcript-jump-live')).toBeNull()
  })
})
