import { parseArgs } from 'node:util'
import type { ModelProfile } from '../../shared/model-profile'
import type { SessionResultEvent, SummaryEvent } from '../../shared/results'
import {
  checkExportTarget,
  exportSession,
  type SessionKind,
} from '../../main/exports/session-exporter'
import { assertMediaFile } from '../../main/media/media-error'
import { LatencyRecorder } from '../../main/metrics/latency-histogram'
import { runFileSession } from '../../main/sessions/file-session'
import type { RequestRecord } from '../../main/sessions/session-callbacks'
import { resolveModel } from '../../main/sessions/model-plan'
import { TritonClient } from '../../main/triton/triton-client'
import { TritonError } from '../../main/triton/triton-error'
import { CliUsageError } from '../cli-error'
import { CONNECTION_FLAGS, connectionFromFlags } from '../connection-flags'
import { detectionLine, jsonLine, summaryTable, transcriptLine, type Output } from '../output'
import { loadProfile } from '../profile-file'

export const STREAM_HELP = `triton-live stream --url U --model M --file F [--profile P.json] [--realtime] [--max-fps N] [--export OUT]... [--json] [--verbose]
  Streams a file (any format ffmpeg reads) to a model over ModelStreamInfer and prints
  transcripts or detections as they arrive, then a latency summary. Exits 1 if any request
  failed.
  --realtime      pace the file like a live source. Without it (fast mode) the file is sent as
                  fast as the server answers: a few requests are kept in flight on the one
                  ordered stream, and each latency, counted from the write, includes the wait
                  behind the requests sent before it. That measures throughput, not one
                  request; for a model's own latency use --realtime, or
                  \`triton-live bench --concurrency 1\`.
  --max-fps N     send at most N video frames per second of media (detectors)
  --json          one JSON object per line, the summary last; numbers rounded (ms to 0.01)
  --verbose       detectors: every box on its own line (default: one line per frame with a
                  count per label)
  --export F      write the results when the run ends (also after Ctrl+C), the format by
                  extension: transcripts .txt .srt .vtt .json .jsonl, detections .jsonl .json
                  or .mp4 (the video with boxes drawn), per-request latency .csv; repeatable`

export async function streamCommand(argv: string[], output: Output): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...CONNECTION_FLAGS,
      model: { type: 'string' },
      file: { type: 'string' },
      profile: { type: 'string' },
      realtime: { type: 'boolean' },
      'max-fps': { type: 'string' },
      export: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
    },
    strict: true,
  })
  const json = output.json || Boolean(values.json)
  const verbose = Boolean(output.verbose || values.verbose)
  if (!values.model)
    throw new CliUsageError('--model is required (list models with `triton-live models --url U`)')
  if (!values.file) throw new CliUsageError('--file is required: an audio or video file')
  const maxFps = values['max-fps'] !== undefined ? Number(values['max-fps']) : undefined
  if (maxFps !== undefined && !(maxFps > 0))
    throw new CliUsageError(`--max-fps must be a positive number`)
  await assertMediaFile(values.file)
  const override = await loadProfile(values.profile, 'stream')
  const client = new TritonClient(connectionFromFlags(values))
  const recorder = new LatencyRecorder()
  const abort = new AbortController()
  const onSignal = (): void => abort.abort()
  process.once('SIGINT', onSignal)
  let partialShown = false
  const clearPartial = (): void => {
    if (partialShown) process.stdout.write('\r\x1b[2K')
    partialShown = false
  }
  const exports = values.export ?? []
  // Results are kept only when something will be written from them.
  const events: SessionResultEvent[] = []
  const records: RequestRecord[] = []
  try {
    const { profile } = await resolveModel(client, values.model, override)
    const kind = sessionKind(profile.kind)
    // Checked before streaming, so a wrong extension or folder does not cost a whole run.
    for (const path of exports) await checkExportTarget(path, kind, values.file)
    const started = performance.now()
    const onEvent = (e: SessionResultEvent): void => {
      if (exports.length > 0) events.push(e)
      if (json) return output.write(jsonLine(e))
      if (e.kind === 'transcript') {
        if (e.final) {
          clearPartial()
          output.write(transcriptLine(e))
        } else if (output.tty) {
          process.stdout.write(`\r\x1b[2K… ${e.text}`)
          partialShown = true
        }
      } else if (e.kind === 'detections') {
        output.write(detectionLine(e, verbose))
      } else {
        clearPartial()
        output.write(`request failed at ${e.timeSec.toFixed(2)} s: ${e.message}`)
      }
    }
    await runFileSession({
      client,
      profile,
      path: values.file,
      pace: values.realtime ? 'realtime' : 'fast',
      maxFps,
      signal: abort.signal,
      callbacks: {
        onEvent,
        onRequest: (r) => {
          if (exports.length > 0) records.push(r)
          if (r.ok) recorder.record(r.latencyMs)
          else recorder.recordFailure()
        },
      },
    }).catch((e: unknown) => {
      if (abort.signal.aborted && e instanceof TritonError && e.kind === 'cancelled') return
      throw e
    })
    clearPartial()
    const summary = recorder.summary((performance.now() - started) / 1000)
    if (json) {
      const event: SummaryEvent = {
        kind: 'summary',
        model: profile.model,
        url: client.target,
        summary,
      }
      output.write(jsonLine(event))
    } else {
      output.write('')
      output.write(summaryTable(`${profile.model} @ ${client.target}`, summary))
    }
    const exported = await writeExports(exports, { events, records, source: values.file, kind })
    return summary.failures > 0 || summary.requests === 0 || !exported ? 1 : 0
  } finally {
    process.off('SIGINT', onSignal)
    client.close()
  }
}

function sessionKind(kind: ModelProfile['kind']): SessionKind | undefined {
  if (kind === 'detection') return 'detection'
  return kind === 'streaming-asr' || kind === 'offline-asr' ? 'transcript' : undefined
}

/** Writes every export, reporting each on stderr; false if any failed. */
async function writeExports(
  paths: readonly string[],
  collected: Parameters<typeof exportSession>[1],
): Promise<boolean> {
  let ok = true
  for (const path of paths) {
    try {
      const what = await exportSession(path, collected)
      process.stderr.write(`wrote ${path} (${what})\n`)
    } catch (e) {
      ok = false
      process.stderr.write(`triton-live: ${e instanceof Error ? e.message : String(e)}\n`)
    }
  }
  return ok
}
