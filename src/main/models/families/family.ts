import type { ModelPreset, TensorInfo } from '../../../shared/ipc-contract'
import type { ModelProfile } from '../../../shared/model-profile'
import type { ModelConfig } from '../../triton/triton-client'

/**
 * A model family is a known way of deploying a model on Triton (sherpa's streaming transducer,
 * WeNet, Whisper on TensorRT-LLM, an Ultralytics export...). Each family recognises itself from
 * what the server says and turns the generic profile into one with the numbers that deployment
 * needs, naming its source so a person can check them.
 */

/** What the server told us about one model. */
export interface ModelFacts {
  name: string
  platform: string
  inputs: readonly TensorInfo[]
  outputs: readonly TensorInfo[]
  /** Inputs the config marks `optional: true`. */
  optional: readonly string[]
  config?: ModelConfig
  /** For an ensemble: the configs of its steps that the server would show. */
  steps: readonly ModelConfig[]
}

export interface FamilyMatch {
  preset: ModelPreset
  profile: ModelProfile
}

export interface ModelFamily {
  id: string
  name: string
  /** Repository and files the preset follows; also listed in README. */
  source: string
  /**
   * Recognises the family and returns the adjusted profile, or undefined. `derived` is what the
   * generic rules made of the model; families only refine it, so a model they do not know keeps it.
   */
  recognise(facts: ModelFacts, derived: ModelProfile): FamilyMatch | undefined
}

/** A config parameter's string value, if present. */
export function parameter(config: ModelConfig | undefined, key: string): string | undefined {
  const v = config?.parameters?.[key]?.string_value
  return v === undefined || v === '' ? undefined : v
}

/** A numeric config parameter; undefined when absent or not a finite number. */
export function numericParameter(config: ModelConfig | undefined, key: string): number | undefined {
  const text = parameter(config, key)
  if (text === undefined) return undefined
  const n = Number(text)
  return Number.isFinite(n) ? n : undefined
}

/** The step config named `name` (ensemble steps are looked up by model name). */
export function stepNamed(facts: ModelFacts, name: string): ModelConfig | undefined {
  return facts.steps.find((s) => s.name === name)
}

/** Names of the models an ensemble's steps call, in order. */
export function stepNames(config: ModelConfig | undefined): string[] {
  return (config?.ensemble_scheduling?.step ?? []).map((s) => s.model_name)
}

export function hasTensor(list: readonly TensorInfo[], name: string, datatype?: string): boolean {
  return list.some((t) => t.name === name && (datatype === undefined || t.datatype === datatype))
}

/** Dims of a config output, as numbers. */
export function outputDims(config: ModelConfig | undefined, name: string): number[] | undefined {
  const out = config?.output.find((o) => o.name === name)
  return out ? out.dims.map(Number) : undefined
}

/** Seconds for a summary line: 0.77, 0.64, 30 (no trailing zeros). */
export function seconds(samples: number, sampleRate: number): string {
  return `${Number((samples / sampleRate).toFixed(2))} s`
}

export function presetOf(
  family: Pick<ModelFamily, 'id' | 'name' | 'source'>,
  summary: string,
  settings: ModelPreset['settings'],
): ModelPreset {
  return { id: family.id, name: family.name, source: family.source, summary, settings }
}
