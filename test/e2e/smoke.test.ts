import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppHarness } from './harness/app-harness'

let h: AppHarness

beforeAll(async () => {
  h = await AppHarness.start()
})

afterAll(async () => {
  await h?.close()
})

describe('smoke', () => {
  it('loads the app and lists the demo endpoint', async () => {
    await h.page.waitForTimeout(3000)
    await h.screenshot('smoke')
    expect(h.pageErrors).toEqual([])
  })
})
