/**
 * Collects stream events and hands them over once per animation frame, so a 30 fps stream costs
 * one store update per painted frame. A timer backs up requestAnimationFrame, which stops in a
 * hidden window; without it events would pile up until the window shows again.
 */
export interface EventBatcher<T> {
  push(event: T): void
  flush(): void
  dispose(): void
}

export interface BatcherScheduler {
  requestFrame(cb: () => void): number
  cancelFrame(handle: number): void
}

const browserScheduler = (): BatcherScheduler => ({
  requestFrame: (cb) => requestAnimationFrame(cb),
  cancelFrame: (h) => cancelAnimationFrame(h),
})

export function createEventBatcher<T>(
  deliver: (batch: T[]) => void,
  options: { scheduler?: BatcherScheduler; maxDelayMs?: number } = {},
): EventBatcher<T> {
  const scheduler = options.scheduler ?? browserScheduler()
  const maxDelayMs = options.maxDelayMs ?? 250
  let queue: T[] = []
  let frame: number | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let disposed = false

  function flush(): void {
    if (frame !== undefined) scheduler.cancelFrame(frame)
    if (timer !== undefined) clearTimeout(timer)
    frame = undefined
    timer = undefined
    if (queue.length === 0) return
    const batch = queue
    queue = []
    deliver(batch)
  }

  return {
    push(event) {
      if (disposed) return
      queue.push(event)
      if (frame === undefined) frame = scheduler.requestFrame(flush)
      if (timer === undefined) timer = setTimeout(flush, maxDelayMs)
    },
    flush,
    dispose() {
      flush()
      disposed = true
    },
  }
}
