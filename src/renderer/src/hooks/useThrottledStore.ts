import { useEffect, useState } from 'react'
import { useAppStoreApi, type AppState } from '../store'

/**
 * Like useAppStore, but re-renders at most every `ms`: for figures that change with every
 * stream event yet only need to be read by a human.
 */
export function useThrottledStore<T>(selector: (s: AppState) => T, ms: number): T {
  const store = useAppStoreApi()
  const [value, setValue] = useState(() => selector(store.getState()))
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    let last = 0
    const update = (): void => {
      timer = undefined
      last = Date.now()
      setValue(() => selector(store.getState()))
    }
    update()
    const unsubscribe = store.subscribe((s, prev) => {
      if (selector(s) === selector(prev) || timer !== undefined) return
      timer = setTimeout(update, Math.max(0, ms - (Date.now() - last)))
    })
    return () => {
      unsubscribe()
      if (timer !== undefined) clearTimeout(timer)
    }
  }, [store, selector, ms])
  return value
}
