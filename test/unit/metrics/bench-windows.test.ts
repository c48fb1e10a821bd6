import { status } from '@grpc/grpc-js'
import { DecodeError } from '../../../src/main/triton/decode-error'
import { describe, expect, it } from 'vitest'
import { failureCause } from '../../../src/main/bench/failure-cause'
import { mergeWindows, windowMode } from '../../../src/main/bench/bench-measure'
import { toCsv, type BenchRun } from '../../../src/main/metrics/bench-report'
import { formatRunTable, formatSweep } from '../../../src/main/metrics/bench-text'
import { TritonError } from '../../../src/main/triton/triton-error'
import type { LatencySummary } from '../../../src/shared/results'

function summary(patch: Partial<LatencySummary>): LatencySummary {
  return {
    requests: 50,
    successes: 50,
    failures: 0,
    successRate: 1,
    durationSec: 5,
    throughput: 10,
    p50Ms: 40,
    p95Ms: 60,
    p99Ms: 70,
    meanMs: 42,
    minMs: 20,
    maxMs: 80,
    ...patch,
  }
}

const server = (requests: number, queue: number) => ({
  requests,
  successes: requests,
  failures: 0,
  avgQueueMs: queue,
  avgComputeInputMs: 1,
  avgComputeInferMs: 10,
  avgComputeOutputMs: 1,
  avgServerMs: 12 + queue,
  inferences: requests,
  executions: requests,
  avgBatch: 1,
})

const window = (patch: Partial<BenchRun>): BenchRun => ({
  label: 'yolo',
  url: 'grpc://127.0.0.1:8001',
  model: 'yolo',
  mode: 'rate',
  rate: 10,
  durationSec: 5,
  input: 'boxes.mp4',
  summary: summary({}),
  ...patch,
})

describe('a run measured in windows', () => {
  const merged = mergeWindows(
    [
      window({
        summary: summary({ successes: 40, failures: 10, successRate: 0.8 }),
        failuresByCause: { 'deadline exceeded': 10 },
        sentRate: 10,
        lateSends: 1,
        answeredRate: 8,
        server: server(40, 2),
      }),
      window({
        failuresByCause: {},
        sentRate: 5,
        lateSends: 2,
        answeredRate: 10,
        server: server(60, 7),
      }),
    ],
    summary({ requests: 100, successes: 90, failures: 10, successRate: 0.9, durationSec: 10 }),
  )

  it('adds counts and weights averages by what each window served', () => {
    expect(merged.durationSec).toBe(10)
    expect(merged.summary.requests).toBe(100)
    expect(merged.failuresByCause).toEqual({ 'deadline exceeded': 10 })
    expect(merged.lateSends).toBe(3)
    // 100 requests sent over 5 s + 10 s of sending.
    expect(merged.sentRate).toBeCloseTo(100 / 15, 12)
    // (8 x 40 + 10 x 50) / 90 successes.
    expect(merged.answeredRate).toBeCloseTo(820 / 90, 12)
    // (2 x 40 + 7 x 60) / 100 requests.
    expect(merged.server?.avgQueueMs).toBe(5)
    expect(merged.server?.requests).toBe(100)
  })

  it('keeps each window for the comparison and says so in the report', () => {
    expect(merged.windows?.map((w) => w.summary.successes)).toEqual([40, 50])
    expect(formatRunTable(merged).split('\n')[0]).toBe(
      'yolo: yolo @ grpc://127.0.0.1:8001, 10 req/s, 10 s in 2 windows, input boxes.mp4',
    )
  })

  it('leaves a single window as it is', () => {
    const one = window({})
    expect(mergeWindows([one], summary({}))).toBe(one)
  })

  it('refuses windows too short to send a request', () => {
    expect(windowMode({ kind: 'rate', rate: 2, durationSec: 6 }, 3).durationSec).toBe(2)
    expect(() => windowMode({ kind: 'rate', rate: 1, durationSec: 1 }, 3)).toThrow(
      /3 windows of 0\.333\d* s at 1 req\/s send no request each/,
    )
  })
})

