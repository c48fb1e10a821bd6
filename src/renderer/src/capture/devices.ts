import { useEffect, useState } from 'react'

export interface DeviceOption {
  deviceId: string
  label: string
}

/**
 * Input devices of one kind, kept fresh on plug and unplug. Labels stay empty until the user has
 * granted access once; a numbered name stands in until then.
 */
export function useMediaDevices(
  kind: 'audioinput' | 'videoinput',
  /** Change it (e.g. when capture starts) to re-read labels once permission was granted. */
  refreshKey?: unknown,
): DeviceOption[] {
  const [devices, setDevices] = useState<DeviceOption[]>([])
  useEffect(() => {
    const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined
    if (!md?.enumerateDevices) return
    let alive = true
    const refresh = (): void => {
      md.enumerateDevices()
        .then((all) => {
          if (!alive) return
          const list = all
            .filter((d) => d.kind === kind && d.deviceId && d.deviceId !== 'default')
            .map((d, i) => ({
              deviceId: d.deviceId,
              label: d.label || `${kind === 'audioinput' ? 'Microphone' : 'Camera'} ${i + 1}`,
            }))
          setDevices(list)
        })
        .catch(() => undefined)
    }
    refresh()
    md.addEventListener('devicechange', refresh)
    return () => {
      alive = false
      md.removeEventListener('devicechange', refresh)
    }
  }, [kind, refreshKey])
  return devices
}
