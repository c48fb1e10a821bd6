// @vitest-environment jsdom
import {
  act,
  cleanup,
  fireEvent,
  render,
  renderHook,
  screen,
  waitFor,
} from '@testing-library/react'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { App } from '../../../src/renderer/src/App'
import { ApiContext } from '../../../src/renderer/src/bridge'
import { MetricsPanel } from '../../../src/renderer/src/components/MetricsPanel'
import {
  formatBytes,
  inferenceRateChart,
  utilisationChart,
} from '../../../src/renderer/src/components/metrics-view'
import {
  hasNoSamples,
  integerSplits,
  yTickText,
} from '../../../src/renderer/src/components/UPlotChart'
import { useMetricsPolling } from '../../../src/renderer/src/hooks/useMetricsPolling'
import { SessionController } from '../../../src/renderer/src/session/session-controller'
import { createAppStore, StoreContext } from '../../../src/renderer/src/store'
import { SERVER_METRICS_HISTORY } from '../../../src/renderer/src/store/metrics-slice'
import type { MetricsPoll, Result } from '../../../src/shared/ipc-contract'
import { demoBridge, ok } from './fake-bridge'

beforeAll(() => {
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null)
})
afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

const GiB = 2 ** 30

function gpuPoll(takenAtMs = 10_000): MetricsPoll {
  return {
    endpointId: 'demo',
    url: 'http://127.0.0.1:8002/metrics',
    takenAtMs,
    hasGpuMetrics: true,
    gpus: [
      {
        uuid: 'GPU-1a2b3c4d-0000-1111-2222-333344445555',
        utilization: 0.42,
        memoryUsedBytes: 3 * GiB,
        memoryTotalBytes: 24 * GiB,
        powerWatts: 123.4,
      },
      { uuid: 'GPU-99887766-aaaa', utilization: 0, memoryUsedBytes: 0, memoryTotalBytes: 16 * GiB },
    ],
    cpu: { utilization: 0.125, memoryUsedBytes: 8 * GiB, memoryTotalBytes: 32 * GiB },
    models: [
      {
        model: 'yolov8',
        version: '1',
        inferencePerSec: 30,
        successPerSec: 30,
        failurePerSec: 0,
        avgRequestMs: 8,
        avgQueueMs: 0.5,
        avgComputeMs: 7.25,
        pendingRequests: 2,
      },
    ],
  }
}

function cpuOnlyPoll(takenAtMs = 10_000): MetricsPoll {
  return { ...gpuPoll(takenAtMs), hasGpuMetrics: false, gpus: [] }
}

