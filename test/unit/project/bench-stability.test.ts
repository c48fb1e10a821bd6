import { describe, expect, it } from 'vitest'
import { stableTail } from '../../../scripts/bench/stability'

describe('the bench stability rule (perf_analyzer: the last three windows within 10 %)', () => {
  it('needs three windows before anything counts as stable', () => {
    expect(stableTail([])).toBe(false)
    expect(stableTail([0.3, 0.3])).toBe(false)
    expect(stableTail([0.3, 0.3, 0.3])).toBe(true)
  })

  it('looks only at the last three, so a cold first window does not hold it back', () => {
    expect(stableTail([0.39, 0.3, 0.29, 0.3])).toBe(true)
    expect(stableTail([0.39, 0.3, 0.29])).toBe(false)
  })

  it('accepts a spread of exactly 10 % of the smallest and refuses anything wider', () => {
    expect(stableTail([0.2, 0.221, 0.21])).toBe(false)
    expect(stableTail([0.5, 0.2, 0.2, 0.22])).toBe(true)
    expect(stableTail([2, 2.2, 2.1])).toBe(true)
    expect(stableTail([2, 2.21, 2.1])).toBe(false)
  })

  it('never calls windows without requests stable', () => {
    expect(stableTail([0, 0, 0])).toBe(false)
  })
})
