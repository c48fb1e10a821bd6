import { useCallback, useState } from 'react'

const KEY = 'triton-live.sidebar-width'

function saved(): number | undefined {
  try {
    const v = Number(window.localStorage.getItem(KEY))
    return Number.isFinite(v) && v > 0 ? v : undefined
  } catch {
    return undefined
  }
}

/** The width the user dragged the sidebar to, kept across restarts; undefined for the default. */
export function useSidebarWidth(): [number | undefined, (w: number | undefined) => void] {
  const [wanted, setWanted] = useState(saved)
  const set = useCallback((w: number | undefined) => {
    setWanted(w)
    try {
      if (w === undefined) window.localStorage.removeItem(KEY)
      else window.localStorage.setItem(KEY, String(Math.round(w)))
    } catch {
      // Storage off (a locked-down profile): the width lasts for this window only.
    }
  }, [])
  return [wanted, set]
}
