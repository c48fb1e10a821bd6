import { useEffect } from 'react'
import type { SessionEvent } from '../../../shared/ipc-contract'
import { useApi } from '../bridge'
import { createEventBatcher, type BatcherScheduler } from '../store/event-batcher'
import { useAppStoreApi } from '../store'
import { acceptsEvent } from '../store/session-slice'

/**
 * The one bridge subscription for session events (STYLE 17): events are batched per animation
 * frame and folded into the store with a single `set`. Mount it once, at the top of the app.
 */
export function useSessionEvents(scheduler?: BatcherScheduler): void {
  const api = useApi()
  const store = useAppStoreApi()
  useEffect(() => {
    const batcher = createEventBatcher<SessionEvent>(
      (batch) => {
        store.getState().applyEvents(batch)
        store.getState().noteDelivered()
      },
      { scheduler },
    )
    const off = api.session.onEvent((e) => {
      // Stamped before batching: the render segment starts when the event reaches the window.
      const s = store.getState()
      if (e.kind !== 'bench-progress' && acceptsEvent(s.session, e)) s.noteArrival(e)
      batcher.push(e)
    })
    return () => {
      off()
      batcher.dispose()
    }
  }, [api, store, scheduler])
}