describe('MetricsPanel', () => {
  it('shows per-GPU utilisation, memory and power, CPU and per-model rates', () => {
    render(<MetricsPanel connected last={gpuPoll()} polls={[gpuPoll()]} intervalMs={2000} />)
    const gpus = screen.getAllByTestId('metrics-gpu')
    expect(gpus).toHaveLength(2)
    expect(gpus[0].textContent).toContain('GPU 0')
    expect(gpus[0].querySelector('dt')?.getAttribute('title')).toBe(
      'GPU-1a2b3c4d-0000-1111-2222-333344445555',
    )
    expect(gpus[1].textContent).toContain('GPU 1')
    expect(screen.getAllByTestId('metrics-gpu-util')[0].textContent).toBe('42%')
    expect(screen.getAllByTestId('metrics-gpu-mem')[0].textContent).toBe('3.0 GB / 24 GB')
    expect(screen.getAllByTestId('metrics-gpu-power')[0].textContent).toBe('123 W')
    expect(screen.getAllByTestId('metrics-gpu-power')[1].textContent).toBe('–')
    expect(screen.getByTestId('metrics-cpu-util').textContent).toBe('13%')
    expect(screen.getByTestId('metrics-cpu-mem').textContent).toBe('8.0 GB / 32 GB')
    const row = screen.getByTestId('metrics-model-row')
    expect(row.dataset.model).toBe('yolov8')
    expect(row.textContent).toContain('30')
    expect(row.textContent).toContain('0.5 ms')
    expect(row.textContent).toContain('7.3 ms')
    expect(screen.queryByTestId('metrics-no-gpu')).toBeNull()
    expect(screen.queryByTestId('metrics-none')).toBeNull()
  })

  it('says plainly when the server reports no GPU lines, and still shows the CPU', () => {
    render(
      <MetricsPanel connected last={cpuOnlyPoll()} polls={[cpuOnlyPoll()]} intervalMs={2000} />,
    )
    expect(screen.getByTestId('metrics-no-gpu').textContent).toBe(
      'No GPU lines: this server reports no GPUs (or GPU metrics are off).',
    )
    expect(screen.getByTestId('metrics-cpu-util').textContent).toBe('13%')
    expect(screen.getByTestId('metrics-util-chart')).toBeTruthy()
  })

  it('shows "No metrics" with the message and hint when the page does not answer', () => {
    const down: MetricsPoll = {
      ...cpuOnlyPoll(),
      models: [],
      error: {
        message: 'connection refused at http://h:8002/metrics',
        hint: 'start Triton with --allow-metrics=true or set the metrics URL',
        kind: 'unavailable',
      },
    }
    render(<MetricsPanel connected last={down} polls={[]} intervalMs={2000} />)
    const none = screen.getByTestId('metrics-none')
    expect(none.textContent).toContain('No metrics: connection refused at http://h:8002/metrics')
    expect(none.textContent).toContain('--allow-metrics=true')
    expect(screen.queryByTestId('metrics-cpu-util')).toBeNull()
  })

  it('builds chart series relative to the newest poll', () => {
    const polls = [gpuPoll(10_000), gpuPoll(12_000), gpuPoll(14_000)]
    const util = utilisationChart(polls)
    expect(util.x).toEqual([-4, -2, 0])
    expect(util.title).toBe('CPU and GPU utilisation (%)')
    expect(util.labels).toEqual([
      'CPU utilisation (%)',
      'GPU 0 utilisation (%)',
      'GPU 1 utilisation (%)',
    ])
    expect(util.ys[1]).toEqual([42, 42, 42])
    expect(inferenceRateChart(polls).labels).toEqual(['yolov8 (inferences/s)'])
    expect(formatBytes(1536)).toBe('1.5 KB')
  })
})

describe('charts people can read', () => {
  it('names the CPU in the title and the legend, with the unit, when it is the only series', () => {
    const polls = [cpuOnlyPoll(10_000), cpuOnlyPoll(12_000)]
    render(<MetricsPanel connected last={polls[1]} polls={polls} intervalMs={2000} />)
    expect(screen.getByTestId('metrics-util-title').textContent).toBe('CPU utilisation (%)')
    expect(screen.getByTestId('metrics-util-chart-legend').textContent).toBe('CPU utilisation (%)')
    expect(screen.getByTestId('metrics-mem-title').textContent).toBe('CPU memory used (% of total)')
    expect(screen.getByTestId('metrics-mem-chart-legend').textContent).toBe('CPU memory (%)')
    expect(screen.getByTestId('metrics-rate-chart-legend').textContent).toBe(
      'yolov8 (inferences/s)',
    )
    expect(screen.queryByTestId('metrics-util-chart-empty')).toBeNull()
  })

  it('names every GPU by number in the legend, CPU first', () => {
    render(<MetricsPanel connected last={gpuPoll()} polls={[gpuPoll()]} intervalMs={2000} />)
    expect(screen.getByTestId('metrics-util-title').textContent).toBe('CPU and GPU utilisation (%)')
    const legend = screen.getByTestId('metrics-util-chart-legend')
    expect([...legend.querySelectorAll('.legend-item')].map((e) => e.textContent)).toEqual([
      'CPU utilisation (%)',
      'GPU 0 utilisation (%)',
      'GPU 1 utilisation (%)',
    ])
  })

  it('says "No samples yet" instead of drawing empty axes', () => {
    render(<MetricsPanel connected last={cpuOnlyPoll()} polls={[]} intervalMs={2000} />)
    expect(screen.getByTestId('metrics-util-chart-empty').textContent).toBe('No samples yet')
    expect(screen.getByTestId('metrics-mem-chart-empty').textContent).toBe('No samples yet')
    expect(
      screen.getByTestId('metrics-util-chart').querySelector('.chart-plot')?.hasAttribute('hidden'),
    ).toBe(true)
  })

  it('writes y ticks without float noise and with their unit', () => {
    expect(yTickText(198.72160899999994, ' ms')).toBe('199 ms')
    expect(yTickText(0.30000000000000004, '%')).toBe('0.3%')
    expect(yTickText(2, '/s')).toBe('2/s')
    // A count axis: whole numbers, a few of them, however short the chart is.
    expect(integerSplits(0, 2)).toEqual([0, 1, 2])
    expect(integerSplits(0, 13)).toEqual([0, 5, 10])
    expect(integerSplits(0, 3)).toEqual([0, 1, 2, 3])
    expect(integerSplits(0, 250)).toEqual([0, 100, 200])
    expect(hasNoSamples([1, 2], [[null, null]])).toBe(true)
    expect(hasNoSamples([1, 2], [[null, 3]])).toBe(false)
    expect(hasNoSamples([], [])).toBe(true)
  })
})

