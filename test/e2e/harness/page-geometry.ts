import type { Page } from 'playwright-core'
import { expect } from 'vitest'

/** Geometry of what the page shows, for layout checks in Chromium. */

export interface Box {
  left: number
  top: number
  right: number
  bottom: number
}

/** Two boxes share more than a hairline. */
export function overlaps(a: Box, b: Box): boolean {
  return (
    Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5
  )
}

export async function boxes(
  page: Page,
  selectors: Record<string, string>,
): Promise<Record<string, Box | null>> {
  return page.evaluate((sel) => {
    const out: Record<string, Box | null> = {}
    for (const [name, css] of Object.entries(sel)) {
      const el = document.querySelector(css)
      const r = el?.getBoundingClientRect()
      out[name] =
        r && r.width > 0 && r.height > 0
          ? { left: r.left, top: r.top, right: r.right, bottom: r.bottom }
          : null
    }
    return out
  }, selectors)
}

export function expectApart(found: Record<string, Box | null>, names: readonly string[]): void {
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const a = found[names[i]]
      const b = found[names[j]]
      if (a && b) expect(overlaps(a, b), `${names[i]} overlaps ${names[j]}`).toBe(false)
    }
  }
}

/**
 * Every element the user can see lies inside the window (its part not clipped away by a
 * scrolling or clipping ancestor), and no element's content spills past a box that does not
 * clip it: text that overflows is cut with an ellipsis or scrolls, never drawn over a neighbour.
 */
export async function overflowReport(
  page: Page,
): Promise<{ outside: string[]; spilling: string[] }> {
  return page.evaluate(() => {
    const name = (el: Element): string =>
      `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''}.${Array.from(el.classList).join('.')} "${(el.textContent ?? '').trim().slice(0, 40)}"`
    const outside: string[] = []
    const spilling: string[] = []
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const cs = getComputedStyle(el)
      if (cs.display === 'none' || cs.visibility === 'hidden') continue
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.height === 0) continue
      let { left, top, right, bottom } = r
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const s = getComputedStyle(a)
        const ar = a.getBoundingClientRect()
        if (s.overflowX !== 'visible') {
          left = Math.max(left, ar.left)
          right = Math.min(right, ar.right)
        }
        if (s.overflowY !== 'visible') {
          top = Math.max(top, ar.top)
          bottom = Math.min(bottom, ar.bottom)
        }
      }
      if (right - left <= 0.5 || bottom - top <= 0.5) continue
      if (left < -0.5 || top < -0.5 || right > innerWidth + 0.5 || bottom > innerHeight + 0.5)
        outside.push(name(el))
      const inline = cs.display === 'inline' || cs.display === 'contents'
      if (!inline && cs.overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1)
        spilling.push(name(el))
    }
    return { outside, spilling }
  })
}

/** The y axis leaves room for its longest tick label (the canvas has no text to query). */
export async function yAxisFits(
  page: Page,
  testId: string,
): Promise<{ ticks: string[]; widest: number; room: number }> {
  return page.getByTestId(testId).evaluate((figure: HTMLElement) => {
    const ticks = (figure.dataset.yTicks ?? '').split('|').filter(Boolean)
    const ctx = document.createElement('canvas').getContext('2d')!
    ctx.font = '11px system-ui, sans-serif'
    const widest = Math.max(0, ...ticks.map((t) => ctx.measureText(t).width))
    const over = figure.querySelector<HTMLElement>('.u-over')
    return { ticks, widest, room: over ? over.offsetLeft : 0 }
  })
}
