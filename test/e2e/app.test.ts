import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeToneText } from '../../src/main/demo-endpoint/tone-text-codec'
import { encodeWav16 } from '../../src/main/media/wav-file'
import { AppHarness, ROOT, readJson } from './harness/app-harness'

const SAMPLES = join(ROOT, 'resources/samples')
/** What the fake microphone says, over and over: short, so a session hears it whole soon. */
const MIC_TEXT = 'hello from the microphone.'

/** The camera scene: three still boxes, so every camera frame has the same ground truth. */
const CAMERA_BOXES = [
  { label: 'red', x: 40, y: 60, width: 120, height: 80, color: 'red' },
  { label: 'green', x: 400, y: 200, width: 100, height: 100, color: 'lime' },
  { label: 'blue', x: 250, y: 150, width: 80, height: 120, color: 'blue' },
]

interface OverlayBox {
  label: string
  score: number
  x: number
  y: number
  width: number
  height: number
}

let dir: string
let h: AppHarness

function makeCameraY4m(path: string): void {
  const draw = CAMERA_BOXES.map(
    (b) => `drawbox=x=${b.x}:y=${b.y}:w=${b.width}:h=${b.height}:color=${b.color}:t=fill`,
  ).join(',')
  execFileSync('ffmpeg', [
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=0x303030:s=640x360:r=10:d=2',
    '-vf',
    draw,
    '-pix_fmt',
    'yuv420p',
    path,
  ])
}

async function overlayBoxes(): Promise<
  { boxes: OverlayBox[]; drawnFrame: number; draws: number } | undefined
> {
  return h.page.evaluate(
    () => (window as unknown as { __tritonLiveOverlay?: never }).__tritonLiveOverlay,
  )
}

interface OverlayDraw {
  frame: number
  frameTime: number
  mediaTime: number
}

type DrawLog = { __overlayDraws?: OverlayDraw[] }

/** Logs every draw the overlay marks on its canvas: which frame, for which media time. */
async function recordOverlayDraws(): Promise<void> {
  await h.page.getByTestId('overlay-canvas').waitFor()
  await h.page.evaluate(() => {
    const w = window as unknown as DrawLog
    const log: OverlayDraw[] = []
    w.__overlayDraws = log
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="overlay-canvas"]')!
    // The overlay writes its three attributes together in one animation frame; the observer
    // runs after that task, so each record reads a consistent set.
    new MutationObserver(() => {
      const d = canvas.dataset
      log.push({
        frame: Number(d.drawnFrame),
        frameTime: Number(d.drawnTime),
        mediaTime: Number(d.mediaTime),
      })
    }).observe(canvas, { attributes: true })
  })
}

async function overlayDraws(): Promise<OverlayDraw[]> {
  return h.page.evaluate(() => (window as unknown as DrawLog).__overlayDraws ?? [])
}

function expectBoxesNear(
  got: OverlayBox[],
  want: Array<Omit<OverlayBox, 'score'>>,
  tolerance: number,
): void {
  expect(got.map((b) => b.label).sort()).toEqual(want.map((b) => b.label).sort())
  for (const w of want) {
    const g = got.find((b) => b.label === w.label)!
    expect(Math.abs(g.x - w.x)).toBeLessThanOrEqual(tolerance)
    expect(Math.abs(g.y - w.y)).toBeLessThanOrEqual(tolerance)
    expect(Math.abs(g.x + g.width - (w.x + w.width))).toBeLessThanOrEqual(tolerance)
    expect(Math.abs(g.y + g.height - (w.y + w.height))).toBeLessThanOrEqual(tolerance)
  }
}

type CapturedTracks = { __capturedTracks?: MediaStreamTrack[] }

/** Wraps getUserMedia in the page, so a test can see every track the app opened. */
async function watchCapturedTracks(): Promise<void> {
  await h.page.evaluate(() => {
    const w = window as unknown as CapturedTracks
    if (w.__capturedTracks) return
    const tracks: MediaStreamTrack[] = []
    w.__capturedTracks = tracks
    const md = navigator.mediaDevices
    const open = md.getUserMedia.bind(md)
    md.getUserMedia = async (constraints) => {
      const stream = await open(constraints)
      tracks.push(...stream.getTracks())
      return stream
    }
  })
}

/** readyState of every audio or video track the app opened so far. */
async function trackStates(kind: 'audio' | 'video'): Promise<string[]> {
  return h.page.evaluate(
    (k) =>
      ((window as unknown as CapturedTracks).__capturedTracks ?? [])
        .filter((t) => t.kind === k)
        .map((t) => t.readyState),
    kind,
  )
}

