import {
  hasTensor,
  numericParameter,
  presetOf,
  stepNamed,
  stepNames,
  type ModelFacts,
  type ModelFamily,
} from './family'
import { OFFLINE_HOP_SEC, OFFLINE_MAX_WINDOW_SEC } from './offline-window'

/**
 * k2-fsa/sherpa's offline transducer (`triton/model_repo_offline/`, and the zipformer build in
 * `triton/zipformer/model_repo_offline_bs/`): the same ensemble `transducer` with WAV [-1] and
 * WAV_LENS INT32 [1] -> TRANSCRIPTS, but dynamic batching and no sequence batcher, so each request
 * is a whole utterance. The feature extractor's `sample_rate` parameter says the rate.
 */

const SHERPA_OFFLINE = {
  id: 'sherpa-offline-transducer',
  name: 'sherpa offline transducer',
  source:
    'k2-fsa/sherpa triton/model_repo_offline/transducer/config.pbtxt.template and feature_extractor/config.pbtxt.template (also triton/zipformer/model_repo_offline_bs/transducer/config.pbtxt)',
}

function looksLikeSherpaOffline(facts: ModelFacts): boolean {
  const fe = stepNamed(facts, 'feature_extractor')
  // The offline extractor spells its parameters frame_shift_in_ms and frame_length_in_ms.
  if (fe) return fe.parameters?.frame_shift_in_ms !== undefined
  const steps = stepNames(facts.config)
  return steps.includes('feature_extractor') && steps.includes('scorer')
}

export const sherpaOffline: ModelFamily = {
  ...SHERPA_OFFLINE,
  recognise(facts, derived) {
    if (derived.kind !== 'offline-asr' || hasTensor(facts.inputs, 'TEXT_PREFIX')) return undefined
    if (!hasTensor(facts.inputs, 'WAV') || !hasTensor(facts.outputs, 'TRANSCRIPTS'))
      return undefined
    if (!looksLikeSherpaOffline(facts)) return undefined
    const sampleRate =
      numericParameter(stepNamed(facts, 'feature_extractor'), 'sample_rate') ?? 16000
    const profile = {
      ...derived,
      audio: {
        ...derived.audio,
        sampleRate,
        chunkSamples: sampleRate / 2,
        hopSec: OFFLINE_HOP_SEC,
        maxWindowSec: OFFLINE_MAX_WINDOW_SEC,
      },
    }
    return {
      profile,
      preset: presetOf(
        SHERPA_OFFLINE,
        `${SHERPA_OFFLINE.name}, whole utterance re-decoded every ${OFFLINE_HOP_SEC} s up to ${OFFLINE_MAX_WINDOW_SEC} s`,
        {
          'audio.sampleRate': sampleRate,
          'audio.hopSec': OFFLINE_HOP_SEC,
          'audio.maxWindowSec': OFFLINE_MAX_WINDOW_SEC,
        },
      ),
    }
  },
}
