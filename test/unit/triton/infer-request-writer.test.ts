import { describe, expect, it } from 'vitest'
import type { ModelInferRequest__Output } from '../../../src/main/triton/generated/inference/ModelInferRequest'
import { buildInferRequest, type InferRequestSpec } from '../../../src/main/triton/infer-messages'
import { serializeInferRequest } from '../../../src/main/triton/infer-request-writer'
import { loadTritonProto } from '../../../src/main/triton/proto-loader'
import { encodeTensor, TensorShapeError } from '../../../src/main/triton/tensor-codec'

const method = loadTritonProto().inference.GRPCInferenceService.service.ModelInfer

/** What protobufjs writes for the same request, through the generated types. */
function protobufjs(spec: InferRequestSpec): Buffer {
  return method.requestSerialize(buildInferRequest(spec))
}

const frame = new Float32Array(3 * 64 * 64).map((_, i) => (i % 255) / 255)

const everyKind: InferRequestSpec = {
  model: 'whisper_bls',
  version: '3',
  id: 'req-17',
  inputs: [
    // 49,152 bytes: a three-byte length.
    { name: 'images', datatype: 'FP32', shape: [1, 3, 64, 64], data: frame },
    // An odd number of bytes, so the FP16 tensor after it starts at an odd offset.
    {
      name: 'TEXT_PREFIX',
      datatype: 'BYTES',
      shape: [1, 2],
      data: ['<|en|>', new Uint8Array([7])],
    },
    { name: 'half', datatype: 'FP16', shape: [2, 2], data: new Float32Array([1, -2, 0.5, 65504]) },
    { name: 'WAV_LENS', datatype: 'INT64', shape: [1, 1], data: new BigInt64Array([16000n]) },
    { name: 'mask', datatype: 'BOOL', shape: [3], data: [true, false, true] },
    { name: 'ids', datatype: 'INT32', shape: [2], data: [5, -6] },
  ],
  outputs: ['TRANSCRIPTS'],
  parameters: {
    sequence_id: 123456789012345678n,
    sequence_start: true,
    sequence_end: false,
    priority: 2,
    temperature: 0.25,
    language: 'en',
  },
}

describe('ModelInferRequest writer', () => {
  it('writes byte for byte what protobufjs writes for the same request', () => {
    const ours = serializeInferRequest(everyKind)
    expect(ours.equals(protobufjs(everyKind))).toBe(true)
    expect(ours.length).toBe(protobufjs(everyKind).length)
  })

  it('reads back through the generated types with every field and each tensor byte for byte', () => {
    const back = method.requestDeserialize(
      serializeInferRequest(everyKind),
    ) as ModelInferRequest__Output
    expect(back.model_name).toBe('whisper_bls')
    expect(back.model_version).toBe('3')
    expect(back.id).toBe('req-17')
    expect(back.inputs.map((i) => [i.name, i.datatype, i.shape.map(Number)])).toEqual(
      everyKind.inputs.map((t) => [t.name, t.datatype, t.shape]),
    )
    expect(back.outputs.map((o) => o.name)).toEqual(['TRANSCRIPTS'])
    expect(back.parameters.sequence_id.int64_param).toBe('123456789012345678')
    expect(back.parameters.sequence_start.bool_param).toBe(true)
    expect(back.parameters.temperature.double_param).toBe(0.25)
    expect(back.raw_input_contents.map((b) => Buffer.from(b).toString('hex'))).toEqual(
      everyKind.inputs.map((t) => encodeTensor(t).toString('hex')),
    )
    expect(Buffer.from(back.raw_input_contents[2]).toString('hex')).toBe('003c00c00038ff7b')
  })

  it('writes every kind of parameter, long names and nested lengths over 127 bytes as protobufjs does', () => {
    const spec: InferRequestSpec = {
      model: 'm'.repeat(300),
      inputs: [
        {
          name: 'é'.repeat(90),
          datatype: 'INT64',
          shape: [1, 2],
          data: new BigInt64Array([-1n, 2n]),
        },
        { name: 'x', datatype: 'UINT8', shape: [200], data: new Uint8Array(200) },
      ],
      outputs: ['a', 'b'.repeat(200), 'c'],
      parameters: {
        negative: -5,
        lowest: -(2n ** 63n),
        highest: 2n ** 63n - 1n,
        unsafe: 2 ** 60,
        zero: 0,
        // Sequence ids: 15 digits take the decimal fast path, 16 the BigInt one.
        sequence: 999_999_999_999_999n,
        longer: 9_999_999_999_999_999n,
        zeroId: 0n,
        no: false,
        half: -0.5,
        text: 'ü'.repeat(100),
        empty: '',
      },
    }
    expect(serializeInferRequest(spec).toString('hex')).toBe(protobufjs(spec).toString('hex'))
  })

  it('writes a shared-memory request (no tensor bytes) as protobufjs does', () => {
    const spec: InferRequestSpec = {
      model: 'frame-sink',
      inputs: [],
      sharedMemoryInputs: [
        {
          name: 'images',
          datatype: 'FP32',
          shape: [1, 3, 640, 640],
          region: 'r_in',
          byteSize: 4915200,
          offset: 64,
        },
      ],
      sharedMemoryOutputs: [{ name: 'output0', region: 'r_out', byteSize: 24 }],
    }
    expect(serializeInferRequest(spec).equals(protobufjs(spec))).toBe(true)
  })

  it('refuses a tensor whose data does not fill its shape, naming it, before writing anything', () => {
    const spec: InferRequestSpec = {
      model: 'm',
      inputs: [
        { name: 'ok', datatype: 'FP32', shape: [2], data: new Float32Array(2) },
        { name: 'WAV', datatype: 'FP32', shape: [1, 4], data: new Float32Array(3) },
      ],
    }
    expect(() => serializeInferRequest(spec)).toThrow(TensorShapeError)
    expect(() => serializeInferRequest(spec)).toThrow(
      "tensor 'WAV' (FP32 [1, 4]) before sending: expected 16 bytes (4 elements x 4 bytes) but got 12",
    )
  })

  it('reads the tensor when it writes the request: later changes to the data do not reach it', () => {
    const data = new Float32Array([1, 2])
    const bytes = serializeInferRequest({
      model: 'm',
      inputs: [{ name: 'x', datatype: 'FP32', shape: [2], data }],
    })
    data[0] = 99
    const back = method.requestDeserialize(bytes) as ModelInferRequest__Output
    expect(Buffer.from(back.raw_input_contents[0]).readFloatLE(0)).toBe(1)
  })
})
