import { useSyncExternalStore } from 'react'

function subscribe(listener: () => void): () => void {
  window.addEventListener('resize', listener)
  return () => window.removeEventListener('resize', listener)
}

const width = (): number => window.innerWidth

/** The window's width in CSS pixels, re-rendering when it changes. */
export function useWindowWidth(): number {
  return useSyncExternalStore(subscribe, width, width)
}
