import type { ModelDetails } from '../shared/ipc-contract'
import { presetLine } from '../shared/preset-line'
import type { Output } from './output'

/** Prints the preset line at the start of a stream (not in --json mode) and passes `plan` on. */
export function announcePreset<T extends { details: ModelDetails }>(plan: T, output: Output): T {
  const line = output.json ? undefined : presetLine(plan.details)
  if (line) output.write(line)
  return plan
}
