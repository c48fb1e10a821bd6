export interface ReconnectPolicy {
  /** First wait after a drop; doubles per failed attempt up to `maxDelayMs`, with ±20 % jitter. */
  initialDelayMs: number
  maxDelayMs: number
  /** Give up (and say how much was not processed) after this long without the server; never when absent. */
  giveUpAfterMs?: number
}

/**
 * Capped exponential backoff with jitter, so a hundred clients of one restarted server do not
 * knock on it at the same instant. `random` is injectable for tests that pin the numbers.
 */
export class Backoff {
  private delay: number
  private readonly started: number

  constructor(
    private readonly policy: ReconnectPolicy,
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {
    this.delay = policy.initialDelayMs
    this.started = now()
  }

  /** The next wait in ms. */
  next(): number {
    const wait = this.delay * (0.8 + this.random() * 0.4)
    this.delay = Math.min(this.policy.maxDelayMs, this.delay * 2)
    return Math.round(wait)
  }

  elapsedSec(): number {
    return (this.now() - this.started) / 1000
  }

  expired(): boolean {
    const limit = this.policy.giveUpAfterMs
    return limit !== undefined && this.now() - this.started > limit
  }
}
