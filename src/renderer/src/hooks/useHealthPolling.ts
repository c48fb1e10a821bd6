import { useEffect } from 'react'
import { useAppStore } from '../store'
import { selectConnectedEndpointId } from '../store/selectors'

export const HEALTH_POLL_MS = 3000

/** Polls the connected endpoint's health while connected; one timer, cleared on disconnect. */
export function useHealthPolling(intervalMs = HEALTH_POLL_MS): void {
  const connectedId = useAppStore(selectConnectedEndpointId)
  const refresh = useAppStore((s) => s.refreshHealth)
  useEffect(() => {
    if (!connectedId) return
    let inFlight = false
    const timer = setInterval(() => {
      // A slow link must not stack health calls on top of each other.
      if (inFlight) return
      inFlight = true
      void refresh().finally(() => {
        inFlight = false
      })
    }, intervalMs)
    return () => clearInterval(timer)
  }, [connectedId, refresh, intervalMs])
}
