import { useEffect } from 'react'
import { useSessionController } from '../session/controller-context'

/** Typing in a field or pressing a focused button must keep its own meaning for Space. */
function ownsSpace(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  return ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'A', 'VIDEO', 'AUDIO'].includes(target.tagName)
}

/** Space or Ctrl/Cmd+Enter starts or stops; Esc stops. */
export function useShortcuts(): void {
  const controller = useSessionController()
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || e.repeat) return
      if (e.key === 'Escape') {
        void controller.stop()
        return
      }
      const ctrlEnter = e.key === 'Enter' && (e.ctrlKey || e.metaKey)
      const space = e.key === ' ' && !e.ctrlKey && !e.metaKey && !e.altKey && !ownsSpace(e.target)
      if (ctrlEnter || space) {
        e.preventDefault()
        void controller.toggle()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [controller])
}
