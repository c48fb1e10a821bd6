import type { ModelDetails } from '../../shared/ipc-contract'
import type { ModelProfile } from '../../shared/model-profile'
import type { ModelConfig, TritonApi } from '../triton/triton-api'
import { TritonError } from '../triton/triton-error'
import { describeModel } from './model-introspection'

/** A server without the model-configuration extension still has metadata; carry on without. */
async function configOrNothing(
  client: TritonApi,
  model: string,
  version = '',
): Promise<ModelConfig | undefined> {
  return client.modelConfig(model, version).catch((e: unknown) => {
    if (e instanceof TritonError && e.kind === 'unsupported') return undefined
    throw e
  })
}

/**
 * Everything the app reads to decide what a model is: metadata, config, and for an ensemble
 * the configs of its steps, since sherpa's and WeNet's streaming ASR ensembles keep their
 * sequence batcher in a step, not at the top.
 */
export async function inspectModel(
  client: TritonApi,
  model: string,
  saved?: ModelProfile,
  version = '',
): Promise<ModelDetails> {
  const meta = await client.modelMetadata(model, version)
  const config = await configOrNothing(client, model, version)
  const steps = config?.ensemble_scheduling?.step ?? []
  const stepConfigs = (
    await Promise.all(
      steps.map((s) => configOrNothing(client, s.model_name).catch(() => undefined)),
    )
  ).filter((c): c is ModelConfig => c !== undefined)
  const details = describeModel(meta, config, saved, stepConfigs)
  const description = configDescription(config)
  return description ? { ...details, description } : details
}

/** Longer than a paragraph is not a description; the browser shows it whole. */
const MAX_DESCRIPTION = 500

/**
 * The config parameter `description` (a free-form string parameter, as the demo models and many
 * deployments set it), trimmed and stripped of control characters: it is server text.
 */
export function configDescription(config: ModelConfig | undefined): string | undefined {
  const raw = config?.parameters?.description?.string_value
  if (typeof raw !== 'string') return undefined
  // eslint-disable-next-line no-control-regex
  const text = raw.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim()
  if (!text) return undefined
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text
}
