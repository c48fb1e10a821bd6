import { useState, type FocusEvent, type KeyboardEvent } from 'react'

export interface OptionKeyProps {
  tabIndex: number
  onFocus(e: FocusEvent<HTMLElement>): void
  onBlur(e: FocusEvent<HTMLElement>): void
  onKeyDown(e: KeyboardEvent<HTMLElement>): void
}

function siblingOptions(option: HTMLElement): HTMLElement[] {
  const list = option.parentElement
  if (!list) return []
  return Array.from(list.children).filter(
    (el): el is HTMLElement => el instanceof HTMLElement && el.getAttribute('role') === 'option',
  )
}

/**
 * The keyboard of a single-select listbox (WAI-ARIA APG): one option in the tab order (the one
 * last focused, else the selected one), Up / Down / Home / End move focus, Enter or Space picks.
 * Keys pressed on a button inside an option stay with that button.
 */
export function useListboxKeys(
  count: number,
  selectedIndex: number,
  pick: (index: number) => void,
): (index: number) => OptionKeyProps {
  const [focused, setFocused] = useState(-1)
  const tabStop = focused >= 0 && focused < count ? focused : Math.max(0, selectedIndex)
  return (index) => ({
    tabIndex: index === tabStop ? 0 : -1,
    onFocus: (e) => {
      if (e.target === e.currentTarget) setFocused(index)
    },
    onBlur: (e) => {
      // Leaving the list puts the tab stop back on the selected option.
      const to = e.relatedTarget
      if (!(to instanceof Node && e.currentTarget.parentElement?.contains(to))) setFocused(-1)
    },
    onKeyDown: (e) => {
      if (e.target !== e.currentTarget || e.altKey || e.ctrlKey || e.metaKey) return
      let next: number
      switch (e.key) {
        case 'ArrowDown':
          next = Math.min(count - 1, index + 1)
          break
        case 'ArrowUp':
          next = Math.max(0, index - 1)
          break
        case 'Home':
          next = 0
          break
        case 'End':
          next = count - 1
          break
        case 'Enter':
        case ' ':
          e.preventDefault()
          pick(index)
          return
        default:
          return
      }
      e.preventDefault()
      siblingOptions(e.currentTarget)[next]?.focus()
    },
  })
}
