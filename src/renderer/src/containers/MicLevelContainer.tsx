import { LevelMeter } from '../components/LevelMeter'
import { useAppStore } from '../store'
import { selectMicLevel } from '../store/selectors'

/**
 * The level arrives about 20 times a second: only the meter subscribes to it, so the source
 * panel around it does not re-render with every reading.
 */
export function MicLevelContainer() {
  const level = useAppStore(selectMicLevel)
  return <LevelMeter rms={level.rms} peak={level.peak} />
}
