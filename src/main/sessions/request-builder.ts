import type { ModelProfile, ProfileInput } from '../../shared/model-profile'
import { elementCount } from '../../shared/tensor-types'
import type { Tensor } from '../triton/tensor-codec'

/**
 * Turns a chunk of audio or a video frame into the model's input tensors, following the
 * profile: each input names its source, and -1 dimensions are filled per request (the last
 * variable dimension takes the sample count, any other one, such as the batch, is 1).
 */

function concreteShape(shape: readonly number[], variable: number): number[] {
  const lastVar = shape.lastIndexOf(-1)
  return shape.map((d, i) => (d !== -1 ? d : i === lastVar ? variable : 1))
}

function filled(input: ProfileInput, count: number, value: number | boolean): Tensor['data'] {
  switch (input.datatype) {
    case 'INT64':
      return new BigInt64Array(count).fill(BigInt(Math.trunc(Number(value))))
    case 'UINT64':
      return new BigUint64Array(count).fill(BigInt(Math.trunc(Number(value))))
    case 'BOOL':
      return new Array<boolean>(count).fill(Boolean(value))
    default:
      return new Array<number>(count).fill(Number(value))
  }
}

function otherInput(input: ProfileInput, validSamples: number): Tensor {
  const shape = concreteShape(input.shape, 1)
  const count = elementCount(shape)
  switch (input.source) {
    case 'audio-length':
      return {
        name: input.name,
        datatype: input.datatype,
        shape,
        data: filled(input, count, validSamples),
      }
    case 'text-prefix':
    case 'constant':
      if (input.datatype === 'BYTES') {
        return {
          name: input.name,
          datatype: 'BYTES',
          shape,
          data: new Array<string>(count).fill(String(input.value ?? '')),
        }
      }
      return {
        name: input.name,
        datatype: input.datatype,
        shape,
        data: filled(
          input,
          count,
          typeof input.value === 'boolean' ? input.value : Number(input.value ?? 0),
        ),
      }
    default:
      throw new Error(`input '${input.name}' with source '${input.source}' cannot be built here`)
  }
}

export function audioInputs(
  profile: ModelProfile,
  samples: Float32Array,
  validSamples: number,
): Tensor[] {
  return profile.inputs.map((input) => {
    if (input.source === 'audio') {
      if (
        input.datatype !== 'FP32' &&
        input.datatype !== 'FP16' &&
        input.datatype !== 'BF16' &&
        input.datatype !== 'FP64'
      ) {
        throw new Error(
          `audio input '${input.name}' must be a float type, the profile says ${input.datatype}`,
        )
      }
      return {
        name: input.name,
        datatype: input.datatype,
        shape: concreteShape(input.shape, samples.length),
        data: samples,
      }
    }
    if (input.source === 'video-frame') {
      throw new Error(
        `model profile for '${profile.model}' asks for a video frame but this is an audio session`,
      )
    }
    return otherInput(input, validSamples)
  })
}

export function frameInputs(profile: ModelProfile, tensor: Float32Array | Uint8Array): Tensor[] {
  return profile.inputs.map((input) => {
    if (input.source === 'video-frame') {
      const shape = concreteShape(input.shape, 1)
      if (elementCount(shape) !== tensor.length) {
        throw new Error(
          `image input '${input.name}' has shape [${shape.join(', ')}] (${elementCount(shape)} values) ` +
            `but the frame tensor has ${tensor.length}; check vision width/height/layout in the model profile`,
        )
      }
      return { name: input.name, datatype: input.datatype, shape, data: tensor }
    }
    if (input.source === 'audio' || input.source === 'audio-length') {
      throw new Error(
        `model profile for '${profile.model}' asks for audio but this is a video session`,
      )
    }
    return otherInput(input, 0)
  })
}
