import type { ModelDetails } from './ipc-contract'

/**
 * The one wording of "which preset the app applied, with which numbers", e.g.
 * "preset: sherpa streaming transducer, first chunk 0.77 s then 0.64 s (k2-fsa/sherpa ...)".
 * The CLI prints it when a stream starts and the app shows it under Start; both read it here.
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
