import type { DoctorCheck, DoctorReport } from '../../shared/ipc-contract'
import { defaultMetricsUrl } from '../metrics/prometheus-metrics'
import { displayUrl } from '../../shared/endpoint-url'
import { resolveEndpoint, type ConnectionOptions } from '../triton/connection-options'
import { createTritonApi } from '../triton/create-triton-api'
import { TritonError } from '../triton/triton-error'
import { CheckRunner } from './check-runner'
import { checkLink } from './link-checks'
import { checkLinkSpeed, checkMetrics, checkModels, checkServer } from './server-checks'

/**
 * `triton-live doctor` and the app's Doctor view: walks a connection rung by rung (name, TCP,
 * TLS, HTTP/2 for gRPC or HTTP/1.1 for the HTTP/REST API, the server, its metrics page, the
 * link's speed, each model) and says for each what it found and how long it took, stopping at
 * the first rung nothing can pass. The URL's scheme picks the protocol, as for every client.
 */

export interface DoctorOptions {
  /** The Prometheus page; http://host:8002/metrics when absent. */
  metricsUrl?: string
  /** Called as each check finishes, for a live display. */
  onCheck?(check: DoctorCheck): void
  /** Skip the per-model checks (the health diagnosis does). */
  models?: boolean
}

function probeTimeout(o: ConnectionOptions): number {
  return Math.min(o.timeoutMs ?? 5000, 5000)
}

export async function runDoctor(
  o: ConnectionOptions,
  opts: DoctorOptions = {},
): Promise<DoctorReport> {
  const ep = resolveEndpoint(o)
  const runner = new CheckRunner(opts.onCheck)
  const url = displayUrl(ep)
  const linked = await checkLink(runner, ep, o, probeTimeout(o))
  if (!linked) return runner.report(url)
  const client = createTritonApi(o)
  try {
    await checkServer(runner, client)
    if (runner.halted) return runner.report(url)
    await checkMetrics(runner, opts.metricsUrl ?? defaultMetricsUrl(o.url))
    await checkLinkSpeed(runner, client)
    if (opts.models !== false) await checkModels(runner, client)
    return runner.report(url)
  } finally {
    client.close()
  }
}

/**
 * Whether a failed call is worth a diagnosis: a refused connection or an unknown host already
 * says what is wrong, and so does a TLS failure, which the client explains in the same words
 * the doctor's TLS rung uses (triton/tls-failure.ts); a protocol error or a closed stream may
 * hide a wrong port or a proxy, which the link checks can name.
 */
export function worthDiagnosing(e: unknown): e is TritonError {
  if (!(e instanceof TritonError)) return false
  if (e.kind === 'auth' || e.kind === 'cancelled' || e.kind === 'tls') return false
  return !/connection refused|host name not found|host unreachable/.test(e.message)
}

/**
 * For `health` and the app's health badge: when a call failed, the doctor's first failing link
 * rung as a TritonError ("this port speaks HTTP: ..."), or undefined when the link is fine and
 * the original error stands.
 */
export async function explainConnectionFailure(
  o: ConnectionOptions,
): Promise<TritonError | undefined> {
  const runner = new CheckRunner()
  const ep = resolveEndpoint(o)
  await checkLink(runner, ep, o, probeTimeout(o))
  const failed = runner.checks.find((c) => c.status === 'fail')
  if (!failed) return undefined
  return new TritonError(
    failed.name === 'TLS' ? 'tls' : 'unreachable',
    `${ep.target}: ${failed.name} failed: ${failed.detail}`,
    failed.hint ?? '',
  )
}
