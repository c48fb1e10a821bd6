import { stat, writeFile } from 'node:fs/promises'
import { dirname, extname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { benchWarnings } from '../../shared/bench-warnings'
import { labelOf, measure, windowMode } from '../../main/bench/bench-measure'
import { parseConcurrencyLevels, type BenchMode } from '../../main/bench/bench-runner'
import { assertMediaFile } from '../../main/media/media-error'
import { isSweep } from '../../main/metrics/bench-format'
import { toCsv, toJson, toMarkdown, type BenchRun } from '../../main/metrics/bench-report'
import {
  formatCompare,
  formatRunTable,
  formatSideBySide,
  formatSweep,
} from '../../main/metrics/bench-text'
import { DEFAULT_TIMEOUT_MS } from '../../main/triton/connection-options'
import { CliUsageError } from '../cli-error'
import {
  CONNECTION_FLAGS,
  connectionFromFlags,
  TRANSPORT_FLAGS,
  TRANSPORT_HELP,
  transportFromFlags,
} from '../connection-flags'
import type { Output } from '../output'
import { loadProfile } from '../profile-file'
import { ProgressLine } from './bench-progress'
import { COMPARE_FORMS, parseCompare, prepareTargets } from './bench-targets'

export const BENCH_HELP = `triton-live bench --url U --model M [--file F] [--profile P.json] (--rate R | --concurrency C) [--duration S] [--compare X]...
  Load-tests a model the way perf_analyzer does and prints request counts, success rate,
  throughput, latency percentiles, the server's own time (ModelStatistics) and, when the server
  has GPUs, GPU utilisation, memory and power. Inputs are built once before the run: from
  --file (ASR: the audio; detection: its frames, cycled) or, without a file, generated. Requests
  travel as a session's do: over one gRPC stream per worker by default, or as the transport
  flags below and the URL's scheme say (http:// and https:// are KServe v2 HTTP/REST).
  Every request ends as succeeded, server error, decode error, timed out or cancelled (JSON:
  "outcomes"); the report counts failures by cause (deadline exceeded, gRPC status, model
  error, decode). Exits 1 when any request failed, and warns when the endpoint answered fewer
  requests per second than --rate asked (both numbers), or when this machine could not keep
  the schedule.
  --rate R            open loop: exactly round(R x duration) requests, one every 1/R s, each
                      with the --timeout deadline (default 10 s)
  --concurrency C     closed loop: C requests in flight; 1:8:2 or 1,2,4 sweeps several levels
                      and prints one table, a row per level (default: concurrency 1)
  --duration S        seconds per target and level, all windows together, default 10
  --windows N         measure in N windows; default 1, or 3 with --compare
  --compare X         run the same workload against X as well, the targets taking turns window
                      by window, and print them side by side, each column named for its
                      transport (or model). Repeat it for more columns. X is one of:
${COMPARE_FORMS.map(([form, what]) => `                        ${form}: ${what}`).join('\n')}
                      With two targets a metric names a winner only when their window means
                      differ by more than both spreads (max - min over the windows); else "tie".
                      With more, each column's ratio to the first is given.
  --label-a L, --label-b L   names for the first two columns
  --openai-model M    the service's model id for --compare openai: (default: --model)
  --openai-api-key K  its API key, sent as a bearer token; OPENAI_API_KEY is sent only to
                      api.openai.com; Triton's token never is
  --metrics-url U     Triton's metrics page for GPU figures, default http://<host>:8002/metrics;
                      --metrics-url-b for the first compared endpoint; --no-metrics skips them
  --num-sequences N   rate mode, sequence and decoupled models: streams in parallel, default 4
  --drain-timeout S   after the last send, wait this long for answers before counting the rest
                      as failed ("unanswered at the drain timeout"), default 10
  --export F          also write the report to F: .md, .csv or .json (repeatable)
  --json              print the report as JSON instead of a table

${TRANSPORT_HELP}`

const REPORT_FORMATS = ['.md', '.csv', '.json']

function positive(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0)
    throw new CliUsageError(`${flag} must be a positive number, got '${text}'`)
  return n
}

async function checkReportTarget(path: string): Promise<void> {
  const ext = extname(path).toLowerCase()
  if (!REPORT_FORMATS.includes(ext)) {
    throw new CliUsageError(
      `--export ${path}: '${ext || 'no extension'}' is not a report format; use ${REPORT_FORMATS.join(', ')}`,
    )
  }
  const folder = dirname(resolve(path))
  const ok = await stat(folder).then(
    (s) => s.isDirectory(),
    () => false,
  )
  if (!ok)
    throw new CliUsageError(
      `--export ${path}: folder ${folder} does not exist; create it or choose another path`,
    )
}

function reportText(path: string, runs: BenchRun[]): string {
  const ext = extname(path).toLowerCase()
  return ext === '.md' ? toMarkdown(runs) : ext === '.csv' ? toCsv(runs) : toJson(runs)
}

