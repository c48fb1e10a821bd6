/**
 * One timer for the deferred work of every session in the process: a session's flow event,
 * a results log's batched write. Each scheduled task runs once, at the timer's next firing.
 *
 * Why: each of 64 microphone sessions armed its own 250 ms flow timer and 1 s flush timers, at
 * moments spread over the 100 ms its chunks arrive in, so each timer woke the process on its own
 * (about 500 wake-ups a second). Run together, they cost 64 sessions about 5 % of their CPU.
 */
export class SharedTimer {
  private readonly due = new Set<() => void>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly intervalMs: number) {}

  /** Runs `task` once, within `intervalMs` from now; scheduling it again before then does nothing. */
  schedule(task: () => void): void {
    this.due.add(task)
    if (this.timer) return
    this.timer = setTimeout(() => this.fire(), this.intervalMs)
    this.timer.unref?.()
  }

  /** Takes back a task scheduled and not yet run. */
  cancel(task: () => void): void {
    this.due.delete(task)
  }

  private fire(): void {
    this.timer = undefined
    const tasks = [...this.due]
    this.due.clear()
    // A task that throws fails as it did on a timer of its own, after the others have run.
    let failure: { error: unknown } | undefined
    for (const task of tasks) {
      try {
        task()
      } catch (error) {
        failure ??= { error }
      }
    }
    if (failure) throw failure.error
  }
}
