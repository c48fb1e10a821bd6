import { modelProfileSchema, type ModelProfile } from '../../../shared/model-profile'

export type ProfileCheck = { ok: true; profile: ModelProfile } | { ok: false; errors: string[] }

/** Parses the editor's text: JSON syntax first, then the shared schema, one message per issue. */
export function validateProfileText(text: string): ProfileCheck {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return {
      ok: false,
      errors: [`Not valid JSON: ${err instanceof Error ? err.message : String(err)}`],
    }
  }
  const parsed = modelProfileSchema.safeParse(value)
  if (parsed.success) return { ok: true, profile: parsed.data }
  return {
    ok: false,
    errors: parsed.error.issues.map(
      (i) => `${i.path.length ? i.path.join('.') : '(profile)'}: ${i.message}`,
    ),
  }
}

export function profileToText(profile: ModelProfile | undefined): string {
  return profile ? JSON.stringify(profile, null, 2) : ''
}
