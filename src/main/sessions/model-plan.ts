import type { ModelDetails } from '../../shared/ipc-contract'
import { modelProfileSchema, type ModelProfile } from '../../shared/model-profile'
import { profileProblem, type ProfilePurpose } from '../../shared/profile-check'
import { readFile } from 'node:fs/promises'
import { parseLabelFile } from '../models/labels'
import { inspectModel } from '../models/model-facts'
import type { TritonApi } from '../triton/triton-api'
import { TritonError } from '../triton/triton-error'

/** Reads a model's metadata and config and settles the profile a session will use. */
export async function resolveModel(
  client: TritonApi,
  model: string,
  override?: ModelProfile,
): Promise<{ details: ModelDetails; profile: ModelProfile }> {
  const details = await inspectModel(client, model, override && (await withLabelsFile(override)))
  if (!details.profile && details.kind === 'generic') {
    const inputs = details.inputs.map((i) => `${i.name} ${i.datatype} [${i.shape.join(', ')}]`)
    throw new TritonError(
      'invalid-argument',
      `cannot stream to '${model}': its inputs (${inputs.join(', ')}) take no audio or video, so the app has no live view for it`,
      `send it single requests: triton-live infer --model ${model} --input NAME=VALUE, or the Request view in the app`,
    )
  }
  if (!details.profile) {
    throw new TritonError(
      'invalid-argument',
      `cannot stream to '${model}' without a model profile: ${details.profileProblem ?? 'its inputs are not understood'}`,
      'pass --profile profile.json (CLI) or save a profile in the model browser',
    )
  }
  // A saved profile (the app's or --profile) that can never produce a request fails here, at
  // the start, instead of a session that waits for ever with 0 requests.
  assertProfileUsable(details.profile, 'stream')
  return { details, profile: details.profile }
}

/** A profile may name a label file (one class name per line) instead of listing labels. */
async function withLabelsFile(profile: ModelProfile): Promise<ModelProfile> {
  if (!profile.labelsFile || profile.labels) return profile
  let text: string
  try {
    text = await readFile(profile.labelsFile, 'utf8')
  } catch (e) {
    throw new TritonError(
      'invalid-argument',
      `cannot read the labels file '${profile.labelsFile}' (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      'fix "labelsFile" in the model profile; relative paths start from the current folder',
    )
  }
  return { ...profile, labels: parseLabelFile(text) }
}

/** Parses a profile file's text, with errors that say which field is wrong. */
export function parseProfile(text: string, source: string): ModelProfile {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new TritonError(
      'invalid-argument',
      `${source} is not valid JSON: ${(e as Error).message}`,
      'fix the profile file',
    )
  }
  const parsed = modelProfileSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new TritonError(
      'invalid-argument',
      `${source}: ${issue.path.join('.') || 'profile'}: ${issue.message}`,
      'see the example profile in README.md',
    )
  }
  return parsed.data
}

/**
 * Refuses, before anything is sent, a profile that can never produce a request for `purpose`
 * (a stream whose profile has no audio or video input would otherwise wait forever). Sessions
 * call it when they start (resolveModel), the app when it saves a profile, the CLI when it
 * loads --profile.
 */
export function assertProfileUsable(profile: ModelProfile, purpose: ProfilePurpose): void {
  const problem = profileProblem(profile, purpose)
  if (problem) {
    throw new TritonError(
      'invalid-argument',
      problem,
      'fix the model profile (see the example in README.md), or remove it to use what the server says',
    )
  }
}
