import { readFile } from 'node:fs/promises'
import type { ModelProfile } from '../shared/model-profile'
import type { ProfilePurpose } from '../shared/profile-check'
import { assertProfileUsable, parseProfile } from '../main/sessions/model-plan'
import { CliUsageError } from './cli-error'

/**
 * Reads and validates a --profile file, and refuses one that could never produce a request for
 * `purpose`, naming the field to fix; undefined when the flag is absent.
 */
export async function loadProfile(
  path: string | undefined,
  purpose: ProfilePurpose,
): Promise<ModelProfile | undefined> {
  if (!path) return undefined
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    throw new CliUsageError(
      `cannot read profile '${path}' (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    )
  }
  const profile = parseProfile(text, path)
  assertProfileUsable(profile, purpose)
  return profile
}
