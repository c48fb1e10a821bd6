// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { App } from '../../../src/renderer/src/App'
import { benchRows } from '../../../src/renderer/src/components/bench-compare'
import { BenchReportView } from '../../../src/renderer/src/components/BenchReportView'
import { SessionController } from '../../../src/renderer/src/session/session-controller'
import { createAppStore } from '../../../src/renderer/src/store'
import { benchRequestFrom, initialBenchState } from '../../../src/renderer/src/store/bench-slice'
import type {
  BenchReport,
  BenchRequest,
  BenchRunView,
  ModelSummary,
  Result,
} from '../../../src/shared/ipc-contract'
import { demoBridge, fail, ok, type FakeBridge } from './fake-bridge'

beforeAll(() => {
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null)
})
afterEach(cleanup)

function run(
  label: string,
  p50: number,
  over: Partial<BenchRunView['summary']> = {},
): BenchRunView {
  return {
    label,
    url: '127.0.0.1:8001',
    model: label,
    mode: 'rate',
    rate: 10,
    durationSec: 2,
    input: 'generated data',
    summary: {
      requests: 20,
      successes: 20,
      failures: 0,
      successRate: 1,
      durationSec: 2,
      throughput: 10,
      p50Ms: p50,
      p95Ms: p50 * 2,
      p99Ms: p50 * 3,
      meanMs: p50,
      minMs: p50 / 2,
      maxMs: p50 * 3,
      ...over,
    },
    server: {
      requests: 20,
      successes: 20,
      failures: 0,
      avgQueueMs: 0.2,
      avgComputeInputMs: 0.1,
      avgComputeInferMs: p50 / 2,
      avgComputeOutputMs: 0.1,
      avgServerMs: p50 / 2 + 0.4,
      avgBatch: 1,
    },
  }
}

const report: BenchReport = {
  runs: [run('box_finder', 4), run('tone_asr', 8)],
  markdown:
    '| Metric | box_finder | tone_asr | Winner |\n|---|---|---|---|\n| p50 | 4.00 ms | 8.00 ms | box_finder |',
  notes: ['box_finder: no GPU lines on the metrics page'],
}

function mount(bridge: FakeBridge) {
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
  return store
}

describe('bench request', () => {
  it('defaults to the selected model and needs something different to compare', () => {
    const form = initialBenchState().form
    expect(benchRequestFrom(form, undefined, 'm')).toEqual({
      blocker: 'Connect to an endpoint first.',
    })
    expect(benchRequestFrom(form, 'demo', 'm')).toEqual({
      request: { endpointId: 'demo', model: 'm', mode: 'rate', rate: 10, durationSec: 5 },
    })
    expect(benchRequestFrom({ ...form, compare: true }, 'demo', 'm')).toEqual({
      blocker: 'Compare needs another model, endpoint or transport.',
    })
    // The same transport chosen twice is nothing to compare either.
    expect(
      benchRequestFrom(
        { ...form, transport: 'unary', compare: true, compareTransport: 'unary' },
        'demo',
        'm',
      ),
    ).toEqual({ blocker: 'Compare needs another model, endpoint or transport.' })
    expect(
      benchRequestFrom(
        { ...form, transport: 'unary', compare: true, compareTransport: 'shm' },
        'demo',
        'm',
      ),
    ).toEqual({
      request: {
        endpointId: 'demo',
        model: 'm',
        mode: 'rate',
        rate: 10,
        durationSec: 5,
        transport: { mode: 'unary' },
        compare: { transport: { sharedMemory: 'system' } },
      },
    })
    expect(
      benchRequestFrom(
        { ...form, mode: 'concurrency', concurrency: 4, compare: true, compareEndpointId: 'lab' },
        'demo',
        'm',
      ),
    ).toEqual({
      request: {
        endpointId: 'demo',
        model: 'm',
        mode: 'concurrency',
        concurrency: 4,
        durationSec: 5,
        compare: { endpointId: 'lab' },
      },
    })
  })

  it('names a winner and a ratio per ranked metric', () => {
    const rows = benchRows(report.runs)
    const byKey = new Map(rows.map((r) => [r.key, r]))
    expect(byKey.get('requests')).toMatchObject({
      cells: ['20', '20'],
      winner: '–',
      ratio: '1.00×',
    })
    expect(byKey.get('p50')).toMatchObject({
      cells: ['4.0 ms', '8.0 ms'],
      winner: 'box_finder',
      ratio: '2.00×',
    })
    expect(byKey.get('successRate')).toMatchObject({ winner: 'Tie' })
    // 0.2 ms queue on both sides: a tie, and so is a 0.04 ms gap.
    expect(byKey.get('serverQueue')).toMatchObject({ cells: ['0.2 ms', '0.2 ms'], winner: 'Tie' })
    expect(byKey.has('gpuUtilization')).toBe(false)
    expect(benchRows([run('a', 0.02), run('b', 0.06)]).find((r) => r.key === 'p50')?.winner).toBe(
      'Tie',
    )
    const same = benchRows([run('m', 4), run('m', 3)])
    expect(same.find((r) => r.key === 'p50')?.winner).toBe('m (B)')
  })
})

