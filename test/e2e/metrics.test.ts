import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppHarness, ROOT } from './harness/app-harness'
import { yAxisFits } from './harness/page-geometry'
import { parseCsv } from '../fixtures/csv'

const SAMPLES = join(ROOT, 'resources/samples')
const SAMPLE_TEXT = 'hello from triton live. the quick brown fox jumps over the lazy dog.'
const SEGMENTS = ['network', 'serverQueue', 'serverCompute', 'render', 'roundTrip'] as const
const NUMBER = /^\d+(\.\d{1,2})?$/

let h: AppHarness
let saveDir: string

async function chooseModel(name: string): Promise<void> {
  await h.page.locator(`[data-testid="model-row"][data-model="${name}"]`).click()
  await h.page.locator(`[data-testid="model-details"][data-model="${name}"]`).waitFor()
}

async function pickFile(path: string): Promise<void> {
  await h.page.getByTestId('source-file').click()
  h.nextPick = path
  await h.page.getByTestId('file-pick').click()
  await expect
    .poll(() => h.page.getByTestId('file-path').textContent())
    .toContain(path.split('/').pop())
}

async function figure(segment: string, p: 'p50' | 'p95' | 'p99'): Promise<string> {
  return (await h.page.getByTestId(`breakdown-${segment}-${p}`).textContent()) ?? ''
}

async function waitUntilStopped(timeout = 60_000): Promise<void> {
  await h.page.getByTestId('session-start').waitFor({ timeout })
}

beforeAll(async () => {
  saveDir = mkdtempSync(join(tmpdir(), 'triton-live-e2e-save-'))
  h = await AppHarness.start({ fakeAudio: join(SAMPLES, 'tone-text.wav') })
  await h.page
    .locator('[data-testid="health-badge"][data-state="ready"]')
    .waitFor({ timeout: 15_000 })
}, 120_000)

afterAll(async () => {
  await h?.close()
  rmSync(saveDir, { recursive: true, force: true })
})

