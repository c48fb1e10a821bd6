import { describe, expect, it } from 'vitest'
import {
  statisticsDelta,
  type ModelStatisticsInput,
} from '../../../src/main/metrics/statistics-delta'
import type { ModelStatistics__Output } from '../../../src/main/triton/generated/inference/ModelStatistics'

/** [count, ns]; strings for totals that do not fit a double. */
type Pair = readonly [number | string, number | string]

interface Counts {
  inferences: number
  executions: number
  success: Pair
  fail?: Pair
  queue: Pair
  input: Pair
  infer: Pair
  output: Pair
}

/** A ModelStatistics entry as proto-loader hands it over with `longs: String`. */
function stats(name: string, version: string, c: Counts): ModelStatisticsInput {
  const d = ([count, ns]: Pair) => ({
    count: String(count),
    ns: String(ns),
  })
  return {
    name,
    version,
    inference_count: String(c.inferences),
    execution_count: String(c.executions),
    inference_stats: {
      success: d(c.success),
      fail: d(c.fail ?? [0, 0]),
      queue: d(c.queue),
      compute_input: d(c.input),
      compute_infer: d(c.infer),
      compute_output: d(c.output),
    },
  }
}

const PREV = stats('asr', '1', {
  inferences: 10,
  executions: 5,
  success: [10, 50_000_000],
  fail: [1, 1_000_000],
  queue: [10, 10_000_000],
  input: [10, 2_000_000],
  infer: [10, 30_000_000],
  output: [10, 1_000_000],
})

// Three more requests in six inferences over three executions.
const NEXT = stats('asr', '1', {
  inferences: 16,
  executions: 8,
  success: [13, 80_000_000],
  fail: [1, 1_000_000],
  queue: [13, 13_000_000],
  input: [13, 3_500_000],
  infer: [13, 54_000_000],
  output: [13, 1_600_000],
})

describe('statisticsDelta', () => {
  it('averages each stage over the interval from nanosecond totals', () => {
    expect(statisticsDelta(PREV, NEXT)).toEqual({
      requests: 3,
      successes: 3,
      failures: 0,
      avgQueueMs: 1,
      avgComputeInputMs: 0.5,
      avgComputeInferMs: 8,
      avgComputeOutputMs: 0.2,
      avgServerMs: 10,
      inferences: 6,
      executions: 3,
      avgBatch: 2,
    })
  })

  it('returns undefined when no request finished in the interval', () => {
    expect(statisticsDelta(NEXT, NEXT)).toBeUndefined()
    expect(statisticsDelta([PREV], [])).toBeUndefined()
  })

  it('counts failed requests alongside successes', () => {
    const failed = stats('asr', '1', {
      inferences: 10,
      executions: 5,
      success: [10, 50_000_000],
      fail: [3, 4_000_000],
      queue: [10, 10_000_000],
      input: [10, 2_000_000],
      infer: [10, 30_000_000],
      output: [10, 1_000_000],
    })
    expect(statisticsDelta(PREV, failed)).toMatchObject({ requests: 2, successes: 0, failures: 2 })
  })

  it('matches versions by name and version whatever the list order', () => {
    const otherPrev = stats('yolo', '1', {
      inferences: 100,
      executions: 100,
      success: [100, 1e9],
      queue: [100, 1e8],
      input: [100, 1e7],
      infer: [100, 1e8],
      output: [100, 1e7],
    })
    const otherNext = stats('yolo', '1', {
      inferences: 101,
      executions: 101,
      success: [101, 1e9 + 4_000_000],
      queue: [101, 1e8 + 1_000_000],
      input: [101, 1e7],
      infer: [101, 1e8 + 3_000_000],
      output: [101, 1e7],
    })
    const prev = [PREV, otherPrev]
    const next = [otherNext, NEXT]
    expect(statisticsDelta(prev, next, { name: 'asr' })?.avgServerMs).toBe(10)
    expect(statisticsDelta(prev, next, { name: 'yolo', version: '1' })).toMatchObject({
      requests: 1,
      avgQueueMs: 1,
      avgComputeInferMs: 3,
    })
    // Unfiltered, both models add up: (30 + 4) ms over 4 requests.
    expect(statisticsDelta(prev, next)?.avgServerMs).toBe(8.5)
  })

  it('counts a version missing from the previous poll from zero, and totals without a previous poll', () => {
    const v2 = stats('asr', '2', {
      inferences: 2,
      executions: 2,
      success: [2, 6_000_000],
      queue: [2, 2_000_000],
      input: [2, 0],
      infer: [2, 4_000_000],
      output: [2, 0],
    })
    expect(statisticsDelta([PREV], [NEXT, v2], { name: 'asr' })).toMatchObject({
      requests: 5,
      avgServerMs: 7.2,
    })
    expect(statisticsDelta(undefined, v2)).toMatchObject({ requests: 2, avgQueueMs: 1 })
  })

  it('treats counters that went backwards as a reload and uses the new totals whole', () => {
    const reloaded = stats('asr', '1', {
      inferences: 2,
      executions: 1,
      success: [2, 8_000_000],
      queue: [2, 4_000_000],
      input: [2, 0],
      infer: [2, 4_000_000],
      output: [2, 0],
    })
    expect(statisticsDelta(NEXT, reloaded)).toMatchObject({
      requests: 2,
      avgServerMs: 4,
      avgQueueMs: 2,
      avgBatch: 2,
    })
  })

  it('keeps nanosecond precision on totals beyond 2^53', () => {
    const big = '9007199254740993000'
    const bigger = (BigInt(big) + 3_000_000n).toString()
    const base = { input: [1, 0], infer: [1, 0], output: [1, 0] } satisfies Partial<Counts>
    const a = stats('m', '1', {
      ...base,
      inferences: 1,
      executions: 1,
      success: [1, big],
      queue: [1, big],
    })
    const b = stats('m', '1', {
      ...base,
      inferences: 4,
      executions: 4,
      success: [4, bigger],
      queue: [4, bigger],
    })
    expect(statisticsDelta(a, b)).toMatchObject({ avgServerMs: 1, avgQueueMs: 1 })
  })

  it('accepts proto-loader output, including absent inference stats', () => {
    const generated: ModelStatistics__Output = {
      name: 'm',
      version: '1',
      last_inference: '0',
      inference_count: '0',
      execution_count: '0',
      inference_stats: null,
      batch_stats: [],
      memory_usage: [],
      response_stats: {},
    }
    expect(statisticsDelta(undefined, [generated])).toBeUndefined()
  })
})
