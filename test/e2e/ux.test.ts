import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BOX_PALETTE } from '../../src/main/demo-endpoint/color-box-finder'
import { resolveModel } from '../../src/main/sessions/model-plan'
import { classColour } from '../../src/shared/class-palette'
import { presetLine } from '../../src/shared/preset-line'
import { HOSTILE_MODELS } from '../fixtures/hostile-models'
import { startHostileServer, type HostileServer } from '../fixtures/hostile-server'
import { AppHarness, ROOT } from './harness/app-harness'
import { boxes, expectApart, overflowReport, yAxisFits } from './harness/page-geometry'

// What a person sees at every window size, in Chromium against the demo endpoint: the layout
// (with screenshots), Load/Unload, empty answers, state hygiene, the palette, the preset line
// and a broken model in the browser. One browser, one page, one demo endpoint for all of it.

const SAMPLES = join(ROOT, 'resources/samples')
const SIZES = [
  { width: 1280, height: 800, layout: 'wide' },
  { width: 1024, height: 640, layout: 'medium' },
  { width: 800, height: 600, layout: 'narrow' },
] as const

let dir: string
let longVideo: string
let speech: string
let hostile: HostileServer
let h: AppHarness

async function chooseModel(name: string): Promise<void> {
  await h.page.locator(`[data-testid="model-row"][data-model="${name}"]`).click()
  await h.page.locator(`[data-testid="model-details"][data-model="${name}"]`).waitFor()
}

async function pickFile(path: string): Promise<void> {
  await h.page.getByTestId('source-file').click()
  h.nextPick = path
  await h.page.getByTestId('file-pick').click()
  await expect.poll(() => h.page.getByTestId('file-path').getAttribute('title')).toBe(path)
}

async function setSize(size: (typeof SIZES)[number]): Promise<void> {
  await h.page.setViewportSize({ width: size.width, height: size.height })
  await h.page.locator(`[data-testid="app"][data-layout="${size.layout}"]`).waitFor()
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-e2e-ux-'))
  // The sample played five times over, so the session is still running at every size.
  longVideo = join(dir, 'boxes-long.mp4')
  execFileSync('ffmpeg', [
    '-nostdin',
    '-loglevel',
    'error',
    '-stream_loop',
    '4',
    '-i',
    join(SAMPLES, 'boxes.mp4'),
    '-c',
    'copy',
    longVideo,
  ])
  // Real speech: the demo transcriber understands tone-coded audio only, so it hears nothing.
  speech = join(dir, 'speech.wav')
  execFileSync('espeak-ng', ['-w', speech, 'this is speech, not tones, so nothing is recognised'])
  hostile = await startHostileServer()
  h = await AppHarness.start()
  await h.page
    .locator('[data-testid="health-badge"][data-state="ready"]')
    .waitFor({ timeout: 15_000 })
}, 120_000)