describe('where the time goes, in Chromium against the demo endpoint', () => {
  it('breaks a file session down into network, server queue, compute and render', async () => {
    await chooseModel('color-box-detector-e2e')
    await pickFile(join(SAMPLES, 'boxes.mp4'))
    await h.page.getByTestId('tab-breakdown').click()
    await h.page.getByTestId('session-start').click()
    // Server queue and compute come from ModelStatistics, polled every 2 s after a baseline.
    await expect
      .poll(() => figure('serverCompute', 'p50'), { timeout: 30_000, interval: 250 })
      .toMatch(NUMBER)
    await waitUntilStopped()
    for (const segment of SEGMENTS) {
      for (const p of ['p50', 'p95', 'p99'] as const)
        expect(await figure(segment, p)).toMatch(NUMBER)
    }
    expect(await figure('serverQueue', 'p50')).toMatch(NUMBER)
    // A file has no capture stamp: the panel says so instead of inventing one.
    expect(await figure('captureToSend', 'p50')).toBe('–')
    await expect
      .poll(() => h.page.getByTestId('breakdown-server').getAttribute('data-state'))
      .toBe('ok')
    expect(await h.page.getByTestId('breakdown-count').textContent()).toMatch(/^\d+ requests$/)
    expect(await h.page.getByTestId('breakdown-bar-part').count()).toBe(4)
    await h.page.getByTestId('glass-none').waitFor()
  })

  it('saves the finished detection session as JSON lines from the menu under the video', async () => {
    h.saveDir = saveDir
    await h.page.getByTestId('export-toggle').click()
    expect(await h.page.getByTestId('export-mp4').isVisible()).toBe(true)
    await h.page.getByTestId('export-jsonl').click()
    const saved = h.page.getByTestId('export-saved')
    // Polls the whole bar, so a failure shows the error the app printed there.
    await expect
      .poll(() => h.page.getByTestId('export-bar').textContent(), { timeout: 10_000 })
      .toMatch(/Saved JSONL to /)
    const lines = readFileSync((await saved.getAttribute('title')) ?? '', 'utf8')
      .trimEnd()
      .split('\n')
    expect(lines).toHaveLength(40)
    expect(JSON.parse(lines[0])).toMatchObject({ frame: 0 })
  })

  it('measures capture to screen for the microphone against the 300 ms voice target', async () => {
    await chooseModel('tone-transcriber-streaming')
    await h.page.getByTestId('source-microphone').click()
    await h.page.getByTestId('mic-chunk-ms').fill('160')
    await h.page.getByTestId('session-start').click()
    await expect
      .poll(() => figure('glass', 'p95'), { timeout: 60_000, interval: 500 })
      .toMatch(NUMBER)
    await expect
      .poll(() => figure('serverQueue', 'p50'), { timeout: 30_000, interval: 250 })
      .toMatch(NUMBER)
    for (const segment of ['captureToSend', ...SEGMENTS, 'glass']) {
      expect(await figure(segment, 'p50')).toMatch(NUMBER)
    }
    // Capture → send counts from a chunk's first sample: never less than the chunk.
    expect(Number(await figure('captureToSend', 'p50'))).toBeGreaterThanOrEqual(150)
    // The verdict agrees with the p95 it quotes, whichever side of 300 ms a busy machine lands
    // on (speed is measured in benchmarks, not asserted here).
    const verdict = await h.page.getByTestId('glass-verdict').evaluate((el) => ({
      under: el.getAttribute('data-under'),
      text: el.textContent ?? '',
    }))
    const p95 = Number(/p95 ([\d.]+) ms/.exec(verdict.text)?.[1])
    expect(p95).toBeGreaterThan(0)
    expect(verdict.under).toBe(String(p95 < 300))
    expect(verdict.text).toMatch(p95 < 300 ? /under the 300 ms target/ : /over the 300 ms target/)
    expect(await h.page.getByTestId('breakdown-bar-part').count()).toBe(5)
    await h.page.getByTestId('breakdown-glass-chart').locator('canvas').waitFor()
    await h.page.getByTestId('breakdown-rt-histogram').locator('canvas').waitFor()
    await h.screenshot('07-latency-breakdown')
    await h.page.getByTestId('session-stop').click()
    await waitUntilStopped()
  })

  it('shows CPU figures and says the demo server reports no GPU lines', async () => {
    await h.page.getByTestId('tab-metrics').click()
    await expect
      .poll(() => h.page.getByTestId('metrics-cpu-util').textContent(), { timeout: 10_000 })
      .toMatch(/^\d+%$/)
    expect(await h.page.getByTestId('metrics-no-gpu').textContent()).toContain(
      'No GPU lines: this server reports no GPUs (or GPU metrics are off)',
    )
    expect(await h.page.getByTestId('metrics-gpu').count()).toBe(0)
    expect(await h.page.getByTestId('metrics-cpu-mem').textContent()).toMatch(/GB \/ .*GB/)
    await h.page.getByTestId('metrics-model-row').first().waitFor({ timeout: 10_000 })
    // A few polls so the charts have a line to draw.
    await expect
      .poll(
        async () =>
          Number(await h.page.getByTestId('metrics-util-chart').getAttribute('data-points')),
        {
          timeout: 15_000,
        },
      )
      .toBeGreaterThanOrEqual(3)
    // The charts say what they show: CPU named, with the unit, even as the only series.
    expect(await h.page.getByTestId('metrics-util-title').textContent()).toBe('CPU utilisation (%)')
    expect(await h.page.getByTestId('metrics-util-chart-legend').textContent()).toBe(
      'CPU utilisation (%)',
    )
    // Axes as wide as their labels; the inference rate ticks on whole numbers, not a lone 0.
    await expect
      .poll(async () => (await yAxisFits(h.page, 'metrics-rate-chart')).ticks.length, {
        timeout: 15_000,
      })
      .toBeGreaterThan(1)
    for (const id of ['metrics-util-chart', 'metrics-rate-chart']) {
      const axis = await yAxisFits(h.page, id)
      expect(axis.room, id).toBeGreaterThanOrEqual(axis.widest + 4)
    }
    expect((await yAxisFits(h.page, 'metrics-util-chart')).ticks).toContain('100%')
    for (const tick of (await yAxisFits(h.page, 'metrics-rate-chart')).ticks)
      expect(tick).toMatch(/^\d+\/s$/)
    await h.screenshot('08-metrics')
  })

  it('benchmarks two detectors side by side and saves the report', async () => {
    await h.page.getByTestId('tab-bench').click()
    await h.page.getByTestId('bench-model').selectOption('color-box-detector-yolov8')
    await h.page.getByTestId('bench-mode-rate').click()
    await h.page.getByTestId('bench-rate').fill('4')
    await h.page.getByTestId('bench-duration').fill('1')
    h.nextPick = join(SAMPLES, 'boxes.mp4')
    await h.page.getByTestId('bench-file-pick').click()
    await expect.poll(() => h.page.getByTestId('bench-file').textContent()).toBe('boxes.mp4')
    await h.page.getByTestId('bench-compare').check()
    await h.page.getByTestId('bench-compare-model').selectOption('color-box-detector-e2e')
    await h.page.getByTestId('bench-run').click()
    await h.page.getByTestId('bench-progress').waitFor()
    const table = h.page.getByTestId('bench-table')
    await table.waitFor({ timeout: 60_000 })
    expect(await table.getByTestId('bench-run-name').allTextContents()).toEqual([
      'color-box-detector-yolov8',
      'color-box-detector-e2e',
    ])
    const requests = table.locator('[data-testid="bench-row"][data-metric="requests"]')
    expect(await requests.getByTestId('bench-cell').allTextContents()).toEqual(['4', '4'])
    const successes = table.locator('[data-testid="bench-row"][data-metric="successes"]')
    expect(await successes.getByTestId('bench-cell').allTextContents()).toEqual(['4', '4'])
    expect(await table.getByTestId('bench-winner-header').textContent()).toBe('Winner')
    const p50Winner = await table
      .locator('[data-testid="bench-row"][data-metric="p50"]')
      .getByTestId('bench-winner')
      .textContent()
    await h.screenshot('09-bench-compare')

    h.saveDir = saveDir
    await h.page.getByTestId('bench-save-md').click()
    await expect
      .poll(() => h.page.getByTestId('bench-saved').textContent())
      .toContain(join(saveDir, 'bench-report.md'))
    const md = readFileSync(join(saveDir, 'bench-report.md'), 'utf8')
    expect(md).toContain('color-box-detector-yolov8')
    expect(md).toContain('color-box-detector-e2e')
    expect(md).toMatch(/Total Requests\*\* \| 4 \| 4 \|/)
    expect(md).toContain('Winner')
    // The panel ranks p50 by the same rule as main's report: the same winner (or a tie).
    const p50Row = md.split('\n').find((l) => l.startsWith('| **p50** |'))
    const reportWinner = p50Row?.split(' | ')[3]
    expect(['color-box-detector-yolov8', 'color-box-detector-e2e', 'Tie']).toContain(reportWinner)
    expect(p50Winner).toBe(reportWinner)
    await h.page.getByTestId('bench-save-csv').click()
    // Wait for the window to say it was saved: the file exists before its bytes are written.
    await expect
      .poll(() => h.page.getByTestId('bench-saved').textContent(), { timeout: 10_000 })
      .toContain(join(saveDir, 'bench-report.csv'))
    const csv = readFileSync(join(saveDir, 'bench-report.csv'), 'utf8')
    const [header, ...rows] = parseCsv(csv)
    const count = header.indexOf('Request Count')
    expect(count).toBeGreaterThan(-1)
    expect(rows.map((r) => [r[header.indexOf('Model')], r[count]])).toEqual([
      ['color-box-detector-yolov8', '4'],
      ['color-box-detector-e2e', '4'],
    ])
  })

  it('exports a streamed transcript as SubRip subtitles', async () => {
    await h.page.getByTestId('tab-live').click()
    await chooseModel('tone-transcriber-streaming')
    await pickFile(join(SAMPLES, 'tone-text.wav'))
    await h.page.getByTestId('pace-fast').click()
    await h.page.getByTestId('session-start').click()
    // Let the file run to its end, as a user would, then export what it produced.
    await waitUntilStopped()
    await expect
      .poll(async () => (await h.page.getByTestId('transcript-final').allTextContents()).join(' '))
      .toContain('the lazy dog.')
    h.saveDir = saveDir
    await h.page.getByTestId('export-toggle').click()
    await h.page.getByTestId('export-srt').click()
    const saved = h.page.getByTestId('export-saved')
    await expect
      .poll(() => h.page.getByTestId('export-bar').textContent(), { timeout: 10_000 })
      .toMatch(/Saved SRT to .*\.srt$/)
    const path = ((await saved.getAttribute('title')) ?? '').trim()
    expect(path.startsWith(saveDir)).toBe(true)
    const srt = readFileSync(path, 'utf8')
    expect(srt).toMatch(/^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n/)
    const text = srt
      .split('\n\n')
      .filter(Boolean)
      .map((cue) => cue.split('\n').slice(2).join(' '))
      .join(' ')
    expect(text.replace(/\s+/g, ' ').trim()).toBe(SAMPLE_TEXT)
    expect(h.pageErrors).toEqual([])
    // The HDR histogram is bundled without its zlib probe: no CSP complaint about eval.
    expect(h.consoleErrors.filter((m) => /unsafe-eval/.test(m))).toEqual([])
  })
})
