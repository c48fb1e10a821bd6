import type { DoctorCheck, DoctorReport } from '../../shared/ipc-contract'
import { TritonError } from '../triton/triton-error'
import { ProbeError } from './socket-probes'

/** What a check found; `fatal` failures end the run. */
export type Outcome = Omit<DoctorCheck, 'name' | 'ms'>

/** Runs checks in order, timing each, and stops at the first fatal failure. */
export class CheckRunner {
  readonly checks: DoctorCheck[] = []
  private stopped = false

  constructor(private readonly onCheck?: (check: DoctorCheck) => void) {}

  get halted(): boolean {
    return this.stopped
  }

  /**
   * Runs one check. A thrown ProbeError or TritonError becomes a failure with its message and
   * hint, fatal when `fatalOnThrow` says so. Returns whether the check passed (ok or warn).
   */
  async check(name: string, fn: () => Promise<Outcome>, fatalOnThrow = true): Promise<boolean> {
    if (this.stopped) return false
    const started = performance.now()
    let outcome: Outcome
    try {
      outcome = await fn()
    } catch (e) {
      outcome = failure(e, fatalOnThrow)
    }
    const check: DoctorCheck = { name, ...outcome, ms: round(performance.now() - started) }
    this.checks.push(check)
    this.onCheck?.(check)
    if (check.status === 'fail' && check.fatal) this.stopped = true
    return check.status === 'ok' || check.status === 'warn'
  }

  report(url: string): DoctorReport {
    const verdict = this.checks.some((c) => c.status === 'fail')
      ? 'fail'
      : this.checks.some((c) => c.status === 'warn')
        ? 'warn'
        : 'ok'
    return { url, checks: this.checks, verdict }
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10
}

export function failure(e: unknown, fatal: boolean): Outcome {
  if (e instanceof ProbeError) return { status: 'fail', detail: e.message, hint: e.hint, fatal }
  if (e instanceof TritonError)
    return { status: 'fail', detail: e.message, hint: e.hint || undefined, fatal }
  return { status: 'fail', detail: e instanceof Error ? e.message : String(e), fatal }
}