describe('a concurrency sweep', () => {
  const level = (c: number, p50: number, label = 'yolo'): BenchRun =>
    window({
      label,
      mode: 'concurrency',
      rate: undefined,
      concurrency: c,
      summary: summary({ p50Ms: p50, throughput: 10 * c }),
    })

  it('prints one table with a row per level', () => {
    const text = formatSweep([level(1, 40), level(2, 55.5), level(4, 90)])
    const lines = text.split('\n')
    expect(lines[0]).toBe(
      'yolo: yolo @ grpc://127.0.0.1:8001, concurrency sweep, 5 s per level, input boxes.mp4',
    )
    expect(lines[2].split(/\s{2,}/)).toEqual([
      'Concurrency',
      'Total Requests',
      'Failed Requests',
      'QPS (Successful)',
      'p50',
      'p95',
      'p99',
      'Mean',
      'Server queue',
      'Server compute',
    ])
    expect(
      lines.slice(4, 7).map((l) =>
        l
          .trim()
          .split(/\s{2,}/)
          .slice(0, 5),
      ),
    ).toEqual([
      ['1', '50', '0', '10.00 req/s', '40.00 ms'],
      ['2', '50', '0', '20.00 req/s', '55.50 ms'],
      ['4', '50', '0', '40.00 req/s', '90.00 ms'],
    ])
  })

  it('adds a target column and a verdict per level when two are compared', () => {
    const text = formatSweep([
      level(1, 40, 'a'),
      level(1, 80, 'b'),
      level(2, 50, 'a'),
      level(2, 50, 'b'),
    ])
    expect(text).toMatch(/^Concurrency {2}Target/m)
    expect(text).toContain('- concurrency 1: p50: a is 2.00x faster than b (40.00 ms vs 80.00 ms)')
    expect(text).toContain('- concurrency 2: p50: tie (50.00 ms vs 50.00 ms)')
  })
})

describe('failures by cause', () => {
  const triton = (kind: TritonError['kind'], code?: number, message = 'x'): TritonError =>
    new TritonError(kind, message, '', code)

  it('names the deadline, the gRPC status, the model error and a bad answer', () => {
    expect(failureCause(triton('timeout', status.DEADLINE_EXCEEDED), false)).toBe(
      'deadline exceeded',
    )
    expect(failureCause(triton('internal', status.UNAVAILABLE), false)).toBe('UNAVAILABLE')
    expect(failureCause(triton('too-large', status.RESOURCE_EXHAUSTED), false)).toBe(
      'RESOURCE_EXHAUSTED',
    )
    expect(failureCause(triton('model-error', undefined, "model 'm' rejected"), false)).toBe(
      'model error',
    )
    expect(
      failureCause(new DecodeError("the server's output 'x' is short", { tensor: 'x' }), false),
    ).toBe('decode')
    expect(failureCause(new Error("output 'x' arrived without data"), false)).toBe('decode')
  })

  it('tells a request the drain timeout cut from one cancelled otherwise', () => {
    expect(failureCause(triton('cancelled', status.CANCELLED), true)).toBe(
      'unanswered at the drain timeout',
    )
    expect(failureCause(triton('cancelled', status.CANCELLED), false)).toBe('cancelled')
  })
})

describe('a run where nothing succeeded', () => {
  const dead = window({
    summary: summary({ successes: 0, failures: 50, successRate: 0, throughput: 0, p50Ms: 0 }),
    failuresByCause: { 'deadline exceeded': 50 },
  })

  it('shows dashes for latency and names the cause', () => {
    const text = formatRunTable(dead)
    expect(text).toMatch(/^p50 +–$/m)
    expect(text).not.toMatch(/0\.00 ms/)
    expect(text).toContain(
      'warning: yolo: 50 of 50 requests failed (deadline exceeded 50); none succeeded, so there is no latency to report',
    )
  })

  it('leaves the latency cells of the CSV empty', () => {
    const [header, row] = toCsv([dead])
      .trimEnd()
      .split('\n')
      .map((l) => l.split(','))
    expect(row[header.indexOf('p50 latency')]).toBe('')
    expect(row[header.indexOf('Failures by Cause')]).toBe('deadline exceeded 50')
  })
})
