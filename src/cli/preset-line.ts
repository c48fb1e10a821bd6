import type { ModelDetails } from '../shared/ipc-contract'
import type { Output } from './output'

/**
 * One line that says which preset the app applied and with which numbers, e.g.
 * "preset: sherpa streaming transducer, first chunk 0.77 s then 0.64 s (k2-fsa/sherpa ...)".
 * Undefined for a model no family knows.
 */
export function presetLine(
  details: Pick<ModelDetails, 'preset' | 'profileSaved'>,
): string | undefined {
  const p = details.preset
  if (!p) return undefined
  const overridden = details.profileSaved ? '; your profile overrides it' : ''
  return `preset: ${p.summary} (${p.source}${overridden})`
}

/** Prints the preset line at the start of a stream (not in --json mode) and passes `plan` on. */
export function announcePreset<T extends { details: ModelDetails }>(plan: T, output: Output): T {
  const line = output.json ? undefined : presetLine(plan.details)
  if (line) output.write(line)
  return plan
}
