import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SharedTimer } from '../../../src/main/sessions/shared-timer'

describe('one timer for every session', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('runs each task scheduled within the interval once, on one timer', () => {
    const timer = new SharedTimer(250)
    const ran: string[] = []
    const a = () => ran.push('a')
    const b = () => ran.push('b')
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
    const timer = new SharedTimer(250)
    const ran: string[] = []
    const a = () => ran.push('a')
    const b = () => ran.push('b')
    timer.schedule(a)
    vi.advanceTimersByTime(250)
    timer.schedule(a)
    timer.schedule(b)
    timer.cancel(b)
    vi.advanceTimersByTime(250)
    expect(ran).toEqual(['a', 'a'])
  })

  it('still runs the other tasks when one throws, then throws its error', () => {
    const timer = new SharedTimer(250)
    const ran: string[] = []
    timer.schedule(() => {
      throw new Error('listener failed')
    })
    timer.schedule(() => ran.push('b'))
    expect(() => vi.advanceTimersByTime(250)).toThrow('listener failed')
    expect(ran).toEqual(['b'])
  })
})
