import type { ExportFormat, SessionPlan } from '../../../shared/ipc-contract'

export type ExportKind = 'transcript' | 'detection'

export interface ExportChoice {
  format: ExportFormat
  label: string
}

/** What a session can be saved as: main's exporter accepts exactly these per kind. */
export function exportChoices(kind: ExportKind, fromFile: boolean): ExportChoice[] {
  if (kind === 'transcript') {
    return [
      { format: 'txt', label: 'Text (.txt)' },
      { format: 'srt', label: 'Subtitles (.srt)' },
      { format: 'vtt', label: 'WebVTT (.vtt)' },
      { format: 'json', label: 'JSON (.json)' },
      { format: 'csv', label: 'Latency log (.csv)' },
    ]
  }
  return [
    { format: 'jsonl', label: 'JSON lines (.jsonl)' },
    { format: 'json', label: 'JSON (.json)' },
    // The boxes are drawn on the file itself: a camera session has no file to draw on.
    ...(fromFile ? [{ format: 'mp4' as const, label: 'Annotated video (.mp4)' }] : []),
    { format: 'csv', label: 'Latency log (.csv)' },
  ]
}

/** Transcript or detections, and whether it read a file, from the session's plan. */
export function exportKindOf(
  plan: SessionPlan,
): { kind: ExportKind; fromFile: boolean } | undefined {
  const kind: ExportKind | undefined =
    plan.kind === 'detection'
      ? 'detection'
      : plan.kind === 'streaming-asr' || plan.kind === 'offline-asr'
        ? 'transcript'
        : undefined
  return kind && { kind, fromFile: plan.mediaUrl !== undefined }
}
