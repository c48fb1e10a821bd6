import { describe, expect, it } from 'vitest'
import { DecodeError } from '../../../src/main/triton/decode-error'
import type { ModelInferResponse__Output } from '../../../src/main/triton/generated/inference/ModelInferResponse'
import { parseInferResponse } from '../../../src/main/triton/infer-messages'

type Output = ModelInferResponse__Output['outputs'][number]

function response(outputs: Partial<Output>[], raws: Buffer[]): ModelInferResponse__Output {
  return {
    model_name: 'm',
    model_version: '1',
    id: 'r1',
    parameters: {},
    outputs: outputs.map((o) => ({
      name: 'out',
      datatype: 'FP32',
      shape: ['1'],
      parameters: {},
      contents: null,
      ...o,
    })),
    raw_output_contents: raws,
  }
}

function parseError(r: ModelInferResponse__Output): DecodeError {
  try {
    parseInferResponse(r)
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError)
    return e as DecodeError
  }
  throw new Error('parsed without error')
}

describe("a response that does not add up is the server's output being wrong", () => {
  it('blames negative dims on the server, not on the request', () => {
    const e = parseError(response([{ shape: ['1', '-3'] }], [Buffer.alloc(4)]))
    expect(e.message).toBe(
      "the server's output is wrong: output 'out' has shape [1, -3]: dimension -3 is not a whole number >= 0",
    )
    expect(e.message).not.toMatch(/before sending|replace -1/)
    expect(e.tensor).toBe('out')
  })

  it('refuses a shape of 3e18 before allocating anything', () => {
    const e = parseError(response([{ shape: ['3000000000000000000'] }], [Buffer.alloc(8)]))
    expect(e.message).toMatch(
      /shape \[3000000000000000000\]: dimension 3000000000000000000 is above/,
    )
  })

  it('names both sizes when the bytes do not match the shape', () => {
    const e = parseError(response([{ shape: ['1', '4'] }], [Buffer.alloc(12)]))
    expect(e.message).toBe(
      "the server's output is wrong: tensor 'out' (FP32 [1, 4]) after receiving: expected 16 bytes (4 elements x 4 bytes) but got 12",
    )
  })

  it('refuses a BYTES length prefix that runs past the data', () => {
    const raw = Buffer.from('ffffff7f6869', 'hex')
    const e = parseError(response([{ datatype: 'BYTES', shape: ['1'] }], [raw]))
    expect(e.message).toMatch(/element 0 claims 2147483647 bytes but only 2 remain/)
  })

  it('refuses duplicate output names, unknown datatypes and unpaired raw contents', () => {
    const two = [{ name: 'a' }, { name: 'a' }]
    expect(parseError(response(two, [Buffer.alloc(4), Buffer.alloc(4)])).message).toMatch(
      /output 'a' appears twice/,
    )
    expect(parseError(response([{ datatype: 'FP8' }], [Buffer.alloc(4)])).message).toMatch(
      /unknown datatype 'FP8'/,
    )
    expect(parseError(response([{ name: 'a' }, { name: 'b' }], [Buffer.alloc(4)])).message).toBe(
      "the server's output is wrong: 2 outputs described but 1 raw contents sent",
    )
  })

  it('refuses typed contents whose count differs from the shape', () => {
    const contents = {
      bool_contents: [],
      int_contents: [],
      int64_contents: [],
      uint_contents: [],
      uint64_contents: [],
      fp32_contents: [1, 2, 3],
      fp64_contents: [],
      bytes_contents: [],
    }
    const e = parseError(response([{ shape: ['1', '2'], contents }], []))
    expect(e.message).toMatch(/holds 3 typed values, its shape needs 2/)
  })

  it('still reads a well-formed response', () => {
    const raw = Buffer.alloc(8)
    raw.writeFloatLE(1.5, 0)
    raw.writeFloatLE(-2, 4)
    const r = parseInferResponse(response([{ shape: ['2'] }], [raw]))
    expect(Array.from(r.outputs.get('out')!.data as Float32Array)).toEqual([1.5, -2])
  })
})
