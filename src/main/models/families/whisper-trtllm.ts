import type { ProfileInput } from '../../../shared/model-profile'
import { hasTensor, presetOf, type ModelFamily } from './family'
import { OFFLINE_HOP_SEC, OFFLINE_MAX_WINDOW_SEC } from './offline-window'

/**
 * Whisper on TensorRT-LLM behind a python BLS model: k2-fsa/sherpa
 * `triton/whisper/model_repo_whisper_trtllm/infer_bls/config.pbtxt` and NVIDIA/TensorRT-LLM
 * `triton_backend/all_models/whisper/whisper_bls/config.pbtxt` take TEXT_PREFIX (STRING [1]), WAV
 * FP32 [-1] and WAV_LENS INT32 [1] marked `optional: true`, and answer TRANSCRIPTS; relatives add
 * an optional MAX_NEW_TOKENS INT32 [1]. The encoder takes 3000 mel frames, so a window is at most
 * 30 s. sherpa's infer_bls/1/model.py reads WAV_LENS unconditionally, so the preset sends it even
 * though it is optional; any other optional input is left to a profile.
 */

export const WHISPER_PREFIX = '<|startoftranscript|><|en|><|transcribe|><|notimestamps|>'

const WHISPER = {
  id: 'whisper-trtllm-bls',
  name: 'TensorRT-LLM Whisper BLS',
  source:
    'k2-fsa/sherpa triton/whisper/model_repo_whisper_trtllm/infer_bls/config.pbtxt; NVIDIA/TensorRT-LLM triton_backend/all_models/whisper/whisper_bls/config.pbtxt',
}

export const whisperTrtllm: ModelFamily = {
  ...WHISPER,
  recognise(facts, derived) {
    if (derived.kind !== 'offline-asr') return undefined
    if (!hasTensor(facts.inputs, 'TEXT_PREFIX', 'BYTES') || !hasTensor(facts.inputs, 'WAV'))
      return undefined
    if (!hasTensor(facts.outputs, 'TRANSCRIPTS')) return undefined
    const inputs: ProfileInput[] = derived.inputs.map((i) =>
      i.name === 'TEXT_PREFIX' ? { ...i, source: 'text-prefix', value: WHISPER_PREFIX } : i,
    )
    const lens = facts.inputs.find((i) => i.name === 'WAV_LENS')
    if (lens && !inputs.some((i) => i.name === 'WAV_LENS')) {
      inputs.push({
        name: 'WAV_LENS',
        datatype: 'INT32',
        shape: lens.shape,
        source: 'audio-length',
      })
    }
    const profile = {
      ...derived,
      inputs,
      audio: {
        ...derived.audio,
        sampleRate: 16000,
        chunkSamples: 8000,
        hopSec: OFFLINE_HOP_SEC,
        maxWindowSec: OFFLINE_MAX_WINDOW_SEC,
      },
    }
    const left = facts.optional.filter((n) => !profile.inputs.some((i) => i.name === n))
    return {
      profile,
      preset: presetOf(
        WHISPER,
        `${WHISPER.name}, ${OFFLINE_MAX_WINDOW_SEC} s window re-decoded every ${OFFLINE_HOP_SEC} s` +
          (left.length > 0 ? `, optional ${left.join(', ')} not sent` : ''),
        {
          'audio.sampleRate': 16000,
          'audio.hopSec': OFFLINE_HOP_SEC,
          'audio.maxWindowSec': OFFLINE_MAX_WINDOW_SEC,
          'inputs.TEXT_PREFIX.value': WHISPER_PREFIX,
        },
      ),
    }
  },
}
