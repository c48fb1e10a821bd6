import { describe, expect, it } from 'vitest'
import { compareRuns } from '../../../src/shared/bench-compare'
import { compareConclusions } from '../../../src/main/metrics/bench-format'
import { toCsv, toJson, toMarkdown, type BenchRun } from '../../../src/main/metrics/bench-report'
import { formatCompare, formatRunTable } from '../../../src/main/metrics/bench-text'
import type { LatencySummary } from '../../../src/shared/results'

// The two runs of the hand-made seed report (003): a Triton ensemble and a FastAPI service,
// 10 req/s for 30 s on the same audio file.
const TRITON: BenchRun = {
  label: 'Triton',
  url: 'localhost:8001',
  model: 'asr_ensemble',
  mode: 'rate',
  rate: 10,
  durationSec: 30,
  input: 'ta2.wav',
  summary: {
    requests: 282,
    successes: 282,
    failures: 0,
    successRate: 1,
    durationSec: 30,
    throughput: 9.4,
    p50Ms: 7418.89,
    p95Ms: 9754.8,
    p99Ms: 10486.77,
    meanMs: 7234.7,
    minMs: 2525.96,
    maxMs: 11669.02,
  },
  server: {
    requests: 282,
    successes: 282,
    failures: 0,
    avgQueueMs: 3,
    avgComputeInputMs: 1,
    avgComputeInferMs: 7000,
    avgComputeOutputMs: 0.5,
    avgServerMs: 7100,
    inferences: 282,
    executions: 282,
    avgBatch: 1,
  },
  gpu: { avgUtilization: 0.55, maxMemoryUsedBytes: 9663676416, avgPowerWatts: 187.25 },
}

const FASTAPI: BenchRun = {
  label: 'FastAPI',
  url: 'http://localhost:8000',
  model: 'asr',
  mode: 'rate',
  rate: 10,
  durationSec: 30,
  input: 'ta2.wav',
  summary: {
    requests: 300,
    successes: 300,
    failures: 0,
    successRate: 1,
    durationSec: 30,
    throughput: 10,
    p50Ms: 3183.08,
    p95Ms: 19535.33,
    p99Ms: 19715.37,
    meanMs: 5808.08,
    minMs: 537.86,
    maxMs: 19952.78,
  },
  gpu: { avgUtilization: 0.33 },
}

function withSummary(run: BenchRun, patch: Partial<LatencySummary>): BenchRun {
  return { ...run, summary: { ...run.summary, ...patch } }
}

