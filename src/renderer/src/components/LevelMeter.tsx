import { memo } from 'react'

/** Decibels relative to full scale, floored at -60 so silence reads as empty. */
export function toDbfs(v: number): number {
  return v > 0 ? Math.max(-60, 20 * Math.log10(v)) : -60
}

export const LevelMeter = memo(function LevelMeter({ rms, peak }: { rms: number; peak: number }) {
  const rmsPct = ((toDbfs(rms) + 60) / 60) * 100
  const peakPct = ((toDbfs(peak) + 60) / 60) * 100
  return (
    <div
      className="level-meter"
      role="meter"
      aria-label="Microphone level"
      aria-valuemin={-60}
      aria-valuemax={0}
      aria-valuenow={Math.round(toDbfs(rms))}
      data-testid="mic-level"
    >
      <div className="level-fill" style={{ width: `${rmsPct}%` }} />
      <div
        className={`level-peak${peak >= 0.99 ? ' clip' : ''}`}
        style={{ left: `${Math.min(99, peakPct)}%` }}
      />
    </div>
  )
})
