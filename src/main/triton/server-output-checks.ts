import { MAX_NAME_CHARS, MAX_TENSORS_PER_MODEL, shapeProblem } from '../../shared/limits'
import { DecodeError } from './decode-error'
import type { ModelConfig__Output } from './generated/inference/ModelConfig'
import type { ModelMetadataResponse__Output } from './generated/inference/ModelMetadataResponse'

/**
 * ModelMetadata and ModelConfig as a server sends them decide what the app allocates and shows;
 * they are checked once, where they arrive, so a shape of 3e18 or a list of 20,000 inputs is a
 * clear error about that model instead of an allocation failure or a 5 MB message.
 */

interface TensorLike {
  name: string
  dims: readonly (string | number)[]
}

function wrong(what: string, tensor?: string): DecodeError {
  return new DecodeError(`the server's output is wrong: ${what}`, {
    tensor,
    hint: 'the server describes this model in a way no client can use; the other models are unaffected',
  })
}

function checkTensors(where: string, kind: string, list: readonly TensorLike[]): void {
  if (list.length > MAX_TENSORS_PER_MODEL) {
    throw wrong(
      `${where} lists ${list.length} ${kind}s, more than the ${MAX_TENSORS_PER_MODEL} a model may have`,
    )
  }
  const seen = new Set<string>()
  for (const t of list) {
    if (t.name.length === 0 || t.name.length > MAX_NAME_CHARS) {
      throw wrong(
        `${where} has ${kind} name of ${t.name.length} characters (1 to ${MAX_NAME_CHARS} allowed)`,
      )
    }
    if (seen.has(t.name)) throw wrong(`${where} lists ${kind} '${t.name}' twice`, t.name)
    seen.add(t.name)
    const shape = t.dims.map(Number)
    const problem = shapeProblem(shape, true)
    if (problem)
      throw wrong(
        `${where}: ${kind} '${t.name}' has shape [${shape.join(', ')}]: ${problem}`,
        t.name,
      )
  }
}

export function checkModelMetadata(meta: ModelMetadataResponse__Output, model: string): void {
  const where = `the metadata of '${model}'`
  checkTensors(
    where,
    'input',
    meta.inputs.map((t) => ({ name: t.name, dims: t.shape })),
  )
  checkTensors(
    where,
    'output',
    meta.outputs.map((t) => ({ name: t.name, dims: t.shape })),
  )
}

export function checkModelConfig(config: ModelConfig__Output, model: string): void {
  const where = `the config of '${model}'`
  checkTensors(
    where,
    'input',
    config.input.map((t) => ({ name: t.name, dims: t.dims })),
  )
  checkTensors(
    where,
    'output',
    config.output.map((t) => ({ name: t.name, dims: t.dims })),
  )
  const steps = config.ensemble_scheduling?.step.length ?? 0
  if (steps > MAX_TENSORS_PER_MODEL) throw wrong(`${where} has ${steps} ensemble steps`)
}
