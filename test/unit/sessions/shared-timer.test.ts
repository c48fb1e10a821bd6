import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SharedTimer } from '../../../src/main/sessions/shared-timer'

/** A 250 ms shared timer and tasks that note their name in `ran` when they run. */
function setup() {
  const timer = new SharedTimer(250)
  const ran: string[] = []
  const task = (name: string) => () => void ran.push(name)
  return { timer, ran, a: task('a'), b: task('b') }
}

describe('one timer for every session', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('runs each task scheduled within the interval once, on one timer', () => {
    const { timer, ran, a, b } = setup()
    timer.schedule(a)
    vi.advanceTimersByTime(100)
    timer.schedule(b)
    timer.schedule(a)
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(149)
    expect(ran).toEqual([])
    vi.advanceTimersByTime(1)
    expect(ran).toEqual(['a', 'b'])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('runs a task scheduled again after it ran at the next firing, and never one taken back', () => {
    const { timer, ran, a, b } = setup()
    timer.schedule(a)
    vi.advanceTimersByTime(250)
    timer.schedule(a)
    timer.schedule(b)
    timer.cancel(b)
    vi.advanceTimersByTime(250)
    expect(ran).toEqual(['a', 'a'])
  })

  it('does not run a task that an earlier task of the same firing took back', () => {
    const { timer, ran, a, b } = setup()
    timer.schedule(() => timer.cancel(b))
    timer.schedule(b)
    timer.schedule(a)
    vi.advanceTimersByTime(250)
    expect(ran).toEqual(['a'])
  })

  it('clears its timer once every task is taken back', () => {
    const { timer, a } = setup()
    timer.schedule(a)
    timer.cancel(a)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('throws every error when several tasks fail', () => {
    const { timer } = setup()
    for (const m of ['one', 'two'])
      timer.schedule(() => {
        throw new Error(m)
      })
    let thrown: unknown
    try {
      vi.advanceTimersByTime(250)
    } catch (e) {
      thrown = e
    }
    expect(thrown).toBeInstanceOf(AggregateError)
    expect((thrown as AggregateError).errors.map((e: Error) => e.message)).toEqual(['one', 'two'])
  })

  it('still runs the other tasks when one throws, then throws its error', () => {
    const { timer, ran, b } = setup()
    timer.schedule(() => {
      throw new Error('listener failed')
    })
    timer.schedule(b)
    expect(() => vi.advanceTimersByTime(250)).toThrow('listener failed')
    expect(ran).toEqual(['b'])
  })
})
