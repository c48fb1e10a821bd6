import { describe, expect, it } from 'vitest'
import {
  decodeHttpInferResponse,
  encodeHttpInferRequest,
  HttpTensorFormatError,
} from '../../../src/main/transport/http/kserve-infer-codec'
import { toJsonText } from '../../../src/main/transport/http/kserve-json'
import { sequenceParameters, type InferRequestSpec } from '../../../src/main/triton/infer-messages'

const spec: InferRequestSpec = {
  model: 'm',
  id: 'r1',
  inputs: [
    { name: 'WAV', datatype: 'FP32', shape: [1, 2], data: new Float32Array([0.5, -1]) },
    { name: 'TEXT', datatype: 'BYTES', shape: [1], data: ['hé'] },
  ],
  parameters: sequenceParameters({ id: 9007199254740993n, start: true }),
}

function split(body: Buffer, headerLength: number) {
  return {
    json: JSON.parse(body.subarray(0, headerLength).toString()),
    rest: body.subarray(headerLength),
  }
}

describe('KServe v2 HTTP request bodies', () => {
  it('put the JSON header first and the raw tensors after it, sizes in binary_data_size', () => {
    const { body, headers } = encodeHttpInferRequest(spec, 'binary')
    const length = Number(headers['inference-header-content-length'])
    expect(headers['content-type']).toBe('application/octet-stream')
    const { json, rest } = split(body, length)
    expect(json).toEqual({
      id: 'r1',
      parameters: {
        sequence_id: 9007199254740992,
        sequence_start: true,
        sequence_end: false,
        binary_data_output: true,
      },
      inputs: [
        { name: 'WAV', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } },
        { name: 'TEXT', datatype: 'BYTES', shape: [1], parameters: { binary_data_size: 7 } },
      ],
    })
    // sequence_id keeps every digit on the wire even past 2^53 (JSON.parse above rounds it).
    expect(body.subarray(0, length).toString()).toContain('"sequence_id":9007199254740993,')
    expect([...rest]).toEqual([0, 0, 0, 0x3f, 0, 0, 0x80, 0xbf, 3, 0, 0, 0, 0x68, 0xc3, 0xa9])
  })

  it('ask for named outputs in binary one by one, and place shared-memory outputs by region', () => {
    const { body, headers } = encodeHttpInferRequest(
      {
        model: 'm',
        inputs: [],
        sharedMemoryInputs: [
          { name: 'X', datatype: 'FP32', shape: [4], region: 'in', byteSize: 16, offset: 64 },
        ],
        outputs: ['A'],
        sharedMemoryOutputs: [{ name: 'B', region: 'out', byteSize: 4096 }],
      },
      'binary',
    )
    expect(headers).toEqual({ 'content-type': 'application/json' })
    expect(JSON.parse(body.toString())).toEqual({
      inputs: [
        {
          name: 'X',
          datatype: 'FP32',
          shape: [4],
          parameters: {
            shared_memory_region: 'in',
            shared_memory_byte_size: 16,
            shared_memory_offset: 64,
          },
        },
      ],
      outputs: [
        { name: 'A', parameters: { binary_data: true } },
        { name: 'B', parameters: { shared_memory_region: 'out', shared_memory_byte_size: 4096 } },
      ],
    })
  })

  it('write JSON tensors as flat arrays when the server lacks the binary extension', () => {
    const { body, headers } = encodeHttpInferRequest(spec, 'json')
    expect(headers).toEqual({ 'content-type': 'application/json' })
    const json = JSON.parse(body.toString())
    expect(json.inputs.map((i: { data: unknown }) => i.data)).toEqual([[0.5, -1], ['hé']])
    expect(json.parameters.binary_data_output).toBeUndefined()
  })

  it.each(['FP16', 'BF16'] as const)(
    'refuse %s as JSON, which KServe JSON cannot carry',
    (datatype) => {
      const half: InferRequestSpec = {
        model: 'm',
        inputs: [{ name: 'H', datatype, shape: [1], data: new Float32Array([1]) }],
      }
      expect(() => encodeHttpInferRequest(half, 'json')).toThrow(HttpTensorFormatError)
      expect(() => encodeHttpInferRequest(half, 'json')).toThrow(
        /needs the binary tensor data extension/,
      )
      const { body, headers } = encodeHttpInferRequest(half, 'binary')
      const length = Number(headers['inference-header-content-length'])
      expect([...body.subarray(length)]).toEqual(datatype === 'FP16' ? [0x00, 0x3c] : [0x80, 0x3f])
    },
  )

  it('refuse non-UTF-8 BYTES and NaN as JSON with the reason', () => {
    const raw: InferRequestSpec = {
      model: 'm',
      inputs: [{ name: 'B', datatype: 'BYTES', shape: [1], data: [new Uint8Array([0xff])] }],
    }
    expect(() => encodeHttpInferRequest(raw, 'json')).toThrow(/not UTF-8 text/)
    expect(() => toJsonText([NaN])).toThrow(/JSON cannot carry the value NaN/)
  })
})

describe('KServe v2 HTTP responses', () => {
  it('read binary outputs in order after the header, JSON outputs from data, and note shared-memory ones', () => {
    const header = Buffer.from(
      JSON.stringify({
        id: 'r1',
        model_name: 'm',
        model_version: '1',
        parameters: { sequence_end: true },
        outputs: [
          { name: 'H', datatype: 'FP16', shape: [1], parameters: { binary_data_size: 2 } },
          { name: 'T', datatype: 'BYTES', shape: [1, 1], data: ['ok'] },
          { name: 'I', datatype: 'INT64', shape: [2], parameters: { binary_data_size: 16 } },
          { name: 'S', datatype: 'FP32', shape: [8] },
        ],
      }),
    )
    const ints = Buffer.alloc(16)
    ints.writeBigInt64LE(-2n, 0)
    ints.writeBigInt64LE(2n ** 40n, 8)
    const body = Buffer.concat([header, Buffer.from([0x00, 0xc0]), ints])
    const r = decodeHttpInferResponse(body, header.byteLength, new Set(['S']))
    expect([r.id, r.model, r.version, r.parameters]).toEqual([
      'r1',
      'm',
      '1',
      { sequence_end: true },
    ])
    expect(Array.from(r.outputs.get('H')!.data as Float32Array)).toEqual([-2])
    expect(
      (r.outputs.get('T')!.data as Uint8Array[]).map((b) => Buffer.from(b).toString()),
    ).toEqual(['ok'])
    expect(Array.from(r.outputs.get('I')!.data as BigInt64Array)).toEqual([-2n, 2n ** 40n])
    expect(r.placed).toEqual([{ name: 'S', datatype: 'FP32', shape: [8] }])
  })

  it('check every size against the shape and the body before trusting it', () => {
    const header = Buffer.from(
      JSON.stringify({
        outputs: [{ name: 'Y', datatype: 'FP32', shape: [2], parameters: { binary_data_size: 4 } }],
      }),
    )
    expect(() =>
      decodeHttpInferResponse(Buffer.concat([header, Buffer.alloc(4)]), header.byteLength),
    ).toThrow(/tensor 'Y' \(FP32 \[2\]\) after receiving: expected 8 bytes/)
    const json = Buffer.from(
      JSON.stringify({ outputs: [{ name: 'Z', datatype: 'INT32', shape: [3], data: [1, 2] }] }),
    )
    expect(() => decodeHttpInferResponse(json, undefined)).toThrow(/tensor 'Z'/)
  })
})
