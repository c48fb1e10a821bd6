import { useEffect } from 'react'
import { useSessionController } from '../session/controller-context'

/** Elements that give Space a meaning of their own: press, toggle, pick, type, play. */
const OWNS_SPACE =
  'summary,button,[role=button],[role=option],[role=tab],[role=radio],[role=menuitem],' +
  'a,input,select,textarea,[contenteditable]:not([contenteditable=false]),video,audio'

/** Fields where Esc and Ctrl+Enter belong to the typing (cancel an edit, submit a form). */
const EDITABLE = 'input,select,textarea,[contenteditable]:not([contenteditable=false])'
/** Inputs that take no typing: a checkbox or a button keeps no edit for Esc to cancel. */
const NOT_TYPED = new Set([
  'checkbox',
  'radio',
  'button',
  'submit',
  'reset',
  'range',
  'color',
  'file',
])

function closestOf(target: EventTarget | null, selector: string): Element | null {
  return target instanceof Element ? target.closest(selector) : null
}

export function ownsSpace(target: EventTarget | null): boolean {
  return closestOf(target, OWNS_SPACE) !== null
}

export function isEditable(target: EventTarget | null): boolean {
  const el = closestOf(target, EDITABLE)
  if (!el) return false
  return !(el instanceof HTMLInputElement && NOT_TYPED.has(el.type))
}

/** Space or Ctrl/Cmd+Enter starts or stops; Esc stops. */
export function useShortcuts(): void {
  const controller = useSessionController()
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || e.repeat) return
      if (e.key === 'Escape') {
        if (!isEditable(e.target)) void controller.stop()
        return
      }
      const ctrlEnter = e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !isEditable(e.target)
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
