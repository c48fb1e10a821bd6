import type { ModelConfig } from '../../triton/triton-client'
import { icefallDecodeWindow } from './feature-window'
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
 * k2-fsa/sherpa's streaming transducers on Triton: the ensemble `transducer`
 * (`triton/model_repo_streaming/transducer/config.pbtxt.template`, and the zipformer variant in
 * `triton/model_repo_streaming_zipformer/`) takes WAV (FP16 or FP32, whatever the build wrote)
 * [-1] and WAV_LENS INT32 [1] and answers TRANSCRIPTS. Its steps feature_extractor and scorer
 * carry the sequence batcher with CORRID TYPE_UINT64. The feature extractor's parameter
 * `decode_chunk_size` (frames after 4x subsampling) sets later chunks to
 * decode_chunk_size x 4 x 10 ms, and its output `x` [DECODE_WINDOW_SIZE, 80] sets the first.
 */

const SOURCE_STREAMING =
  'k2-fsa/sherpa triton/model_repo_streaming/transducer/config.pbtxt.template and feature_extractor/1/model.py'
const SOURCE_ZIPFORMER =
  'k2-fsa/sherpa triton/model_repo_streaming_zipformer/transducer/config.pbtxt.template, encoder/config.pbtxt.template and feature_extractor/1/model.py'

/** The build scripts' chunk; with right context 0 the window is (16 + 2) x 4 + 3 = 75 frames. */
const DEFAULT_CHUNK_FRAMES = 16

function sherpaChunkSamples(fe: ModelConfig | undefined, sampleRate: number): number {
  // model.py: chunk_size_s = decode_chunk_size * 4 * 10 / 1000, whatever the frame shift.
  const frames = numericParameter(fe, 'decode_chunk_size') ?? DEFAULT_CHUNK_FRAMES
  return Math.trunc((frames * 40 * sampleRate) / 1000)
}

/** Zipformer encoders keep avg_cache and len_cache states; the conformer keeps attn/cnn caches. */
function isZipformer(encoder: ModelConfig | undefined): boolean {
  const states = encoder?.sequence_batching?.state ?? []
  return states.some((s) => s.input_name === 'avg_cache' || s.input_name === 'len_cache')
}

function looksLikeSherpa(facts: ModelFacts): boolean {
  const fe = stepNamed(facts, 'feature_extractor')
  if (fe) return fe.parameters?.decode_chunk_size !== undefined
  const steps = stepNames(facts.config)
  return steps.includes('feature_extractor') && steps.includes('scorer')
}

function family(zipformer: boolean): Pick<ModelFamily, 'id' | 'name' | 'source'> {
  return zipformer
    ? {
        id: 'sherpa-streaming-zipformer',
        name: 'sherpa streaming zipformer',
        source: SOURCE_ZIPFORMER,
      }
    : {
        id: 'sherpa-streaming-transducer',
        name: 'sherpa streaming transducer',
        source: SOURCE_STREAMING,
      }
}

export const sherpaStreaming: ModelFamily = {
  ...family(false),
  recognise(facts, derived) {
    if (derived.kind !== 'streaming-asr') return undefined
    if (!hasTensor(facts.inputs, 'WAV') || !hasTensor(facts.inputs, 'WAV_LENS')) return undefined
    if (!hasTensor(facts.outputs, 'TRANSCRIPTS') || !looksLikeSherpa(facts)) return undefined
    const which = family(isZipformer(stepNamed(facts, 'encoder')))
    const fe = readFrontEnd({
      featureExtractor: stepNamed(facts, 'feature_extractor'),
      windowOutput: 'x',
      chunkSamples: sherpaChunkSamples,
      defaultWindow: icefallDecodeWindow(DEFAULT_CHUNK_FRAMES, 0),
    })
    const profile = withFrontEnd(derived, fe)
    return {
      profile,
      preset: presetOf(
        which,
        frontEndSummary(which.name, fe),
        frontEndSettings(profile, fe, 'feature_extractor.decode_window'),
      ),
    }
  },
}

/**
 * The size a streaming server asked for when it refused the first chunk, from sherpa's feature
 * extractor: `raise Exception("Invalid first chunk size", len(wav), self.first_chunk_sz)` reaches
 * the client through Triton's python backend as
 * "Failed to process the request(s) for model instance 'feature_extractor_0_0', message:
 * Exception: ('Invalid first chunk size', 10240, 12320)" (prefixed "in ensemble 'transducer', "
 * when sent to the ensemble). WeNet's extractor raises the same words with only the size it got,
 * so it states no size and this returns undefined.
 */
export function requestedFirstChunk(message: string): number | undefined {
  const m = /Invalid first chunk size['"]?\s*,\s*(\d+)\s*,\s*(\d+)\s*\)/.exec(message)
  if (!m) return undefined
  const got = Number(m[1])
  const need = Number(m[2])
  return Number.isSafeInteger(need) && need > got ? need : undefined
}