const BENCH_FLAGS = {
  ...CONNECTION_FLAGS,
  ...TRANSPORT_FLAGS,
  model: { type: 'string' },
  file: { type: 'string' },
  profile: { type: 'string' },
  rate: { type: 'string' },
  concurrency: { type: 'string' },
  duration: { type: 'string' },
  windows: { type: 'string' },
  compare: { type: 'string', multiple: true },
  'openai-model': { type: 'string' },
  'openai-api-key': { type: 'string' },
  'label-a': { type: 'string' },
  'label-b': { type: 'string' },
  'metrics-url': { type: 'string' },
  'metrics-url-b': { type: 'string' },
  'no-metrics': { type: 'boolean' },
  'num-sequences': { type: 'string' },
  'drain-timeout': { type: 'string' },
  export: { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const

type BenchValues = ReturnType<typeof parseArgs<{ options: typeof BENCH_FLAGS }>>['values']

/** The load levels asked for, each checked against the number of windows. */
function modesOf(values: BenchValues, windows: number): BenchMode[] {
  if (values.rate !== undefined && values.concurrency !== undefined) {
    throw new CliUsageError('give either --rate or --concurrency, not both')
  }
  const durationSec = positive('--duration', values.duration, 10)
  let modes: BenchMode[]
  if (values.rate !== undefined) {
    modes = [{ kind: 'rate', rate: positive('--rate', values.rate, 1), durationSec }]
  } else {
    let levels: number[]
    try {
      levels = parseConcurrencyLevels(values.concurrency ?? '1')
    } catch (e) {
      throw new CliUsageError(`--concurrency: ${(e as Error).message}`)
    }
    modes = levels.map((concurrency) => ({ kind: 'concurrency', concurrency, durationSec }))
  }
  try {
    for (const mode of modes) windowMode(mode, windows)
  } catch (e) {
    throw new CliUsageError((e as Error).message)
  }
  return modes
}

function windowsOf(values: BenchValues): number {
  const n = positive('--windows', values.windows, values.compare?.length ? 3 : 1)
  if (!Number.isInteger(n)) throw new CliUsageError(`--windows must be a whole number, got '${n}'`)
  return n
}

/** The report for the terminal: one table per run, a comparison, or a sweep as one table. */
function formatReport(levels: BenchRun[][]): string {
  const all = levels.flat()
  if (isSweep(all)) return formatSweep(all)
  return levels
    .map((runs) =>
      runs.length === 1
        ? formatRunTable(runs[0])
        : runs.length === 2
          ? formatCompare(runs[0], runs[1])
          : formatSideBySide(runs),
    )
    .join('\n')
}

async function writeExports(paths: readonly string[], runs: BenchRun[]): Promise<void> {
  for (const path of paths) {
    try {
      await writeFile(path, reportText(path, runs), 'utf8')
    } catch (e) {
      throw new CliUsageError(
        `cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check that the folder is writable`,
      )
    }
    process.stderr.write(`bench: wrote ${path}\n`)
  }
}

/** 1 when any request failed, with one line per run that lost requests; else 0. */
function verdict(runs: readonly BenchRun[]): number {
  const failed = runs.filter((r) => r.summary.failures > 0)
  for (const r of failed) {
    process.stderr.write(
      `triton-live: ${r.summary.failures} of ${r.summary.requests} requests to ${r.model} @ ${r.url} failed\n`,
    )
  }
  return failed.length > 0 ? 1 : 0
}

export async function benchCommand(argv: string[], output: Output): Promise<number> {
  const { values } = parseArgs({ args: argv, options: BENCH_FLAGS, strict: true })
  const json = output.json || Boolean(values.json)
  if (!values.model)
    throw new CliUsageError('--model is required (list models with `triton-live models --url U`)')
  const compares = (values.compare ?? []).map(parseCompare)
  const windows = windowsOf(values)
  const modes = modesOf(values, windows)
  const streams = Math.round(positive('--num-sequences', values['num-sequences'], 4))
  const drainTimeoutMs = positive('--drain-timeout', values['drain-timeout'], 10) * 1000
  const exports = values.export ?? []
  for (const path of exports) await checkReportTarget(path)
  if (values.file) await assertMediaFile(values.file)
  const override = await loadProfile(values.profile, 'bench')
  const connection = connectionFromFlags(values)
  const transport = transportFromFlags(values)

  const owned: Array<{ close(): Promise<void> }> = []
  const abort = new AbortController()
  const onSignal = (): void => abort.abort()
  process.once('SIGINT', onSignal)
  try {
    const say = (line: string): void => void process.stderr.write(`${line}\n`)
    const targets = await prepareTargets(
      {
        connection,
        transport,
        model: values.model,
        compares,
        profile: override,
        file: values.file,
        labels: [values['label-a'], values['label-b']],
        metrics: {
          disabled: Boolean(values['no-metrics']),
          a: values['metrics-url'],
          b: values['metrics-url-b'],
        },
        openai: {
          model: values['openai-model'],
          apiKey: values['openai-api-key'],
          envApiKey: process.env.OPENAI_API_KEY || undefined,
        },
        signal: abort.signal,
        say,
      },
      owned,
    )
    const progress = new ProgressLine(Boolean(process.stderr.isTTY))
    const notes = new Set<string>()
    const levels = await measure({
      targets,
      modes,
      windows,
      signal: abort.signal,
      drainTimeoutMs,
      deadlineMs: connection.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      streams,
      onWindow: (t, mode, w, of) => progress.start(labelOf(t), mode, w, of),
      onProgress: (t, p) => progress.update(labelOf(t), p),
      onNote: (note) => {
        if (!notes.has(note)) say(`bench: note: ${note}`)
        notes.add(note)
      },
    })
    progress.end()
    const all = levels.flat()
    if (json) {
      output.write(toJson(all).trimEnd())
      // The JSON carries them too; stderr makes sure a person watching sees them.
      for (const w of all.flatMap(benchWarnings)) say(`bench: warning: ${w}`)
    } else {
      output.write(formatReport(levels))
    }
    await writeExports(exports, all)
    return verdict(all)
  } catch (e) {
    if (abort.signal.aborted) {
      process.stderr.write('triton-live: bench interrupted; no report\n')
      return 130
    }
    throw e
  } finally {
    process.off('SIGINT', onSignal)
    // Shared-memory regions are unregistered and unlinked with their transport.
    await Promise.all(owned.map((t) => t.close().catch(() => undefined)))
  }
}
