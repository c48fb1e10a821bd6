import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppHarness } from './harness/app-harness'

let dir: string
let h: AppHarness

async function pickModel(name: string): Promise<void> {
  await h.page.locator(`[data-testid="model-row"][data-model="${name}"]`).click()
  await h.page.locator(`[data-testid="model-details"][data-model="${name}"]`).waitFor()
}

const outputLines = () => h.page.getByTestId('request-output-line').allTextContents()
const status = () => h.page.getByTestId('request-status').textContent()

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-e2e-request-'))
  h = await AppHarness.start()
  await h.page.getByTestId('model-row').first().waitFor()
})

afterAll(async () => {
  await h?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the Request view in Chromium, against the demo endpoint', () => {
  it('opens the Request tab for the decoupled word splitter and shows each word it streams back', async () => {
    await pickModel('word-splitter-decoupled')
    const view = h.page.getByTestId('request-view')
    await view.waitFor()
    expect(await view.getAttribute('data-model')).toBe('word-splitter-decoupled')
    await h.page.getByTestId('request-value').fill('one word at a time')
    await h.page.getByTestId('request-send').click()
    await expect
      .poll(status)
      .toMatch(/^5 responses in \d+\.\d\d ms \(first after \d+\.\d\d ms\) over gRPC stream$/)
    const words = ['one', 'word', 'at', 'a', 'time']
    expect(await outputLines()).toEqual(words.map((w, i) => `#${i + 1} WORD BYTES [1]: ${w}`))
    // Main sent each response to the page on its own as it came, before the request settled.
    const mine = h.inferResponses.flatMap((e) => e.responses.map((r) => r.outputs[0]?.values[0]))
    expect(mine.filter((w) => w !== undefined)).toEqual(words)
    await h.page.getByTestId('request-view-table').click()
    expect(await h.page.getByTestId('request-table-row').allTextContents()).toEqual(
      words.map((w, i) => `${i + 1}${w}`),
    )
    await h.screenshot('request-word-splitter')
    await h.page.getByTestId('request-view-text').click()
  })

  it('sends a file the user picked in the dialog as the text input', async () => {
    const file = join(dir, 'sentence.txt')
    writeFileSync(file, 'picked from disk')
    h.nextPick = file
    await h.page.locator('[data-testid="request-mode-file"]').click()
    await h.page.getByTestId('request-pick-file').click()
    await expect
      .poll(() => h.page.getByTestId('request-file-name').textContent())
      .toBe('sentence.txt')
    await h.page.getByTestId('request-send').click()
    await expect.poll(status).toMatch(/^3 responses in /)
    expect(await outputLines()).toEqual([
      '#1 WORD BYTES [1]: picked',
      '#2 WORD BYTES [1]: from',
      '#3 WORD BYTES [1]: disk',
    ])
  })

  it('starts the profile editor of the word splitter from its own TEXT input', async () => {
    const text = await h.page.getByTestId('profile-text').inputValue()
    expect(JSON.parse(text)).toMatchObject({
      model: 'word-splitter-decoupled',
      kind: 'generic',
      inputs: [{ name: 'TEXT', datatype: 'BYTES', shape: [1], source: 'constant' }],
      outputs: ['WORD'],
      decoupled: true,
    })
    expect(text).not.toContain('WAV')
  })

  it('refuses in the profile editor a profile whose only input is a constant', async () => {
    await pickModel('tone-transcriber-streaming')
    const editor = h.page.getByTestId('profile-text')
    const profile = JSON.parse(await editor.inputValue()) as { inputs: unknown[] }
    profile.inputs = [
      { name: 'WAV', datatype: 'FP32', shape: [1, 16], source: 'constant', value: 0 },
    ]
    await editor.fill(JSON.stringify(profile, null, 2))
    await expect
      .poll(() => h.page.getByTestId('profile-unusable').textContent())
      .toContain('so no chunk of sound would ever become a request')
    expect(await h.page.getByTestId('profile-save').isDisabled()).toBe(true)
  })

  it('sends zeros to a detector from the Request tab and shows its outputs', async () => {
    await pickModel('color-box-detector-efficientnms')
    await h.page.getByTestId('tab-request').click()
    const view = h.page.locator('.request-tab [data-testid="request-view"]')
    await view.waitFor()
    expect(await h.page.getByTestId('request-shape').inputValue()).toBe('1, 3, 640, 640')
    await h.page.getByTestId('request-send').click()
    await expect.poll(status).toMatch(/^1 response in \d+\.\d\d ms over gRPC stream$/)
    const lines = await outputLines()
    expect(lines[0]).toBe('num_dets INT32 [1, 1]: [[0]]')
    expect(lines[1]).toBe(
      'det_boxes FP32 [1, 100, 4]: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, … 400 values]',
    )
    await h.page.getByTestId('tab-live').click()
    await h.page.getByTestId('session-start').waitFor()
    expect(h.pageErrors).toEqual([])
  })
})
