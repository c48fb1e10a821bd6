import { useEffect } from 'react'
import { useApi } from '../bridge'
import { useAppStoreApi } from '../store'

/**
 * The window's one subscription to main's broadcast events: benchmark progress. Sessions do not
 * come through here; each talks over its own port, which the session controller holds.
 */
export function useBenchProgress(): void {
  const api = useApi()
  const store = useAppStoreApi()
  useEffect(() => api.bench.onProgress((e) => store.getState().benchProgress(e)), [api, store])
}