/** RFC 4180 reader, enough to check that our CSV round-trips. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i += 1
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(field)
      field = ''
    } else if (ch === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += ch
  }
  return rows
}

describe('compareRuns', () => {
  it('picks the seed report winners: lower latency, higher QPS and successes', () => {
    const byKey = Object.fromEntries(compareRuns(TRITON, FASTAPI).map((c) => [c.key, c.winner]))
    expect(byKey).toEqual({
      requests: undefined,
      successes: 'B',
      failures: 'tie',
      successRate: 'tie',
      qps: 'B',
      p50: 'B',
      p95: 'A',
      p99: 'A',
      mean: 'B',
      min: 'B',
      max: 'A',
      serverQueue: undefined,
      serverCompute: undefined,
      gpuUtilization: undefined,
    })
  })

  it('calls values within 0.5 % a tie and ranks anything further apart', () => {
    const close = compareRuns(
      withSummary(TRITON, { p50Ms: 100 }),
      withSummary(FASTAPI, { p50Ms: 100.4 }),
    )
    expect(close.find((c) => c.key === 'p50')?.winner).toBe('tie')
    const apart = compareRuns(
      withSummary(TRITON, { p50Ms: 100 }),
      withSummary(FASTAPI, { p50Ms: 101 }),
    )
    expect(apart.find((c) => c.key === 'p50')?.winner).toBe('A')
  })
})

describe('formatCompare', () => {
  const text = formatCompare(TRITON, FASTAPI)
  const line = (metric: string): string[] => {
    const found = text.split('\n').find((l) => l.startsWith(`${metric} `))
    if (!found) throw new Error(`no row ${metric}`)
    return found.trim().split(/\s{2,}/)
  }

  it('reproduces the seed report rows with winner and ratio', () => {
    expect(line('p50')).toEqual([
      'p50',
      '7418.89 ms',
      '3183.08 ms',
      'FastAPI',
      '2.33x (4235.81 ms)',
    ])
    expect(line('p95')).toEqual([
      'p95',
      '9754.80 ms',
      '19535.33 ms',
      'Triton',
      '2.00x (9780.53 ms)',
    ])
    expect(line('QPS (Successful)')).toEqual([
      'QPS (Successful)',
      '9.40 req/s',
      '10.00 req/s',
      'FastAPI',
      '1.06x (0.60 req/s)',
    ])
    expect(line('Success Rate')).toEqual(['Success Rate', '100.00%', '100.00%', 'Tie', '0.00 pp'])
    expect(line('Total Requests')).toEqual(['Total Requests', '282', '300', '–', '1.06x (18)'])
    expect(line('Successful Requests')).toEqual([
      'Successful Requests',
      '282',
      '300',
      'FastAPI',
      '1.06x (18)',
    ])
  })

  it('shows a dash and no winner where one run lacks server figures', () => {
    expect(line('Server queue')).toEqual(['Server queue', '3.00 ms', '–', '–', '–'])
    expect(line('Server compute')).toEqual(['Server compute', '7001.50 ms', '–', '–', '–'])
  })

  it('does not rank GPU utilisation, only shows the gap', () => {
    expect(line('GPU utilisation')).toEqual([
      'GPU utilisation',
      '55.00%',
      '33.00%',
      '–',
      '22.00 pp',
    ])
  })

  it('ends with one-line conclusions naming the faster run and by how much', () => {
    expect(compareConclusions(TRITON, FASTAPI)).toEqual([
      'Success Rate: tie (100.00% vs 100.00%)',
      'QPS (Successful): FastAPI is 1.06x higher than Triton (10.00 req/s vs 9.40 req/s)',
      'p50: FastAPI is 2.33x faster than Triton (3183.08 ms vs 7418.89 ms)',
      'p95: Triton is 2.00x faster than FastAPI (9754.80 ms vs 19535.33 ms)',
      'p99: Triton is 1.88x faster than FastAPI (10486.77 ms vs 19715.37 ms)',
      'Mean: FastAPI is 1.25x faster than Triton (5808.08 ms vs 7234.70 ms)',
      'GPU utilisation: Triton 55.00%, FastAPI 33.00% (not ranked)',
    ])
    expect(text).toContain('- p50: FastAPI is 2.33x faster than Triton')
  })

  it('tells two runs with the same label apart', () => {
    const out = formatCompare(TRITON, { ...TRITON, summary: FASTAPI.summary })
    expect(out).toContain('Triton (A)')
    expect(out).toContain('p50: Triton (B) is 2.33x faster than Triton (A)')
  })
})

describe('formatRunTable', () => {
  it('lists every figure of one run, server and GPU details included', () => {
    const text = formatRunTable(TRITON)
    expect(text.split('\n')[0]).toBe(
      'Triton: asr_ensemble @ localhost:8001, 10 req/s, 30 s, input ta2.wav',
    )
    expect(text).toMatch(/^p50 +7418\.89 ms$/m)
    expect(text).toMatch(/^Server compute infer +7000\.00 ms$/m)
    expect(text).toMatch(/^GPU utilisation +55\.00%$/m)
    expect(text).toMatch(/^GPU memory \(max\) +9216\.0 MiB$/m)
  })

  it('describes a concurrency run by its concurrency', () => {
    const run: BenchRun = { ...FASTAPI, mode: 'concurrency', rate: undefined, concurrency: 4 }
    expect(formatRunTable(run)).toContain(', concurrency 4, ')
  })
})

describe('toMarkdown', () => {
  it('renders a comparison as a Markdown table with winners and conclusions', () => {
    const md = toMarkdown([TRITON, FASTAPI])
    expect(md).toContain('| Metric | Triton | FastAPI | Winner | Ratio/Difference |')
    expect(md).toContain('| **p50** | 7418.89 ms | 3183.08 ms | FastAPI | 2.33x (4235.81 ms) |')
    expect(md).toContain('| **p95** | 9754.80 ms | 19535.33 ms | Triton | 2.00x (9780.53 ms) |')
    expect(md).toContain('| **Success Rate** | 100.00% | 100.00% | Tie | 0.00 pp |')
    expect(md).toContain('| **Load** | 10 req/s | 10 req/s |')
    expect(md).toContain('- p50: FastAPI is 2.33x faster than Triton (3183.08 ms vs 7418.89 ms)')
  })

  it('renders a single run as a two-column table', () => {
    const md = toMarkdown([TRITON])
    expect(md).toContain('| Metric | Value |')
    expect(md).toContain('| **QPS (Successful)** | 9.40 req/s |')
    expect(md).not.toContain('Winner')
  })

  it('escapes pipes in labels so the table keeps its columns', () => {
    const md = toMarkdown([{ ...TRITON, label: 'a|b' }])
    expect(md).toContain('| Condition | a\\|b |')
  })

  it('refuses an empty list of runs', () => {
    expect(() => toMarkdown([])).toThrow(RangeError)
  })
})

describe('toCsv', () => {
  it('writes a header and one row per run that parse back', () => {
    const rows = parseCsv(toCsv([TRITON, { ...FASTAPI, label: 'Fast, "API"' }]))
    expect(rows).toHaveLength(3)
    const [header, triton, fastapi] = rows
    expect(triton).toHaveLength(header.length)
    expect(fastapi).toHaveLength(header.length)
    const col = (row: string[], name: string): string => row[header.indexOf(name)]
    expect(col(triton, 'Label')).toBe('Triton')
    expect(col(fastapi, 'Label')).toBe('Fast, "API"')
    expect(col(triton, 'Request Rate')).toBe('10')
    expect(col(triton, 'Concurrency')).toBe('')
    expect(col(triton, 'Inferences/Second')).toBe('9.4')
    // Latency and server columns in microseconds, as perf_analyzer writes them.
    expect(col(triton, 'p50 latency')).toBe('7418890')
    expect(col(fastapi, 'p95 latency')).toBe('19535330')
    expect(col(triton, 'Server Queue')).toBe('3000')
    expect(col(fastapi, 'Server Queue')).toBe('')
    expect(col(triton, 'Avg GPU Utilization')).toBe('0.55')
  })
})

describe('toJson', () => {
  it('round-trips the runs and adds the comparison for two runs', () => {
    const parsed = JSON.parse(toJson([TRITON, FASTAPI])) as {
      format: string
      version: number
      runs: BenchRun[]
      comparison: Array<{ key: string; winner?: string; difference?: number }>
    }
    expect(parsed.format).toBe('triton-live-bench')
    expect(parsed.runs).toEqual([TRITON, FASTAPI])
    const qps = parsed.comparison.find((c) => c.key === 'qps')
    expect(qps).toMatchObject({ winner: 'B', difference: 0.6 })
  })

  it('is the same text whatever order the fields were set in', () => {
    const reordered = Object.fromEntries(Object.entries(TRITON).reverse()) as unknown as BenchRun
    expect(toJson([reordered])).toBe(toJson([TRITON]))
    expect(JSON.parse(toJson([TRITON]))).not.toHaveProperty('comparison')
  })
})