afterAll(async () => {
  await h?.close()
  await hostile?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the app at every size, in Chromium against the demo endpoint', () => {
  it('lists each demo model on one line, says what it understands, and labels the health line', async () => {
    await expect
      .poll(() => h.page.getByTestId('health-detail').textContent())
      .toMatch(/^RTT \d+(\.\d)? ms · triton-live-demo \S+ · \d+ extensions$/)
    const rows = h.page.getByTestId('model-row')
    await expect.poll(() => rows.count()).toBe(6)
    const seen = await rows.evaluateAll((els) =>
      els.map((row) => {
        const name = row.querySelector<HTMLElement>('[data-testid="model-name"]')!
        const line = parseFloat(getComputedStyle(name).lineHeight)
        return {
          model: row.getAttribute('data-model'),
          title: name.title,
          text: name.textContent,
          oneLine: name.getBoundingClientRect().height <= line * 1.3,
          description: row.querySelector('[data-testid="model-row-description"]')?.textContent,
        }
      }),
    )
    for (const s of seen) {
      expect(s.title).toBe(s.model)
      expect(s.text).toBe(s.model)
      expect(s.oneLine, s.model ?? '').toBe(true)
    }
    const understands = Object.fromEntries(seen.map((s) => [s.model, s.description]))
    expect(understands['tone-transcriber-streaming']).toMatch(/understands tone-coded audio only/)
    expect(understands['color-box-detector-e2e']).toMatch(/solid rectangles of six saturated/)
    expect(understands['word-splitter-decoupled']).toMatch(/takes a sentence in TEXT/)
    // Before any session the latency chart says so instead of drawing bare axes.
    expect(await h.page.getByTestId('latency-chart-empty').textContent()).toBe('No samples yet')
  })

  it('resizes the sidebar by dragging its edge, and back to its width on double-click', async () => {
    const sidebar = h.page.getByTestId('sidebar')
    const before = (await sidebar.boundingBox())!.width
    const grip = (await h.page.getByTestId('sidebar-resizer').boundingBox())!
    await h.page.mouse.move(grip.x + grip.width / 2, grip.y + 200)
    await h.page.mouse.down()
    await h.page.mouse.move(grip.x + grip.width / 2 + 80, grip.y + 200, { steps: 4 })
    await h.page.mouse.up()
    await expect.poll(async () => (await sidebar.boundingBox())!.width).toBe(before + 80)
    await h.page.getByTestId('sidebar-resizer').dblclick()
    await expect.poll(async () => (await sidebar.boundingBox())!.width).toBe(before)
  })

  it('asks before Unload, saying it acts for every user; Cancel keeps the model, Confirm unloads it', async () => {
    const row = h.page.locator('[data-testid="model-row"][data-model="word-splitter-decoupled"]')
    await row.getByTestId('model-unload').click()
    const dialog = h.page.getByTestId('model-action-confirm')
    expect(await dialog.textContent()).toMatch(
      /Unload word-splitter-decoupled on the server\?This acts on Built-in demo endpoint \(127\.0\.0\.1:\d+\), for every user and application of that Triton, not only this window\./,
    )
    await h.page.getByTestId('model-action-confirm-cancel').click()
    await dialog.waitFor({ state: 'detached' })
    // The server still has it: read the repository again.
    await h.page.getByTestId('models-refresh').click()
    await expect.poll(() => h.page.getByTestId('models-refresh').textContent()).toBe('Refresh')
    expect(await row.getAttribute('data-state')).toBe('READY')

    await row.getByTestId('model-unload').click()
    await h.page.getByTestId('model-action-confirm-confirm').click()
    await expect.poll(() => row.getAttribute('data-state')).toBe('UNAVAILABLE')
    // And back, for everyone else on this server.
    await row.getByTestId('model-load').click()
    expect(await dialog.textContent()).toContain('for every user and application')
    await h.page.getByTestId('model-action-confirm-confirm').click()
    await expect.poll(() => row.getAttribute('data-state')).toBe('READY')
  })

  it('gives the stage most of the window at 1280×800, 1024×640 and 800×600, with a detector on a file', async () => {
    await chooseModel('color-box-detector-e2e')
    await pickFile(longVideo)
    await h.page.getByTestId('session-start').click()
    await h.page.getByTestId('session-stop').waitFor()

    // The model in use cannot be unloaded from under the session, and the button says why.
    const inUse = h.page
      .locator('[data-testid="model-row"][data-model="color-box-detector-e2e"]')
      .getByTestId('model-unload')
    expect(await inUse.isDisabled()).toBe(true)
    expect(await inUse.getAttribute('title')).toBe(
      'color-box-detector-e2e is in use by the running session: stop it first.',
    )

    // The preset line, in the words the CLI prints when a stream starts.
    const client = await h.services.endpoints.client('demo')
    const want = presetLine((await resolveModel(client, 'color-box-detector-e2e')).details)
    expect(want).toMatch(/^preset: Ultralytics YOLO, 640×640, /)
    await expect.poll(() => h.page.getByTestId('session-preset').textContent()).toBe(want)

    // Boxes on screen: every class in the colour of the shared palette, on the canvas and on
    // its filter chip ("green" is green, not pink).
    const count = h.page.getByTestId('overlay-count')
    await expect
      .poll(() => count.getAttribute('data-count'), { timeout: 30_000, interval: 100 })
      .toBe('3')
    const drawn = await h.page.getByTestId('overlay-canvas').evaluate((c: HTMLCanvasElement) => {
      const probe = (
        window as unknown as {
          __tritonLiveOverlay: { displayBoxes: Array<{ label: string; x: number; y: number }> }
        }
      ).__tritonLiveOverlay
      const ctx = c.getContext('2d')!
      const dpr = c.width / c.clientWidth
      return probe.displayBoxes.map((b) => {
        // Inside the label tag above the box, left of its text.
        const tagY = b.y >= 16 ? b.y - 16 : b.y
        const px = ctx.getImageData(Math.round(b.x * dpr), Math.round((tagY + 1) * dpr), 1, 1).data
        return { label: b.label, rgb: [px[0], px[1], px[2]] }
      })
    })
    expect(drawn.map((d) => d.label).sort()).toEqual(['blue', 'green', 'red'])
    for (const d of drawn) {
      const colour = classColour(BOX_PALETTE.findIndex((p) => p.name === d.label))
      expect(colour.name).toBe(d.label)
      expect(d.rgb, d.label).toEqual([...colour.rgb])
    }
    const chips = await h.page
      .getByTestId('overlay-class')
      .evaluateAll((els) =>
        els.map((el) => [
          el.textContent,
          getComputedStyle(el.querySelector('.swatch')!).backgroundColor,
        ]),
      )
    for (const [label, css] of chips) {
      const [r, g, b] = classColour(BOX_PALETTE.findIndex((p) => p.name === label)).rgb
      expect(css, label ?? '').toBe(`rgb(${r}, ${g}, ${b})`)
    }

    for (const size of SIZES) {
      await setSize(size)
      const area = size.width * size.height
      const found = await boxes(h.page, {
        bar: '.app-bar',
        sidebar: '[data-testid="sidebar"]:not([hidden])',
        centre: '[data-testid="centre"]',
        figures: '[data-testid="figures"]:not([hidden])',
        source: '[data-testid="source-panel"]',
        stage: '[data-testid="stage"]',
        media: '.media-wrap',
        controls: '[data-testid="overlay-controls"]',
        kind: '[data-testid="source-selector"]',
        pick: '[data-testid="file-pick"]',
        file: '[data-testid="file-path"]',
        pace: '[data-testid="file-pace"]',
        stop: '[data-testid="session-stop"]',
        status: '[data-testid="session-status"]',
        flow: '[data-testid="session-flow"]',
        preset: '[data-testid="session-preset"]',
      })
      const stage = found.stage!
      // The stage keeps most of the height, and the picture is big enough to see the boxes.
      expect((stage.bottom - stage.top) / size.height, `${size.width}`).toBeGreaterThan(0.65)
      const picture = await h.page.getByTestId('file-video').evaluate((v: HTMLVideoElement) => {
        const scale = Math.min(v.clientWidth / v.videoWidth, v.clientHeight / v.videoHeight)
        return { width: v.videoWidth * scale, height: v.videoHeight * scale }
      })
      expect(picture.height / size.height, `${size.width}`).toBeGreaterThanOrEqual(0.45)
      expect((picture.width * picture.height) / area, `${size.width}`).toBeGreaterThan(0.2)
      // Side panels are docked where there is room, and in closed drawers where there is not.
      expect(!!found.sidebar).toBe(size.layout !== 'narrow')
      expect(!!found.figures).toBe(size.layout === 'wide')
      // Nothing overlaps: the columns, the bars, the source controls, the picture and its filters.
      expectApart(found, ['bar', 'sidebar', 'centre', 'figures'])
      expectApart(found, ['source', 'stage'])
      expectApart(found, ['media', 'controls'])
      expectApart(found, ['kind', 'pick', 'file', 'pace', 'stop', 'status', 'flow', 'preset'])
      const report = await overflowReport(h.page)
      expect(report.outside, `${size.width}: outside the window`).toEqual([])
      expect(report.spilling, `${size.width}: content spilling`).toEqual([])
      // The latency axis is as wide as its labels ("1000 ms" is not cut).
      if (size.layout === 'wide') {
        await expect
          .poll(async () => (await yAxisFits(h.page, 'latency-chart')).ticks.length)
          .toBeGreaterThan(1)
        const axis = await yAxisFits(h.page, 'latency-chart')
        expect(axis.ticks.every((t) => t.endsWith(' ms'))).toBe(true)
        expect(axis.room).toBeGreaterThanOrEqual(axis.widest + 4)
      }
      await h.screenshot(`layout-${size.width}x${size.height}`)
    }

    // At 800 px the panels are drawers over the stage; Esc closes one and the session runs on.
    await h.page.getByTestId('toggle-sidebar').click()
    const drawer = (await boxes(h.page, { d: '[data-testid="sidebar"]:not([hidden])' })).d!
    expect(drawer.left).toBeGreaterThanOrEqual(0)
    expect(drawer.right).toBeLessThanOrEqual(800)
    expect(drawer.bottom).toBeLessThanOrEqual(600)
    await h.page.getByTestId('toggle-figures').click()
    expect(await h.page.getByTestId('sidebar').isHidden()).toBe(true)
    expect((await overflowReport(h.page)).outside).toEqual([])
    await h.page.keyboard.press('Escape')
    await h.page.getByTestId('figures').waitFor({ state: 'hidden' })
    expect(await h.page.getByTestId('session-stop').isVisible()).toBe(true)

    await h.page.getByTestId('session-stop').click()
    await h.page.getByTestId('session-start').waitFor()
    await setSize(SIZES[0])
  })

  it('keeps the transcript in the stage at every size', async () => {
    await chooseModel('tone-transcriber-streaming')
    await pickFile(join(SAMPLES, 'tone-text.wav'))
    await h.page.getByTestId('pace-fast').click()
    await h.page.getByTestId('session-start').click()
    await h.page.getByTestId('session-start').waitFor({ timeout: 30_000 })
    await expect
      .poll(() => h.page.getByTestId('transcript-final').first().textContent())
      .toContain('the lazy dog.')
    for (const size of SIZES) {
      await setSize(size)
      const found = await boxes(h.page, {
        source: '[data-testid="source-panel"]',
        stage: '[data-testid="stage"]',
        transcript: '.transcript-panel',
        line: '[data-testid="transcript-final"]',
      })
      expect((found.stage!.bottom - found.stage!.top) / size.height).toBeGreaterThan(0.65)
      expect((found.transcript!.bottom - found.transcript!.top) / size.height).toBeGreaterThan(0.5)
      expectApart(found, ['source', 'stage'])
      // The line is inside its panel, not under it.
      expect(found.line!.bottom).toBeLessThanOrEqual(found.transcript!.bottom)
      const report = await overflowReport(h.page)
      expect(report.outside, `${size.width}: outside the window`).toEqual([])
      expect(report.spilling, `${size.width}: content spilling`).toEqual([])
      await h.screenshot(`layout-transcript-${size.width}x${size.height}`)
    }
    await setSize(SIZES[0])
  })

  it('ends a speech file on the demo transcriber with "answered N times with no text"', async () => {
    await pickFile(speech)
    await h.page.getByTestId('session-start').click()
    await h.page.getByTestId('session-stop').waitFor()
    await h.page.getByTestId('session-start').waitFor({ timeout: 30_000 })
    const empty = h.page.getByTestId('empty-answers')
    await expect
      .poll(() => empty.textContent())
      .toMatch(/^tone-transcriber-streaming answered \d+ times with no text\./)
    const n = Number(/answered (\d+) times/.exec((await empty.textContent()) ?? '')?.[1])
    expect(n).toBeGreaterThan(1)
    expect(await h.page.getByTestId('empty-answers-description').textContent()).toMatch(
      /understands tone-coded audio only/,
    )
    expect(await h.page.getByTestId('transcript-final').count()).toBe(0)
  })

  it('forgets a failed session when another model is picked, and says why Start is off', async () => {
    // A detector cannot watch a file without pictures: the start fails with that reason.
    await chooseModel('color-box-detector-yolov8')
    await h.page.getByTestId('session-start').click()
    await expect
      .poll(() => h.page.getByTestId('session-error').textContent())
      .toContain('has no video track')
    expect(await h.page.getByTestId('session-status').getAttribute('data-state')).toBe('failed')

    await chooseModel('tone-transcriber-offline')
    expect(await h.page.getByTestId('session-error').count()).toBe(0)
    expect(await h.page.getByTestId('session-status').textContent()).toBe(
      'tone-transcriber-offline ready to start',
    )
    await h.page.getByTestId('source-camera').click()
    expect(await h.page.getByTestId('start-blocker').textContent()).toBe(
      'Start is off: tone-transcriber-offline takes audio: choose Microphone or a file.',
    )
    expect(await h.page.getByTestId('session-start').isDisabled()).toBe(true)
    await h.page.getByTestId('source-file').click()
    expect(await h.page.getByTestId('session-start').isEnabled()).toBe(true)
  })

  it('lists a model whose metadata or config is broken as one line with its error, and the rest', async () => {
    await h.page.getByTestId('endpoint-add').click()
    await h.page.getByTestId('endpoint-name').fill('Hostile')
    await h.page.getByTestId('endpoint-url').fill(hostile.url)
    await h.page.getByTestId('endpoint-save').click()
    const item = h.page.locator('[data-testid="endpoint-item"]', { hasText: 'Hostile' })
    await item.getByTestId('endpoint-connect').click()
    const rows = h.page.getByTestId('model-row')
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(HOSTILE_MODELS.length)
    const shown = await rows.evaluateAll((els) =>
      els.map((row) => {
        const error = row.querySelector<HTMLElement>('[data-testid="model-row-error"]')
        const line = error ? parseFloat(getComputedStyle(error).lineHeight) : 0
        return {
          model: row.getAttribute('data-model') ?? '',
          error: error?.textContent ?? '',
          oneLine: error ? error.getBoundingClientRect().height <= line * 1.3 : true,
        }
      }),
    )
    for (const m of HOSTILE_MODELS) {
      const row = shown.find((s) => s.model === m.name)!
      if (m.listing === 'error') expect(row.error, m.name).toMatch(/^error: \S/)
      else expect(row.error, m.name).toBe('')
      expect(row.oneLine, m.name).toBe(true)
    }
    expect(shown.find((s) => s.model === 'meta-absurd-dims')?.error).toContain(
      'dimension 3000000000000000000 is above 67108864',
    )
    expect((await overflowReport(h.page)).outside).toEqual([])
    expect(h.pageErrors).toEqual([])
  })
})
