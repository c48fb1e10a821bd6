/**
 * One timer for the deferred work of every session in the process: a session's flow event,
 * a results log's batched write. Each scheduled task runs once, at the timer's next firing.
 *
 * Why: each of 64 microphone sessions armed its own 250 ms flow timer and 1 s flush timers, at
 * moments spread over the 100 ms its chunks arrive in, so each timer woke the process on its own
 * (about 400 wake-ups a second). Run together, they cost 64 sessions about 5 % of their CPU.
 */
export class SharedTimer {
  private due = new Set<() => void>()
  /** The tasks of the firing under way, so one cancelled by an earlier one does not run. */
  private firing: Set<() => void> | undefined
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly intervalMs: number) {}

  /** Runs `task` once, within `intervalMs` from now; scheduling it again before then does nothing. */
  schedule(task: () => void): void {
    this.due.add(task)
    if (this.timer) return
    this.timer = setTimeout(() => this.fire(), this.intervalMs)
    this.timer.unref?.()
  }

  /** Takes back a task scheduled and not yet run; with none left, the timer is cleared. */
  cancel(task: () => void): void {
    this.due.delete(task)
    this.firing?.delete(task)
    if (this.due.size === 0 && this.timer) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
  }

  private fire(): void {
    this.timer = undefined
    const tasks = this.due
    this.due = new Set()
    this.firing = tasks
    // A task that throws fails as it did on a timer of its own, after the others have run.
    const errors: unknown[] = []
    // A Set's iteration skips what is deleted before it is reached: a cancelled task stays out.
    for (const task of tasks) {
      try {
        task()
      } catch (error) {
        errors.push(error)
      }
    }
    this.firing = undefined
    if (errors.length === 1) throw errors[0]
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} timer tasks failed`)
  }
}
