/** 12.3 ms under 100, whole milliseconds above, '–' when there is nothing yet. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–'
  return ms < 100 ? ms.toFixed(1) : Math.round(ms).toString()
}
