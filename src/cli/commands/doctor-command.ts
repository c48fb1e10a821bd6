import { parseArgs } from 'node:util'
import type { DoctorCheck } from '../../shared/ipc-contract'
import { runDoctor } from '../../main/doctor/doctor'
import { CONNECTION_FLAGS, connectionFromFlags } from '../connection-flags'

export const DOCTOR_HELP = `triton-live doctor --url U [--metrics-url M] [--json]
  Checks a connection rung by rung, one line each with its time: the name resolves, TCP
  connects, TLS (certificate subject, issuer, names, expiry, name match), the port speaks the
  URL's protocol (HTTP/2 for gRPC; HTTP/1.1 for http:// and https://, Triton's REST API),
  ServerLive and ServerReady, extensions, the metrics page, round trip and bandwidth, and each
  model's metadata, config and preset. Stops at the first rung nothing can pass and exits 1 when
  any check failed. --json prints the whole report as one JSON object.`

const MARK: Record<DoctorCheck['status'], string> = {
  ok: 'ok',
  warn: 'WARN',
  fail: 'FAIL',
  skip: 'skip',
}

/** Server text reaches a terminal: no escape sequences or other control characters. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?').replace(/\n/g, ' ')
}

export function checkLine(c: DoctorCheck): string {
  const head = `${MARK[c.status].padEnd(4)}  ${c.name.padEnd(16)}  ${printable(c.detail)}  (${c.ms.toFixed(1)} ms)`
  return c.hint && c.status !== 'ok' ? `${head}\n      -> ${printable(c.hint)}` : head
}

export async function doctorCommand(
  argv: string[],
  out: (line: string) => void,
  json: boolean,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...CONNECTION_FLAGS, 'metrics-url': { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  })
  const asJson = json || Boolean(values.json)
  const report = await runDoctor(connectionFromFlags(values), {
    metricsUrl: values['metrics-url'],
    onCheck: asJson ? undefined : (c) => out(checkLine(c)),
  })
  if (asJson) {
    out(JSON.stringify(report))
  } else {
    const failed = report.checks.filter((c) => c.status === 'fail')
    const warned = report.checks.filter((c) => c.status === 'warn')
    out(
      report.verdict === 'ok'
        ? `verdict: ok, ${report.url} works`
        : report.verdict === 'warn'
          ? `verdict: works, with ${warned.length} warning${warned.length > 1 ? 's' : ''} (${warned.map((c) => c.name).join(', ')})`
          : `verdict: fails at ${failed.map((c) => c.name).join(', ')}`,
    )
  }
  return report.verdict === 'fail' ? 1 : 0
}
