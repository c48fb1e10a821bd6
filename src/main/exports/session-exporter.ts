/**
 * Writes what a session collected to a file whose extension picks the format: transcripts as
 * .txt/.srt/.vtt/.json, detections as .jsonl/.json or an annotated .mp4, request latencies as
 * .csv. Used by `triton-live stream --export` and by the app's export button alike.
 */
import { stat } from 'node:fs/promises'
import { dirname, extname, resolve } from 'node:path'
import type { DetectionFrameEvent, SessionResultEvent, TranscriptEvent } from '../../shared/results'
import { MediaError } from '../media/media-error'
import type { RequestRecord } from '../sessions/request-ledger'
import { writeAnnotatedVideo } from './annotated-video'
import { ExportError, writeAtomically } from './atomic-write'
import { detectionRecords, toDetectionsJson, toDetectionsJsonl } from './detections-export'
import { toLatencyCsv } from './latency-export'
import { finalUtterances, toSrt, toTranscriptJson, toTxt, toWebVtt } from './transcript-export'

export type SessionKind = 'transcript' | 'detection'

export interface CollectedSession {
  /** What the session produced, in the order it arrived. */
  events: readonly SessionResultEvent[]
  records: readonly RequestRecord[]
  /** The media file the session read; the annotated video is drawn on it. */
  source?: string
  /** What the session was; inferred from the events when absent. */
  kind?: SessionKind
}

interface Format {
  description: string
  /** Which sessions can produce it; both when absent. */
  only?: SessionKind
}

export const EXPORT_FORMATS: Readonly<Record<string, Format>> = {
  '.txt': { description: 'transcript text', only: 'transcript' },
  '.srt': { description: 'SubRip subtitles', only: 'transcript' },
  '.vtt': { description: 'WebVTT subtitles', only: 'transcript' },
  '.json': { description: 'transcript or detections as JSON' },
  '.jsonl': { description: 'one JSON object per utterance or frame' },
  '.csv': { description: 'per-request latency' },
  '.mp4': { description: 'the video with boxes drawn on it', only: 'detection' },
}

const SUPPORTED = Object.keys(EXPORT_FORMATS).join(' ')

const fail = (path: string, why: string, todo: string): ExportError =>
  new ExportError(path, `cannot export ${path}: ${why} (${todo})`)

function formatOf(path: string): string {
  const ext = extname(path).toLowerCase()
  if (!EXPORT_FORMATS[ext]) {
    throw fail(
      path,
      `'${ext || 'no extension'}' is not an export format`,
      `use one of ${SUPPORTED}`,
    )
  }
  return ext
}

function checkKind(path: string, ext: string, kind: SessionKind | undefined): void {
  const only = EXPORT_FORMATS[ext].only
  if (!kind || !only || only === kind) return
  const instead = Object.entries(EXPORT_FORMATS)
    .filter(([, f]) => !f.only || f.only === kind)
    .map(([e]) => e)
    .join(' ')
  throw fail(
    path,
    `${ext} holds ${EXPORT_FORMATS[ext].description}, and this is a ${kind} session`,
    `use ${instead}`,
  )
}

/**
 * Checks an export target before a session starts, so a typo does not cost a whole run: the
 * extension is known, fits the session, and the folder exists.
 */
export async function checkExportTarget(
  path: string,
  kind?: SessionKind,
  source?: string,
): Promise<void> {
  const ext = formatOf(path)
  checkKind(path, ext, kind)
  if (ext === '.mp4' && !source) {
    throw fail(path, 'an annotated video needs the source video file', 'stream a video file')
  }
  if (source && resolve(source) === resolve(path)) {
    throw fail(path, 'it is the file being streamed', 'choose another output name')
  }
  const folder = dirname(resolve(path))
  const isDir = await stat(folder).then(
    (s) => s.isDirectory(),
    () => false,
  )
  if (!isDir)
    throw fail(path, `folder ${folder} does not exist`, 'create it or choose another path')
}

function kindOf(collected: CollectedSession): SessionKind | undefined {
  if (collected.kind) return collected.kind
  if (collected.events.some((e) => e.kind === 'detections')) return 'detection'
  if (collected.events.some((e) => e.kind === 'transcript')) return 'transcript'
  return undefined
}

const transcripts = (c: CollectedSession): TranscriptEvent[] =>
  c.events.filter((e): e is TranscriptEvent => e.kind === 'transcript')

const detections = (c: CollectedSession): DetectionFrameEvent[] =>
  c.events.filter((e): e is DetectionFrameEvent => e.kind === 'detections')

/**
 * Writes one export. Resolves with a short note of what went in (for a status line); rejects
 * with an ExportError that names the file and what to do.
 */
export async function exportSession(
  path: string,
  collected: CollectedSession,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  const ext = formatOf(path)
  const kind = kindOf(collected)
  checkKind(path, ext, kind)
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`
  switch (ext) {
    case '.txt':
    case '.srt':
    case '.vtt': {
      const events = transcripts(collected)
      const text =
        ext === '.txt' ? toTxt(events) : ext === '.srt' ? toSrt(events) : toWebVtt(events)
      await writeAtomically(path, text)
      return plural(finalUtterances(events).length, 'utterance')
    }
    case '.json':
    case '.jsonl': {
      if (kind === 'detection') {
        const events = detections(collected)
        await writeAtomically(
          path,
          ext === '.json' ? toDetectionsJson(events) : toDetectionsJsonl(events),
        )
        return plural(detectionRecords(events).length, 'frame')
      }
      const events = transcripts(collected)
      const text =
        ext === '.json'
          ? toTranscriptJson(events)
          : finalUtterances(events)
              .map((u) => `${JSON.stringify(u)}\n`)
              .join('')
      await writeAtomically(path, text)
      return plural(finalUtterances(events).length, 'utterance')
    }
    case '.csv':
      await writeAtomically(path, toLatencyCsv(collected.records))
      return plural(collected.records.length, 'request')
    case '.mp4': {
      if (!collected.source) {
        throw fail(path, 'an annotated video needs the source video file', 'stream a video file')
      }
      try {
        const result = await writeAnnotatedVideo({
          input: collected.source,
          output: path,
          detections: detections(collected),
          signal: options.signal,
        })
        return `${plural(result.frames, 'frame')}, ${result.annotatedFrames} with boxes`
      } catch (e) {
        if (e instanceof MediaError) {
          throw new ExportError(path, `cannot export ${path}: ${e.message} (${e.hint})`, {
            cause: e,
          })
        }
        throw e
      }
    }
    default:
      throw fail(path, `'${ext}' is not an export format`, `use one of ${SUPPORTED}`)
  }
}