describe('the Benchmark tab under overload', () => {
  const slow = (label: string, p50s: number[]): BenchRunView => ({
    ...run(label, p50s.reduce((a, b) => a + b, 0) / p50s.length),
    windows: p50s.map((p) => ({ summary: run(label, p).summary })),
  })

  it('calls a gap inside the windows spread a tie and shows each side s spread', () => {
    const rows = benchRows([slow('a', [20, 45, 70]), slow('b', [60, 90, 120])])
    expect(rows.find((r) => r.key === 'p50')).toMatchObject({
      cells: ['45.0 ms', '90.0 ms'],
      winner: 'Tie',
      ratio: '2.00×',
      spread: '50.0 / 60.0 ms',
    })
  })

  it('shows the same warnings as the CLI: both rates and the failures by cause', () => {
    const overloaded: BenchRunView = {
      ...run('yolo', 9600, { requests: 300, successes: 72, failures: 228, successRate: 0.24 }),
      sentRate: 10,
      answeredRate: 2.4,
      failuresByCause: { 'deadline exceeded': 228 },
    }
    render(
      <BenchReportView
        report={{ runs: [overloaded], markdown: '', notes: [] }}
        onSave={() => undefined}
      />,
    )
    const items = within(screen.getByTestId('bench-warnings'))
      .getAllByTestId('bench-warning')
      .map((li) => li.textContent)
    expect(items).toEqual([
      'yolo: asked for 10.00 req/s but the endpoint answered 2.40 req/s (24%): more load than it sustains here, so requests queued and the latencies include that wait; lower the rate, or find the limit with a concurrency sweep',
      'yolo: 228 of 300 requests failed (deadline exceeded 228)',
    ])
  })

  it('shows a dash, not 0.0 ms, for latencies when nothing succeeded', () => {
    const dead = run('dead', 0, { successes: 0, failures: 20, successRate: 0, throughput: 0 })
    render(
      <BenchReportView
        report={{ runs: [dead], markdown: '', notes: [] }}
        onSave={() => undefined}
      />,
    )
    const p50 = screen
      .getByTestId('bench-table')
      .querySelector('[data-metric="p50"]') as HTMLElement
    expect(within(p50).getByTestId('bench-cell').textContent).toBe('–')
  })
})

