import { describe, expect, it } from 'vitest'
import { roundJsonNumber, toRoundedJson } from '../../../src/shared/json-numbers'

describe('JSON numbers', () => {
  it('rounds milliseconds to 0.01, seconds to the millisecond and the rest to 6 digits', () => {
    expect(roundJsonNumber('latencyMs', 198.72160899999994)).toBe(198.72)
    expect(roundJsonNumber('p50Ms', 1.005)).toBe(1.01)
    expect(roundJsonNumber('timeSec', 1.0333333333)).toBe(1.033)
    expect(roundJsonNumber('score', 0.87654321)).toBe(0.876543)
    expect(roundJsonNumber('successRate', 0.1 + 0.2)).toBe(0.3)
    expect(roundJsonNumber('requests', 300)).toBe(300)
  })

  it('rounds nested objects and arrays by the key that holds them', () => {
    const text = toRoundedJson({
      latencyMs: 12.3456,
      boxes: [{ x: 10.123456789, score: 0.999999999 }],
      windowsMs: [1.239, 2.001],
    })
    expect(text).toBe('{"latencyMs":12.35,"boxes":[{"x":10.1235,"score":1}],"windowsMs":[1.24,2]}')
  })
})
