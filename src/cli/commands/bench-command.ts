import { stat, writeFile } from 'node:fs/promises'
import { dirname, extname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { ModelProfile } from '../../shared/model-profile'
import {
  parseConcurrencyLevels,
  runBench,
  type BenchMode,
  type BenchProgress,
} from '../../main/bench/bench-runner'
import {
  buildBenchWorkload,
  planBenchModel,
  type BenchWorkload,
} from '../../main/bench/bench-workload'
import { assertMediaFile } from '../../main/media/media-error'
import {
  formatCompare,
  formatRunTable,
  toCsv,
  toJson,
  toMarkdown,
  type BenchRun,
} from '../../main/metrics/bench-report'
import { defaultMetricsUrl } from '../../main/metrics/prometheus-metrics'
import { TritonClient } from '../../main/triton/triton-client'
import { CliUsageError } from '../cli-error'
import { CONNECTION_FLAGS, connectionFromFlags } from '../connection-flags'
import type { Output } from '../output'
import { loadProfile } from './stream-command'

export const BENCH_HELP = `triton-live bench --url U --model M [--file F] [--profile P.json] (--rate R | --concurrency C) [--duration S]
  Load-tests a model the way perf_analyzer does and prints request counts, success rate,
  throughput, latency percentiles, the server's own time (ModelStatistics) and, when the server
  has GPUs, GPU utilisation, memory and power. Inputs are built once before the run: from
  --file (ASR: the audio; detection: its frames, cycled) or, without a file, generated.
  --rate R            open loop: exactly round(R x duration) requests, one every 1/R s
  --concurrency C     closed loop: C requests in flight; 1:8:2 or 1,2,4 sweeps several levels
                      (default: concurrency 1)
  --duration S        seconds per run, default 10
  --compare X         run the same workload against X as well and print winner and ratio per
                      metric: X is another endpoint if it looks like host:port or a URL,
                      otherwise another model on the same endpoint
  --label-a L, --label-b L   names for the two columns
  --metrics-url U     Triton's metrics page for GPU figures, default http://<host>:8002/metrics;
                      --metrics-url-b for the compared endpoint; --no-metrics skips them
  --num-sequences N   rate mode, sequence and decoupled models: streams in parallel, default 4
  --drain-timeout S   after the last send, wait this long for answers before counting the rest
                      as failed, default 10
  --export F          also write the report to F: .md, .csv or .json (repeatable)
  --json              print the report as JSON instead of a table`

const REPORT_FORMATS = ['.md', '.csv', '.json']

function positive(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0)
    throw new CliUsageError(`${flag} must be a positive number, got '${text}'`)
  return n
}

/** host:port, [v6]:port or anything with a scheme names an endpoint; anything else a model. */
export function looksLikeEndpoint(text: string): boolean {
  const t = text.trim()
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(t) ||
    /^dns:/i.test(t) ||
    /^\[[0-9a-f:.]+\](:\d+)?$/i.test(t) ||
    /^[^\s/:]+:\d+$/.test(t)
  )
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

interface Target {
  client: TritonClient
  model: string
  label: string
  workload: BenchWorkload
  metricsUrl?: string
}

function describeMode(mode: BenchMode): string {
  return mode.kind === 'rate' ? `${mode.rate} req/s` : `concurrency ${mode.concurrency}`
}

