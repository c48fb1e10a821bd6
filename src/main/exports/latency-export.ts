/** Per-request latency as CSV, for a spreadsheet or a plotting script. */
import type { RequestRecord } from '../sessions/request-ledger'

export const LATENCY_CSV_HEADER = 'atMs,ok,outcome,latencyMs,captureToSendMs'

const ms = (x: number): string => String(Number(x.toFixed(3)))

/**
 * One row per request in answer order: wall-clock time of the answer (ms since the epoch),
 * whether it succeeded and how it ended, the round trip, and the capture-to-send delay when the source had one
 * (an empty field otherwise, so the column stays numeric).
 */
export function toLatencyCsv(records: readonly RequestRecord[]): string {
  const rows = records.map((r) =>
    [
      String(Math.round(r.atMs)),
      r.ok ? 'true' : 'false',
      r.outcome,
      ms(r.latencyMs),
      r.captureToSendMs === undefined ? '' : ms(r.captureToSendMs),
    ].join(','),
  )
  return `${[LATENCY_CSV_HEADER, ...rows].join('\n')}\n`
}
