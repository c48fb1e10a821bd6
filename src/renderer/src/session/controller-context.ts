import { createContext, useContext } from 'react'
import type { SessionController } from './session-controller'

export const ControllerContext = createContext<SessionController | null>(null)

export function useSessionController(): SessionController {
  const c = useContext(ControllerContext)
  if (!c) throw new Error('useSessionController needs a <ControllerContext.Provider>')
  return c
}
