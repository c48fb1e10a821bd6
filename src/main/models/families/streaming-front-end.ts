import type { ModelPreset } from '../../../shared/ipc-contract'
import type { ModelProfile } from '../../../shared/model-profile'
import type { ModelConfig } from '../../triton/triton-client'
import { firstChunkSamples, type FeatureWindow } from './feature-window'
import { numericParameter, outputDims, seconds } from './family'

/**
 * sherpa and WeNet share a front end: a python feature extractor step with sequence batching
 * whose parameters and output dims say how long chunks must be. This reads those numbers.
 */

export interface FrontEndSpec {
  /** The feature extractor step's config, when the server shows it. */
  featureExtractor?: ModelConfig
  /** Output whose dims[-2] is the decoding window: 'x' (sherpa) or 'speech' (WeNet). */
  windowOutput: string
  /** Later-chunk samples from the step's parameters. */
  chunkSamples(config: ModelConfig | undefined, sampleRate: number): number
  /** The window when the step config cannot be read (the build scripts' defaults). */
  defaultWindow: number
}

export interface FrontEnd {
  window: FeatureWindow
  firstChunkSamples: number
  /** True when the step config was not readable and the build scripts' defaults were used. */
  assumed: boolean
}

export function readFrontEnd(spec: FrontEndSpec): FrontEnd {
  const fe = spec.featureExtractor
  const sampleRate = numericParameter(fe, 'sample_rate') ?? 16000
  const dims = outputDims(fe, spec.windowOutput)
  const fromConfig = dims && dims.length >= 2 ? dims[dims.length - 2] : undefined
  const window: FeatureWindow = {
    sampleRate,
    frameLengthMs: numericParameter(fe, 'frame_length_ms') ?? 25,
    frameShiftMs: numericParameter(fe, 'frame_shift_ms') ?? 10,
    chunkSamples: spec.chunkSamples(fe, sampleRate),
    decodeWindow: fromConfig !== undefined && fromConfig > 0 ? fromConfig : spec.defaultWindow,
  }
  return {
    window,
    firstChunkSamples: firstChunkSamples(window),
    assumed: fromConfig === undefined || fromConfig <= 0,
  }
}

/** The derived streaming profile with the front end's chunking and int sequence ids (CORRID UINT64). */
export function withFrontEnd(derived: ModelProfile, fe: FrontEnd): ModelProfile {
  return {
    ...derived,
    audio: {
      ...derived.audio,
      sampleRate: fe.window.sampleRate,
      chunkSamples: fe.window.chunkSamples,
      firstChunkSamples: fe.firstChunkSamples,
    },
    sequence: { stateful: true, idType: 'int' },
  }
}

export function frontEndSummary(name: string, fe: FrontEnd): string {
  const rate = fe.window.sampleRate
  const line = `${name}, first chunk ${seconds(fe.firstChunkSamples, rate)} then ${seconds(fe.window.chunkSamples, rate)}`
  return fe.assumed ? `${line} (decoding window assumed: feature_extractor config not shown)` : line
}

export function frontEndSettings(
  profile: ModelProfile,
  fe: FrontEnd,
  windowKey: string,
): ModelPreset['settings'] {
  const audio = profile.inputs.find((i) => i.source === 'audio')
  return {
    'audio.sampleRate': fe.window.sampleRate,
    'audio.chunkSamples': fe.window.chunkSamples,
    'audio.firstChunkSamples': fe.firstChunkSamples,
    [windowKey]: fe.window.decodeWindow,
    ...(audio ? { [`inputs.${audio.name}.datatype`]: audio.datatype } : {}),
    'sequence.idType': 'int',
  }
}