export async function benchCommand(argv: string[], output: Output): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...CONNECTION_FLAGS,
      model: { type: 'string' },
      file: { type: 'string' },
      profile: { type: 'string' },
      rate: { type: 'string' },
      concurrency: { type: 'string' },
      duration: { type: 'string' },
      compare: { type: 'string' },
      'label-a': { type: 'string' },
      'label-b': { type: 'string' },
      'metrics-url': { type: 'string' },
      'metrics-url-b': { type: 'string' },
      'no-metrics': { type: 'boolean' },
      'num-sequences': { type: 'string' },
      'drain-timeout': { type: 'string' },
      export: { type: 'string', multiple: true },
      json: { type: 'boolean' },
    },
    strict: true,
  })
  const json = output.json || Boolean(values.json)
  if (!values.model)
    throw new CliUsageError('--model is required (list models with `triton-live models --url U`)')
  if (values.rate !== undefined && values.concurrency !== undefined) {
    throw new CliUsageError('give either --rate or --concurrency, not both')
  }
  if (values.compare !== undefined && values.compare.trim() === '') {
    throw new CliUsageError('--compare needs another model name, or host:port of another endpoint')
  }
  const durationSec = positive('--duration', values.duration, 10)
  const modes: BenchMode[] = []
  if (values.rate !== undefined) {
    const rate = positive('--rate', values.rate, 1)
    if (Math.round(rate * durationSec) < 1) {
      throw new CliUsageError(
        `--rate ${rate} for ${durationSec} s sends no request; raise the rate or the duration`,
      )
    }
    modes.push({ kind: 'rate', rate, durationSec })
  } else {
    let levels: number[]
    try {
      levels = parseConcurrencyLevels(values.concurrency ?? '1')
    } catch (e) {
      throw new CliUsageError(`--concurrency: ${(e as Error).message}`)
    }
    for (const concurrency of levels) modes.push({ kind: 'concurrency', concurrency, durationSec })
  }
  const streams = Math.round(positive('--num-sequences', values['num-sequences'], 4))
  const drainTimeoutMs = positive('--drain-timeout', values['drain-timeout'], 10) * 1000
  const exports = values.export ?? []
  for (const path of exports) await checkReportTarget(path)
  if (values.file) await assertMediaFile(values.file)
  const override = await loadProfile(values.profile)

  // A terminal gets one line rewritten every second; a log gets a line every 5 s at most.
  const tty = Boolean(process.stderr.isTTY)
  let lastLine = 0
  const progressLine = (label: string, p: BenchProgress, final = false): void => {
    const at = Math.min(p.elapsedSec, p.durationSec).toFixed(0)
    const line = `  ${label}: ${at}/${p.durationSec} s, ${p.sent} sent, ${p.succeeded} ok, ${p.failed} failed`
    if (tty) {
      process.stderr.write(`\r\x1b[2K${line}${final ? '\n' : ''}`)
    } else if (final || p.elapsedSec - lastLine >= 5) {
      lastLine = p.elapsedSec
      process.stderr.write(`${line}\n`)
    }
  }

  const clients: TritonClient[] = []
  const connect = (url?: string): TritonClient => {
    const client = new TritonClient(connectionFromFlags(url ? { ...values, url } : values))
    clients.push(client)
    return client
  }
  const abort = new AbortController()
  const onSignal = (): void => abort.abort()
  process.once('SIGINT', onSignal)
  try {
    const clientA = connect()
    const metricsFor = (client: TritonClient, flag: string | undefined): string | undefined =>
      values['no-metrics'] ? undefined : (flag ?? defaultMetricsUrl(client.target))
    const prepare = async (
      client: TritonClient,
      model: string,
      label: string,
      metricsUrl: string | undefined,
      profile?: ModelProfile,
    ): Promise<Target> => {
      process.stderr.write(`bench: preparing ${model} @ ${client.target}\n`)
      const plan = await planBenchModel(client, model, profile)
      const workload = await buildBenchWorkload(plan, { file: values.file, signal: abort.signal })
      process.stderr.write(`bench: ${label}: input ${workload.description}\n`)
      return { client, model, label, workload, metricsUrl }
    }

    const compare = values.compare?.trim()
    const otherEndpoint = compare !== undefined && looksLikeEndpoint(compare)
    const clientB = compare === undefined ? undefined : otherEndpoint ? connect(compare) : clientA
    const modelB = otherEndpoint ? values.model : compare
    const defaultA = compare !== undefined && otherEndpoint ? clientA.target : values.model
    const defaultB = otherEndpoint && clientB ? clientB.target : (modelB ?? '')
    const targets: Target[] = [
      await prepare(
        clientA,
        values.model,
        values['label-a'] ?? defaultA,
        metricsFor(clientA, values['metrics-url']),
        override,
      ),
    ]
    if (clientB && modelB) {
      // The profile describes model A; another model on the same endpoint gets its own.
      const profileB = otherEndpoint ? override : undefined
      const metricsB = otherEndpoint
        ? metricsFor(clientB, values['metrics-url-b'])
        : targets[0].metricsUrl
      targets.push(
        await prepare(clientB, modelB, values['label-b'] ?? defaultB, metricsB, profileB),
      )
    }

    // One list per target, one run per load level; the targets take turns so they never overlap.
    const runs: BenchRun[][] = targets.map(() => [])
    for (const mode of modes) {
      for (const [i, t] of targets.entries()) {
        const label =
          modes.length > 1 && mode.kind === 'concurrency'
            ? `${t.label} c=${mode.concurrency}`
            : t.label
        process.stderr.write(`bench: ${label}: ${describeMode(mode)} for ${durationSec} s\n`)
        lastLine = 0
        const run = await runBench({
          client: t.client,
          model: t.model,
          workload: t.workload,
          mode,
          metricsUrl: t.metricsUrl,
          signal: abort.signal,
          label,
          drainTimeoutMs,
          streams,
          onProgress: (p) => progressLine(label, p),
          onNote: (note) => process.stderr.write(`bench: note: ${note}\n`),
        })
        const { requests, successes, failures } = run.summary
        const elapsedSec = run.summary.durationSec
        progressLine(
          label,
          { elapsedSec, durationSec, sent: requests, succeeded: successes, failed: failures },
          true,
        )
        runs[i].push(run)
      }
    }

    const all = modes.flatMap((_, level) => runs.map((list) => list[level]))
    if (json) {
      output.write(toJson(all).trimEnd())
    } else if (targets.length === 2) {
      output.write(
        modes.map((_, level) => formatCompare(runs[0][level], runs[1][level])).join('\n'),
      )
    } else {
      output.write(runs[0].map((run) => formatRunTable(run)).join('\n'))
    }
    for (const path of exports) {
      try {
        await writeFile(path, reportText(path, all), 'utf8')
      } catch (e) {
        throw new CliUsageError(
          `cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); check that the folder is writable`,
        )
      }
      process.stderr.write(`bench: wrote ${path}\n`)
    }
    const dead = all.filter((r) => r.summary.successes === 0)
    for (const r of dead)
      process.stderr.write(`triton-live: no request to ${r.model} @ ${r.url} succeeded\n`)
    return dead.length > 0 ? 1 : 0
  } catch (e) {
    if (abort.signal.aborted) {
      process.stderr.write('triton-live: bench interrupted; no report\n')
      return 130
    }
    throw e
  } finally {
    process.off('SIGINT', onSignal)
    for (const c of clients) c.close()
  }
}