describe('metrics polling', () => {
  it('polls every interval while connected, one call at a time, and stops on disconnect', async () => {
    let answer: ((r: Result<MetricsPoll>) => void) | undefined
    const bridge = demoBridge({
      'metrics:poll': () =>
        new Promise<Result<MetricsPoll>>((resolve) => {
          answer = resolve
        }),
    })
    const store = createAppStore({ api: bridge.api })
    await store.getState().bootstrap()
    vi.useFakeTimers()
    const { unmount } = renderHook(() => useMetricsPolling(2000), {
      wrapper: ({ children }) => (
        <ApiContext.Provider value={bridge.api}>
          <StoreContext.Provider value={store}>{children}</StoreContext.Provider>
        </ApiContext.Provider>
      ),
    })
    expect(bridge.calls('metrics:poll')).toEqual(['demo'])
    // A slow page: no second call while the first is unanswered.
    await act(() => vi.advanceTimersByTimeAsync(7000))
    expect(bridge.calls('metrics:poll')).toHaveLength(1)
    await act(async () => answer?.(ok(cpuOnlyPoll())))
    expect(store.getState().serverMetrics.last?.hasGpuMetrics).toBe(false)
    await act(() => vi.advanceTimersByTimeAsync(1999))
    expect(bridge.calls('metrics:poll')).toHaveLength(1)
    await act(() => vi.advanceTimersByTimeAsync(1))
    expect(bridge.calls('metrics:poll')).toHaveLength(2)
    await act(async () => answer?.(ok(cpuOnlyPoll(12_000))))
    expect(store.getState().serverMetrics.polls).toHaveLength(2)
    act(() => store.getState().disconnect())
    await act(() => vi.advanceTimersByTimeAsync(10_000))
    expect(bridge.calls('metrics:poll')).toHaveLength(2)
    unmount()
  })

  it('keeps a bounded history and starts afresh for another endpoint', () => {
    const store = createAppStore({ api: demoBridge().api })
    for (let i = 0; i < SERVER_METRICS_HISTORY + 20; i++) {
      store.getState().applyMetricsPoll(gpuPoll(i * 2000))
    }
    expect(store.getState().serverMetrics.polls).toHaveLength(SERVER_METRICS_HISTORY)
    expect(store.getState().serverMetrics.polls[0].takenAtMs).toBe(20 * 2000)
    store.getState().applyMetricsPoll({ ...gpuPoll(), endpointId: 'remote' })
    expect(store.getState().serverMetrics.polls).toHaveLength(1)
  })

  it('shows the metrics tab of the app from a fake poll', async () => {
    const bridge = demoBridge({ 'metrics:poll': () => ok(gpuPoll()) })
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
    await waitFor(() => expect(screen.getAllByTestId('model-row')).toHaveLength(2))
    fireEvent.click(screen.getByTestId('tab-metrics'))
    await waitFor(() =>
      expect(screen.getAllByTestId('metrics-gpu-util')[0].textContent).toBe('42%'),
    )
    expect(screen.getByTestId('tab-metrics').getAttribute('aria-selected')).toBe('true')
    expect(screen.queryByTestId('latency-panel')).toBeNull()
  })
})
