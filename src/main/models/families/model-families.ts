import type { ModelPreset } from '../../../shared/ipc-contract'
import type { ModelProfile } from '../../../shared/model-profile'
import { efficientNms } from './efficient-nms'
import type { ModelFacts, ModelFamily } from './family'
import { nhwcUint8 } from './nhwc-uint8'
import { sherpaOffline } from './sherpa-offline'
import { sherpaStreaming } from './sherpa-streaming'
import { ultralyticsYolo } from './ultralytics-yolo'
import { wenetStreaming } from './wenet-streaming'
import { whisperTrtllm } from './whisper-trtllm'

/**
 * The catalogue of model families, most specific first: the first that recognises a model
 * decides its preset. README's "Model families" table lists the same entries and sources.
 */
export const MODEL_FAMILIES: readonly ModelFamily[] = [
  sherpaStreaming,
  wenetStreaming,
  sherpaOffline,
  whisperTrtllm,
  ultralyticsYolo,
  nhwcUint8,
  efficientNms,
]

/** The derived profile refined by the first family that knows the model, and that family's preset. */
export function applyFamily(
  facts: ModelFacts,
  derived: ModelProfile,
): { profile: ModelProfile; preset?: ModelPreset } {
  for (const family of MODEL_FAMILIES) {
    const match = family.recognise(facts, derived)
    if (match) return match
  }
  return { profile: derived }
}
