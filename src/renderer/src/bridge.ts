import { createContext, useContext } from 'react'
import type { TritonLiveApi } from '../../shared/ipc-contract'

/**
 * The renderer depends on the bridge interface only (STYLE 18): the app passes the preload's
 * `window.tritonLive`, tests pass one built over an in-memory transport.
 */
export const ApiContext = createContext<TritonLiveApi | null>(null)

export function useApi(): TritonLiveApi {
  const api = useContext(ApiContext)
  if (!api) throw new Error('useApi needs an <ApiContext.Provider>')
  return api
}
