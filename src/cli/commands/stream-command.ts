import { parseArgs } from 'node:util'
import { ANSWER_DEADLINE_MS } from '../../shared/limits'
import type { ModelProfile } from '../../shared/model-profile'
import { mkdtempSync, rmSync } from 'node:fs'
import { copyFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, parse } from 'node:path'
import { safeLine } from '../../shared/safe-text'
import type { SessionEvent } from '../../shared/session-events'
import type { SessionSummary } from '../../shared/session-summary'
import {
  checkExportTarget,
  exportSession,
  type SessionKind,
} from '../../main/exports/session-exporter'
import { assertMediaFile } from '../../main/media/media-error'
import { FileSource } from '../../main/sessions/file-source'
import { resolveModel } from '../../main/sessions/model-plan'
import { SOURCE_POLICIES } from '../../main/sessions/session-factory'
import { createTransport } from '../../main/transport/create-transport'
import { createTritonApi } from '../../main/triton/create-triton-api'
import { CliUsageError } from '../cli-error'
import {
  CONNECTION_FLAGS,
  connectionFromFlags,
  TRANSPORT_FLAGS,
  TRANSPORT_HELP,
  transportFromFlags,
} from '../connection-flags'
import {
  detectionLine,
  emptyAnswersNote,
  flowLine,
  jsonLine,
  partialTranscriptLine,
  requestErrorLine,
  summaryTable,
  transcriptLine,
  unprocessedLine,
  type Output,
} from '../output'
import { announcePreset } from '../preset-line'
import { loadProfile } from '../profile-file'

export const STREAM_HELP = `triton-live stream --url U --model M --file F [--profile P.json] [--realtime] [--max-fps N] [--deadline-ms MS] [--export OUT]... [--json] [--verbose]
  Streams a file (any format ffmpeg reads) to a model and prints transcripts or detections as
  they arrive, then a summary: every request ends as succeeded, server error, decode error,
  timed out or cancelled. A dropped link is retried with backoff and the file resumes from its
  first unanswered chunk or frame. Ctrl+C is a drain: the utterance in progress is ended and
  answers are awaited (5 s at most). Exits 1 when any request failed or anything was not
  processed.
  --realtime      pace the file like a live source. Without it (fast mode) the file is sent as
                  fast as the server answers: a few requests are kept in flight on the one
                  ordered stream, and each latency, counted from the write, includes the wait
                  behind the requests sent before it. That measures throughput, not one
                  request; for a model's own latency use --realtime, or
                  \`triton-live bench --concurrency 1\`.
  --max-fps N     send at most N video frames per second of media (detectors)
  --deadline-ms MS  how long one request may wait for its answer before it counts as timed out
                  and the link is renewed; default ${SOURCE_POLICIES.file.deadlineMs} for a file (TRITON_DEADLINE_MS)
  --json          one JSON object per line (results, status, flow), the summary last; numbers
                  rounded (ms to 0.01)
  --verbose       detectors: every box on its own line (default: one line per frame with a
                  count per label)
  --export F      write the results when the run ends (also after Ctrl+C), the format by
                  extension: transcripts .txt .srt .vtt .json .jsonl, detections .jsonl .json
                  or .mp4 (the video with boxes drawn), per-request latency .csv; repeatable

${TRANSPORT_HELP}`

