import type { ModelConfig } from '../../triton/triton-client'
import {
  hasTensor,
  numericParameter,
  presetOf,
  stepNamed,
  stepNames,
  type ModelFacts,
  type ModelFamily,
} from './family'
import {
  frontEndSettings,
  frontEndSummary,
  readFrontEnd,
  withFrontEnd,
} from './streaming-front-end'

/**
 * WeNet's stateful GPU runtime (wenet-e2e/wenet `runtime/gpu/model_repo_stateful/`): the ensemble
 * `streaming_wenet` takes WAV FP32 [-1] and WAV_LENS INT32 [1] and answers TRANSCRIPTS, through
 * feature_extractor -> encoder -> wenet, with the sequence batcher (CORRID TYPE_UINT64) in the
 * feature extractor and decoder. The feature extractor's parameter `chunk_size_s` (written by
 * `runtime/gpu/scripts/convert.py` as decoding_chunk_size x subsampling x frame shift) sets later
 * chunks; its output `speech` [decoding_window, num_mel_bins] sets the first, exactly as sherpa's.
 */

/** export_onnx_gpu.py: (chunk - 1) x subsampling + right context + 1 = 15 x 4 + 7 for chunk 16. */
const DEFAULT_WINDOW = 67
const DEFAULT_CHUNK_SECONDS = 0.64

function wenetChunkSamples(fe: ModelConfig | undefined, sampleRate: number): number {
  const chunkSeconds = numericParameter(fe, 'chunk_size_s') ?? DEFAULT_CHUNK_SECONDS
  // model.py: self.chunk_size = int(chunk_size_s * sample_rate)
  return Math.trunc(chunkSeconds * sampleRate)
}

function looksLikeWenet(facts: ModelFacts): boolean {
  const fe = stepNamed(facts, 'feature_extractor')
  if (fe) return fe.parameters?.chunk_size_s !== undefined
  const steps = stepNames(facts.config)
  return steps.includes('feature_extractor') && steps.includes('wenet')
}

const WENET = {
  id: 'wenet-streaming',
  name: 'WeNet streaming',
  source:
    'wenet-e2e/wenet runtime/gpu/model_repo_stateful/ (streaming_wenet, feature_extractor/1/model.py)',
}

export const wenetStreaming: ModelFamily = {
  ...WENET,
  recognise(facts, derived) {
    if (derived.kind !== 'streaming-asr') return undefined
    if (!hasTensor(facts.inputs, 'WAV') || !hasTensor(facts.inputs, 'WAV_LENS')) return undefined
    if (!hasTensor(facts.outputs, 'TRANSCRIPTS') || !looksLikeWenet(facts)) return undefined
    const fe = readFrontEnd({
      featureExtractor: stepNamed(facts, 'feature_extractor'),
      windowOutput: 'speech',
      chunkSamples: wenetChunkSamples,
      defaultWindow: DEFAULT_WINDOW,
    })
    const profile = withFrontEnd(derived, fe)
    return {
      profile,
      preset: presetOf(
        WENET,
        frontEndSummary(WENET.name, fe),
        frontEndSettings(profile, fe, 'feature_extractor.decoding_window'),
      ),
    }
  },
}