describe('BenchPanel in the app', () => {
  it('runs a comparison with progress, renders the table and saves the report', async () => {
    let finish: ((r: Result<BenchReport>) => void) | undefined
    const bridge = demoBridge({
      'bench:run': () =>
        new Promise((resolve) => {
          finish = resolve
        }),
      'bench:export': ({ format }) => ok<string | undefined>(`/tmp/reports/bench-report.${format}`),
      'files:pick': () => ok<string | undefined>('/media/boxes.mp4'),
    })
    mount(bridge)
    await waitFor(() => expect(screen.getByTestId('model-details')).toBeTruthy())
    fireEvent.click(screen.getByTestId('tab-bench'))
    expect((screen.getByTestId('bench-model') as HTMLSelectElement).value).toBe('tone_asr')
    fireEvent.change(screen.getByTestId('bench-duration'), { target: { value: '2' } })
    fireEvent.click(screen.getByTestId('bench-file-pick'))
    await waitFor(() => expect(screen.getByTestId('bench-file').textContent).toBe('boxes.mp4'))
    fireEvent.click(screen.getByTestId('bench-compare'))
    expect(screen.getByTestId('bench-blocker').textContent).toContain('another model')
    fireEvent.change(screen.getByTestId('bench-compare-model'), { target: { value: 'box_finder' } })
    fireEvent.click(screen.getByTestId('bench-run'))
    await waitFor(() => expect(bridge.calls('bench:run')).toHaveLength(1))
    expect(bridge.calls('bench:run')[0]).toEqual<BenchRequest>({
      endpointId: 'demo',
      model: 'tone_asr',
      mode: 'rate',
      rate: 10,
      durationSec: 2,
      filePath: '/media/boxes.mp4',
      compare: { model: 'box_finder' },
    })
    expect((screen.getByTestId('bench-run') as HTMLButtonElement).disabled).toBe(true)
    act(() =>
      bridge.emitBench({
        kind: 'bench-progress',
        elapsedSec: 1,
        durationSec: 2,
        sent: 10,
        succeeded: 9,
        failed: 1,
        label: 'tone_asr',
      }),
    )
    await waitFor(() =>
      expect(screen.getByTestId('bench-progress').textContent).toContain(
        '10 sent · 9 ok · 1 failed',
      ),
    )
    await act(async () => finish?.(ok(report)))
    const table = await screen.findByTestId('bench-table')
    expect(
      within(table)
        .getAllByTestId('bench-run-name')
        .map((e) => e.textContent),
    ).toEqual(['box_finder', 'tone_asr'])
    expect(within(table).getByTestId('bench-winner-header').textContent).toBe('Winner')
    const requests = table.querySelector('[data-metric="requests"]') as HTMLElement
    expect(
      within(requests)
        .getAllByTestId('bench-cell')
        .map((c) => c.textContent),
    ).toEqual(['20', '20'])
    const p95 = table.querySelector('[data-metric="p95"]') as HTMLElement
    expect(within(p95).getByTestId('bench-winner').textContent).toBe('box_finder')
    expect(screen.getByTestId('bench-markdown').textContent).toContain('| p50 | 4.00 ms')
    expect(screen.getByTestId('bench-notes').textContent).toContain('no GPU lines')
    expect(screen.queryByTestId('bench-progress')).toBeNull()
    expect((screen.getByTestId('bench-run') as HTMLButtonElement).disabled).toBe(false)

    fireEvent.click(screen.getByTestId('bench-save-md'))
    await waitFor(() =>
      expect(screen.getByTestId('bench-saved').textContent).toBe(
        'Saved to /tmp/reports/bench-report.md',
      ),
    )
    fireEvent.click(screen.getByTestId('bench-save-csv'))
    await waitFor(() =>
      expect(bridge.calls('bench:export')).toEqual([{ format: 'md' }, { format: 'csv' }]),
    )
  })

  it('cancels a running benchmark without calling it a failure', async () => {
    let finish: ((r: Result<BenchReport>) => void) | undefined
    const bridge = demoBridge({
      'bench:run': () =>
        new Promise((resolve) => {
          finish = resolve
        }),
      'bench:cancel': () => {
        finish?.(fail<BenchReport>('the benchmark was cancelled', '', 'cancelled'))
        return ok(undefined)
      },
    })
    mount(bridge)
    await waitFor(() => expect(screen.getByTestId('model-details')).toBeTruthy())
    fireEvent.click(screen.getByTestId('tab-bench'))
    fireEvent.click(screen.getByTestId('bench-run'))
    fireEvent.click(await screen.findByTestId('bench-cancel'))
    await screen.findByTestId('bench-cancelled')
    expect(bridge.calls('bench:cancel')).toHaveLength(1)
    expect(screen.queryByTestId('bench-error')).toBeNull()
    expect(screen.queryByTestId('bench-cancel')).toBeNull()
    expect((screen.getByTestId('bench-run') as HTMLButtonElement).disabled).toBe(false)
  })

  it('lists the models of the endpoint chosen to compare with, not the connected one’s', async () => {
    let answerLab: ((r: Result<ModelSummary[]>) => void) | undefined
    const bridge = demoBridge({
      'models:list': (endpointId) =>
        endpointId === 'remote'
          ? new Promise((resolve) => {
              answerLab = resolve
            })
          : ok([
              { name: 'tone_asr', version: '1', state: 'READY', reason: '' },
              { name: 'box_finder', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' },
            ]),
    })
    mount(bridge)
    await waitFor(() => expect(screen.getByTestId('model-details')).toBeTruthy())
    fireEvent.click(screen.getByTestId('tab-bench'))
    fireEvent.click(screen.getByTestId('bench-compare'))
    const options = () =>
      Array.from((screen.getByTestId('bench-compare-model') as HTMLSelectElement).options).map(
        (o) => o.value,
      )
    expect(options()).toEqual(['', 'box_finder', 'tone_asr'])
    fireEvent.change(screen.getByTestId('bench-compare-model'), { target: { value: 'box_finder' } })
    fireEvent.change(screen.getByTestId('bench-compare-endpoint'), { target: { value: 'remote' } })
    await screen.findByTestId('bench-compare-models-loading')
    expect(bridge.calls('models:list')).toContain('remote')
    expect((screen.getByTestId('bench-compare-model') as HTMLSelectElement).value).toBe('')
    await act(async () =>
      answerLab?.(ok([{ name: 'lab_detector', version: '2', state: 'READY', reason: '' }])),
    )
    expect(options()).toEqual(['', 'lab_detector'])
    expect(screen.queryByTestId('bench-compare-models-loading')).toBeNull()
  })

  it('says inline when the other endpoint cannot list its models', async () => {
    const bridge = demoBridge()
    mount(bridge)
    await waitFor(() => expect(screen.getByTestId('model-details')).toBeTruthy())
    bridge.handlers['models:list'] = () =>
      fail<ModelSummary[]>('Connection refused.', 'Is the lab server up?')
    fireEvent.click(screen.getByTestId('tab-bench'))
    fireEvent.click(screen.getByTestId('bench-compare'))
    fireEvent.change(screen.getByTestId('bench-compare-endpoint'), { target: { value: 'remote' } })
    const error = await screen.findByTestId('bench-compare-models-error')
    expect(error.textContent).toContain('Connection refused.')
    expect(error.getAttribute('title')).toBe('Is the lab server up?')
  })

  it('shows why a run or a save failed', async () => {
    const bridge = demoBridge({
      'bench:run': () => fail<BenchReport>('model not ready', 'load it first'),
    })
    const store = mount(bridge)
    await waitFor(() => expect(screen.getByTestId('model-details')).toBeTruthy())
    fireEvent.click(screen.getByTestId('tab-bench'))
    fireEvent.click(screen.getByTestId('bench-run'))
    const banner = await screen.findByTestId('bench-error')
    expect(banner.textContent).toContain('model not ready')
    expect(banner.textContent).toContain('load it first')
    act(() => store.setState((s) => ({ bench: { ...s.bench, report } })))
    bridge.handlers['bench:export'] = () => fail<string | undefined>('disk full', 'free some space')
    fireEvent.click(screen.getByTestId('bench-save-json'))
    expect((await screen.findByTestId('bench-save-error')).textContent).toContain('disk full')
  })
})
