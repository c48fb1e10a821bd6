let canvasWorks: boolean | undefined
/** jsdom and some headless pages have no 2D canvas; the figures still work without the chart. */
export function canDrawCharts(): boolean {
  canvasWorks ??=
    typeof ResizeObserver === 'function' &&
    document.createElement('canvas').getContext('2d') !== null
  return canvasWorks
}

/** A theme colour from styles.css, so charts follow light and dark. */
export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim()
  return v || fallback
}