export async function streamCommand(argv: string[], output: Output): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...CONNECTION_FLAGS,
      ...TRANSPORT_FLAGS,
      model: { type: 'string' },
      file: { type: 'string' },
      profile: { type: 'string' },
      realtime: { type: 'boolean' },
      'max-fps': { type: 'string' },
      'deadline-ms': { type: 'string' },
      export: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      verbose: { type: 'boolean' },
    },
    strict: true,
  })
  const json = output.json || Boolean(values.json)
  if (!values.model)
    throw new CliUsageError('--model is required (list models with `triton-live models --url U`)')
  if (!values.file) throw new CliUsageError('--file is required: an audio or video file')
  const maxFps = values['max-fps'] !== undefined ? Number(values['max-fps']) : undefined
  if (maxFps !== undefined && !(maxFps > 0))
    throw new CliUsageError(`--max-fps must be a positive number`)
  const deadlineText = values['deadline-ms'] ?? process.env.TRITON_DEADLINE_MS
  const deadlineMs = deadlineText !== undefined ? Number(deadlineText) : undefined
  const { min, max } = ANSWER_DEADLINE_MS
  if (
    deadlineMs !== undefined &&
    !(Number.isInteger(deadlineMs) && deadlineMs >= min && deadlineMs <= max)
  )
    throw new CliUsageError(
      `--deadline-ms must be a whole number of milliseconds from ${min} to ${max}`,
    )
  await assertMediaFile(values.file)
  const override = await loadProfile(values.profile, 'stream')
  const client = createTritonApi(connectionFromFlags(values))
  const workRoot = mkdtempSync(join(tmpdir(), 'triton-live-stream-'))
  let keepWorkRoot = false
  const exports = values.export ?? []
  let stopping: Promise<SessionSummary> | undefined
  try {
    const { profile, details } = announcePreset(
      await resolveModel(client, values.model, override),
      output,
    )
    const kind = sessionKind(profile.kind)
    // Checked before streaming, so a wrong extension or folder does not cost a whole run.
    for (const path of exports) await checkExportTarget(path, kind, values.file)
    const transport = createTransport(client, {
      ...transportFromFlags(values),
      sharedMemoryOptions: {
        onFallback: (message) => process.stderr.write(`triton-live: ${message}\n`),
      },
    })
    const source = new FileSource(
      { transport, profile, workRoot, ...(deadlineMs !== undefined ? { deadlineMs } : {}) },
      { path: values.file, pace: values.realtime ? 'realtime' : 'fast', maxFps },
    )
    const printer = new EventPrinter(output, json, output.verbose || Boolean(values.verbose))
    source.session.onDidEmit((e) => printer.print(e))
    const onSignal = (): void => {
      stopping ??= source.stop()
    }
    process.once('SIGINT', onSignal)
    try {
      await source.start()
      await source.done
    } finally {
      process.off('SIGINT', onSignal)
    }
    const summary = await (stopping ?? source.done)
    printer.clearPartial()
    const empty = emptyAnswersNote(
      profile.model,
      kind === 'transcript' ? 'text' : kind === 'detection' ? 'boxes' : undefined,
      summary,
      details.description,
    )
    if (json) {
      output.write(
        jsonLine({
          kind: 'summary',
          model: profile.model,
          url: client.target,
          summary,
          ...(empty ? { empty: empty.message, modelDescription: details.description } : {}),
        }),
      )
    } else {
      output.write('')
      output.write(summaryTable(`${profile.model} @ ${client.target}`, summary))
      if (empty) {
        output.write('')
        output.write(empty.message)
        output.write(empty.understands)
      }
    }
    const collected = await source.session.log.collect()
    const exported = await writeExports(exports, { ...collected, source: values.file, kind })
    const kept = summary.unprocessed?.keptAudioPath
    if (kept) {
      const copies = await keepBesideExports(kept, exports)
      if (copies.length === 0) keepWorkRoot = true
      const where = copies.length > 0 ? copies.join(', ') : kept
      process.stderr.write(`triton-live: ${unprocessedLine(summary, where)}\n`)
    }
    return summary.failures > 0 || summary.requests === 0 || !exported || summary.unprocessed
      ? 1
      : 0
  } finally {
    client.close()
    if (!keepWorkRoot) rmSync(workRoot, { recursive: true, force: true })
  }
}

const FLOW_LINE_EVERY_MS = 2000

/** Prints a session's events: results as lines (or JSON), link trouble on stderr. */
class EventPrinter {
  private partialShown = false
  private reconnecting = false
  private lastFlowLine = ''
  private lastFlowAt = 0

  constructor(
    private readonly output: Output,
    private readonly json: boolean,
    private readonly verbose: boolean,
  ) {}

  clearPartial(): void {
    if (this.partialShown) process.stdout.write('\r\x1b[2K')
    this.partialShown = false
  }

  print(e: SessionEvent): void {
    if (e.kind === 'latency' || e.kind === 'ack') return
    if (this.json) {
      if (e.kind === 'status' && e.summary) return
      return this.output.write(jsonLine(e))
    }
    switch (e.kind) {
      case 'transcript':
        if (e.final) {
          this.clearPartial()
          this.output.write(transcriptLine(e))
        } else if (this.output.tty) {
          process.stdout.write(partialTranscriptLine(e))
          this.partialShown = true
        }
        return
      case 'detections':
        return this.output.write(detectionLine(e, this.verbose))
      case 'request-error':
        this.clearPartial()
        return this.output.write(requestErrorLine(e))
      case 'notice':
        this.clearPartial()
        return void process.stderr.write(`triton-live: ${safeLine(e.message)}\n`)
      case 'status':
        if (e.state === 'reconnecting' && e.error) {
          this.clearPartial()
          this.reconnecting = true
          process.stderr.write(`triton-live: ${safeLine(e.error.message)}; reconnecting\n`)
        } else if (e.state === 'running' && this.reconnecting) {
          this.reconnecting = false
          process.stderr.write(
            'triton-live: reconnected; resuming from the first unanswered request\n',
          )
        } else if (e.state === 'failed' && e.error) {
          this.clearPartial()
          process.stderr.write(
            `triton-live: ${safeLine(`${e.error.message}${e.error.hint ? ` (${e.error.hint})` : ''}`)}\n`,
          )
        }
        return
      case 'flow':
        // While the link is down the user sees what waits, at most every 2 s and when it changes.
        if (this.reconnecting && Date.now() - this.lastFlowAt >= FLOW_LINE_EVERY_MS) {
          const line = flowLine(e)
          if (line === this.lastFlowLine) return
          this.lastFlowLine = line
          this.lastFlowAt = Date.now()
          process.stderr.write(`triton-live: waiting for the server: ${line}\n`)
        }
        return
    }
  }
}

function sessionKind(kind: ModelProfile['kind']): SessionKind | undefined {
  if (kind === 'detection') return 'detection'
  return kind === 'streaming-asr' || kind === 'offline-asr' ? 'transcript' : undefined
}

/** Copies the untranscribed audio next to each export (talk.srt -> talk.untranscribed.wav). */
async function keepBesideExports(kept: string, exports: readonly string[]): Promise<string[]> {
  const out = new Set<string>()
  for (const path of exports) {
    const { dir, name } = parse(path)
    out.add(join(dir, `${name}.untranscribed.wav`))
  }
  for (const target of out) await copyFile(kept, target)
  return [...out]
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
