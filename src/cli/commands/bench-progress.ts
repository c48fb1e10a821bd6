import type { BenchMode, BenchProgress } from '../../main/bench/bench-runner'

const describeMode = (mode: BenchMode): string =>
  mode.kind === 'rate' ? `${mode.rate} req/s` : `concurrency ${mode.concurrency}`

/**
 * Progress on stderr: a terminal gets one line rewritten every second, a log one line every
 * 5 s at most and one at the end of each window.
 */
export class ProgressLine {
  private lastAt = 0
  private last: { label: string; progress: BenchProgress } | undefined

  constructor(private readonly tty: boolean) {}

  start(label: string, mode: BenchMode, window: number, of: number): void {
    this.flush()
    const part = of > 1 ? `, window ${window} of ${of}` : ''
    process.stderr.write(`bench: ${label}: ${describeMode(mode)}${part}\n`)
    this.lastAt = 0
  }

  update(label: string, p: BenchProgress): void {
    this.last = { label, progress: p }
    if (this.tty) process.stderr.write(`\r\x1b[2K${this.line(label, p)}`)
    else if (p.elapsedSec - this.lastAt >= 5) {
      this.lastAt = p.elapsedSec
      process.stderr.write(`${this.line(label, p)}\n`)
    }
  }

  /** The last window's final figures, on a line of their own. */
  end(): void {
    this.flush()
  }

  private flush(): void {
    if (!this.last) return
    const { label, progress } = this.last
    process.stderr.write(`${this.tty ? '\r\x1b[2K' : ''}${this.line(label, progress)}\n`)
    this.last = undefined
  }

  private line(label: string, p: BenchProgress): string {
    const at = Math.min(p.elapsedSec, p.durationSec).toFixed(0)
    return `  ${label}: ${at}/${Number(p.durationSec.toFixed(2))} s, ${p.sent} sent, ${p.succeeded} ok, ${p.failed} failed`
  }
}