async function chooseModel(name: string): Promise<void> {
  await h.page.locator(`[data-testid="model-row"][data-model="${name}"]`).click()
  await h.page.locator(`[data-testid="model-details"][data-model="${name}"]`).waitFor()
}

async function stopSession(): Promise<void> {
  const stop = h.page.getByTestId('session-stop')
  if (await stop.isVisible()) await stop.click()
  await h.page.getByTestId('session-start').waitFor()
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-e2e-media-'))
  const y4m = join(dir, 'camera.y4m')
  makeCameraY4m(y4m)
  // The words, then 1.5 s of silence so the endpointer ends the utterance before they repeat.
  const said = encodeToneText(MIC_TEXT)
  const loop = new Float32Array(said.length + 24_000)
  loop.set(said)
  const mic = join(dir, 'microphone.wav')
  writeFileSync(mic, encodeWav16(loop, 16_000))
  h = await AppHarness.start({ fakeAudio: mic, fakeVideo: y4m })
  await watchCapturedTracks()
}, 120_000)

afterAll(async () => {
  await h?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the desktop app in Chromium, against the demo endpoint', () => {
  it('connects to the built-in demo endpoint on its own and shows it live and ready', async () => {
    const badge = h.page.getByTestId('health-badge')
    await expect.poll(() => badge.getAttribute('data-state'), { timeout: 15_000 }).toBe('ready')
    await expect
      .poll(() => h.page.getByTestId('health-server').textContent())
      .toContain('triton-live-demo')
    await h.page.getByTestId('model-row').first().waitFor()
    expect(await h.page.getByTestId('model-row').count()).toBe(6)
    await h.screenshot('01-connected')
  })

  it('shows a model in the browser with its tensors, kind and profile', async () => {
    await chooseModel('tone-transcriber-streaming')
    const details = h.page.getByTestId('model-details')
    await expect
      .poll(() => details.getByTestId('model-kind').textContent())
      .toContain('streaming-asr')
    const inputs = await details.getByTestId('model-inputs').textContent()
    expect(inputs).toContain('WAV')
    expect(inputs).toContain('WAV_LENS')
    expect(await h.page.getByTestId('profile-text').inputValue()).toContain(
      '"source": "audio-length"',
    )
    await h.screenshot('02-model-browser')
  })

  it('transcribes the microphone live, from a generated WAV fed to the fake device', async () => {
    await chooseModel('tone-transcriber-streaming')
    await h.page.getByTestId('source-microphone').click()
    await h.page.getByTestId('session-start').click()
    const finals = h.page.getByTestId('transcript-final')
    await expect
      .poll(async () => (await finals.allTextContents()).join(' '), {
        timeout: 60_000,
        interval: 500,
      })
      .toContain(MIC_TEXT)
    await expect.poll(() => h.page.getByTestId('latency-p50').textContent()).toMatch(/\d/)
    for (const id of ['latency-last', 'latency-mean', 'latency-p95', 'latency-p99']) {
      expect(await h.page.getByTestId(id).textContent()).toMatch(/\d/)
    }
    await h.screenshot('03-microphone-transcript')
    expect(await trackStates('audio')).toContain('live')
    await stopSession()
    // Stop lets go of the microphone: every track it opened has ended.
    await expect.poll(() => trackStates('audio')).toEqual(['ended'])
  })

  it('draws camera detections on the rectangles of the fake camera video', async () => {
    await chooseModel('color-box-detector-yolov8')
    await h.page.getByTestId('source-camera').click()
    await h.page.getByTestId('session-start').click()
    await expect
      .poll(async () => (await overlayBoxes())?.boxes.length ?? 0, {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(3)
    const overlay = await overlayBoxes()
    expectBoxesNear(overlay!.boxes, CAMERA_BOXES, 4)
    await expect
      .poll(() => h.page.getByTestId('overlay-count').getAttribute('data-count'))
      .toBe('3')
    await h.screenshot('04-camera-overlay')
    const shownLive = await h.page
      .getByTestId('camera-video')
      .evaluate((v) =>
        ((v as HTMLVideoElement).srcObject as MediaStream | null)
          ?.getTracks()
          .every((t) => t.readyState === 'live'),
      )
    expect(shownLive).toBe(true)
    await stopSession()
    // Stop lets go of the camera: its tracks have ended and the picture is gone.
    await expect.poll(() => trackStates('video')).toEqual(['ended'])
    expect(await h.page.getByTestId('camera-video').count()).toBe(0)
  })

  it('plays a file with the boxes of the frame on screen, in sync with playback', async () => {
    const truth = readJson<{
      fps: number
      frames: Array<{ frame: number; boxes: Array<Omit<OverlayBox, 'score'>> }>
    }>(join(SAMPLES, 'boxes.json'))
    await chooseModel('color-box-detector-e2e')
    await h.page.getByTestId('source-file').click()
    h.nextPick = join(SAMPLES, 'boxes.mp4')
    await h.page.getByTestId('file-pick').click()
    await expect.poll(() => h.page.getByTestId('file-path').textContent()).toContain('boxes.mp4')
    await h.page.getByTestId('session-start').click()
    await recordOverlayDraws()
    // However late the results come on a busy machine, the last frames get their boxes.
    await expect
      .poll(async () => Math.max(-1, ...(await overlayDraws()).map((d) => d.frame)), {
        timeout: 30_000,
        interval: 100,
      })
      .toBeGreaterThanOrEqual(15)
    // Every set of boxes drawn during playback belongs to the frame on screen at the media time
    // it was drawn for: frame n is shown from n/fps to (n+1)/fps.
    const draws = (await overlayDraws()).filter((d) => d.frame >= 0)
    // The player waited for the first results, so the first picture had its boxes.
    expect(draws[0]).toMatchObject({ frame: 0, mediaTime: 0 })
    for (const d of draws) {
      expect(d.frameTime).toBeCloseTo(d.frame / truth.fps, 6)
      expect(d.mediaTime).toBeGreaterThanOrEqual(d.frame / truth.fps - 1e-6)
      expect(d.mediaTime).toBeLessThan((d.frame + 1) / truth.fps)
    }
    const last = await overlayBoxes()
    expectBoxesNear(last!.boxes, truth.frames[last!.drawnFrame].boxes, 3)
    await h.screenshot('05-file-overlay')

    // Seeking back shows the boxes of the frame sought to. Once every result is in, the player
    // is the user's alone (the gate only holds it while results are still coming).
    await h.page.getByTestId('session-start').waitFor({ timeout: 60_000 })
    await expect.poll(() => h.page.getByTestId('overlay-waiting').count()).toBe(0)
    await h.page
      .getByTestId('file-video')
      .evaluate((v: HTMLVideoElement) => (v.pause(), (v.currentTime = 1.25)))
    const canvas = h.page.getByTestId('overlay-canvas')
    await expect.poll(() => canvas.getAttribute('data-media-time')).toBe('1.25')
    expect(await canvas.getAttribute('data-drawn-frame')).toBe('12')
    expectBoxesNear((await overlayBoxes())!.boxes, truth.frames[12].boxes, 3)
    await stopSession()
  })

  it('takes a file dropped on the window once main has granted it, and says so when it cannot tell where one lives', async () => {
    await chooseModel('tone-transcriber-streaming')
    await h.page.getByTestId('source-file').click()
    const drop = async (name: string): Promise<void> => {
      const dataTransfer = await h.page.evaluateHandle((n) => {
        const dt = new DataTransfer()
        dt.items.add(new File(['RIFF'], n, { type: 'audio/wav' }))
        return dt
      }, name)
      await h.page.getByTestId('source-panel').dispatchEvent('drop', { dataTransfer })
    }
    // A File the page made has no path: nothing is granted and the panel says what to do.
    await drop('made-up.wav')
    await expect
      .poll(() => h.page.getByTestId('session-error').textContent())
      .toContain('Could not read where "made-up.wav" lives.')
    const wav = join(SAMPLES, 'tone-text.wav')
    expect(h.services.files.allows(wav)).toBe(false)
    h.dropPaths.set('tone-text.wav', wav)
    await drop('tone-text.wav')
    await expect.poll(() => h.page.getByTestId('file-path').textContent()).toBe('tone-text.wav')
    expect(h.services.files.allows(wav)).toBe(true)
    await h.page.getByTestId('session-start').click()
    await h.page.getByTestId('session-stop').waitFor()
    await stopSession()
    expect(h.pageErrors).toEqual([])
  })

  it('shows a clear error, with what to do, when an endpoint is dead', async () => {
    await h.page.getByTestId('endpoint-add').click()
    await h.page.getByTestId('endpoint-name').fill('Dead box')
    await h.page.getByTestId('endpoint-url').fill('127.0.0.1:1')
    await h.page.getByTestId('endpoint-save').click()
    const item = h.page.locator('[data-testid="endpoint-item"]', { hasText: 'Dead box' })
    await item.getByTestId('endpoint-connect').click()
    const error = h.page.getByTestId('models-error').or(h.page.getByTestId('endpoints-error'))
    await expect
      .poll(async () => (await error.first().textContent()) ?? '', { timeout: 20_000 })
      .toContain('connection refused')
    expect(await error.first().textContent()).toContain('check that the server is running')
    await h.screenshot('06-dead-endpoint')
    expect(h.pageErrors).toEqual([])
  })
})
