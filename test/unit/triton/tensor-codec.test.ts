import { describe, expect, it } from 'vitest'
import type { TritonDatatype } from '../../../src/shared/tensor-types'
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../../src/main/triton/float16'
import {
  bytesToStrings,
  decodeTensor,
  encodeTensor,
  TensorShapeError,
  type TensorData,
} from '../../../src/main/triton/tensor-codec'

const cases: Array<[TritonDatatype, TensorData, string]> = [
  ['BOOL', [true, false, true, true], '01000101'],
  ['UINT8', new Uint8Array([0, 1, 254, 255]), '0001feff'],
  ['INT8', new Int8Array([-128, -1, 0, 127]), '80ff007f'],
  ['UINT16', new Uint16Array([1, 0xabcd, 0, 65535]), '0100cdab0000ffff'],
  ['INT16', new Int16Array([-2, 1, -32768, 32767]), 'feff01000080ff7f'],
  ['UINT32', new Uint32Array([1, 0xdeadbeef, 0, 4294967295]), '01000000efbeadde00000000ffffffff'],
  ['INT32', new Int32Array([-1, 2, -2147483648, 7]), 'ffffffff020000000000008007000000'],
  [
    'UINT64',
    new BigUint64Array([1n, 2n ** 64n - 1n, 0n, 256n]),
    '0100000000000000ffffffffffffffff00000000000000000001000000000000',
  ],
  [
    'INT64',
    new BigInt64Array([-1n, 1n, -(2n ** 63n), 2n ** 62n]),
    'ffffffffffffffff010000000000000000000000000000800000000000000040',
  ],
  ['FP16', new Float32Array([1, -2, 0.5, 65504]), '003c00c00038ff7b'],
  ['BF16', new Float32Array([1, -2, 0.5, 3.140625]), '803f00c0003f4940'],
  ['FP32', new Float32Array([1, -2, 0.5, 3.5]), '0000803f000000c00000003f00006040'],
  [
    'FP64',
    new Float64Array([1, -2, 0.5, 1e300]),
    '000000000000f03f00000000000000c0000000000000e03f9c7500883ce4377e',
  ],
]

describe('tensor codec', () => {
  it.each(cases)(
    'encodes %s little-endian byte for byte and decodes it back',
    (datatype, data, hex) => {
      const bytes = encodeTensor({ name: 'x', datatype, shape: [2, 2], data })
      expect(bytes.toString('hex')).toBe(hex)
      const back = decodeTensor('x', datatype, [2, 2], bytes)
      expect(back.shape).toEqual([2, 2])
      const expected = Array.from(data as ArrayLike<number | bigint | boolean>, (v) =>
        typeof v === 'boolean' ? Number(v) : v,
      )
      expect(Array.from(back.data as ArrayLike<number | bigint>)).toEqual(expected)
    },
  )

  it('encodes BYTES as a 4-byte little-endian length before each element', () => {
    const bytes = encodeTensor({
      name: 't',
      datatype: 'BYTES',
      shape: [2],
      data: ['hi', new Uint8Array([0xff])],
    })
    expect(bytes.toString('hex')).toBe('020000006869' + '01000000ff')
    const back = decodeTensor('t', 'BYTES', [2], bytes)
    expect((back.data as Uint8Array[]).map((b) => Array.from(b))).toEqual([[0x68, 0x69], [0xff]])
  })

  it('round-trips UTF-8 strings, including empty ones', () => {
    const bytes = encodeTensor({
      name: 't',
      datatype: 'BYTES',
      shape: [1, 3],
      data: ['héllo', '', '文字'],
    })
    expect(bytesToStrings(decodeTensor('t', 'BYTES', [1, 3], bytes))).toEqual(['héllo', '', '文字'])
  })

  it('rejects data whose size does not match the shape before sending, naming the tensor and both sizes', () => {
    expect(() =>
      encodeTensor({ name: 'WAV', datatype: 'FP32', shape: [1, 4], data: new Float32Array(3) }),
    ).toThrow(
      "tensor 'WAV' (FP32 [1, 4]) before sending: expected 16 bytes (4 elements x 4 bytes) but got 12",
    )
  })

  it('rejects received bytes that do not match the shape, naming the tensor and both sizes', () => {
    expect(() => decodeTensor('output0', 'FP32', [1, 84, 2], Buffer.alloc(100))).toThrow(
      "tensor 'output0' (FP32 [1, 84, 2]) after receiving: expected 672 bytes (168 elements x 4 bytes) but got 100",
    )
  })

  it('rejects a shape with an unresolved -1, saying to give the real size, before other bounds', () => {
    expect(() =>
      encodeTensor({ name: 'WAV', datatype: 'FP32', shape: [1, -1], data: new Float32Array(2) }),
    ).toThrow(TensorShapeError)
    expect(() =>
      encodeTensor({ name: 'WAV', datatype: 'FP32', shape: [1, -1], data: new Float32Array(2) }),
    ).toThrow("tensor 'WAV': shape [1, -1] has a dimension that is not a concrete size")
    // Rank 17 with a -1 in it: the -1 is what the user has to fix first.
    const deep = [-1, ...new Array<number>(16).fill(1)]
    expect(() =>
      encodeTensor({ name: 'x', datatype: 'FP32', shape: deep, data: new Float32Array(1) }),
    ).toThrow(/not a concrete size/)
    expect(() =>
      encodeTensor({
        name: 'x',
        datatype: 'FP32',
        shape: new Array<number>(17).fill(1),
        data: new Float32Array(1),
      }),
    ).toThrow(
      "tensor 'x': shape [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]: rank 17 is above 16",
    )
  })

  it('rejects a BYTES tensor whose element count differs from the shape', () => {
    expect(() => encodeTensor({ name: 's', datatype: 'BYTES', shape: [2], data: ['a'] })).toThrow(
      /needs 2 elements but 1 were given/,
    )
    const bytes = encodeTensor({ name: 's', datatype: 'BYTES', shape: [1], data: ['abcdefgh'] })
    expect(() => decodeTensor('s', 'BYTES', [2], bytes)).toThrow(
      /shape says 2 elements but the data holds 1/,
    )
    // More elements than 4-byte prefixes fit is refused before reading any of them.
    expect(() => decodeTensor('s', 'BYTES', [4], bytes)).toThrow(
      "tensor 's' (BYTES): shape says 4 elements but 12 bytes hold at most 3",
    )
  })

  it('rejects a truncated BYTES element', () => {
    expect(() => decodeTensor('s', 'BYTES', [1], Buffer.from('05000000616263', 'hex'))).toThrow(
      /claims 5 bytes but only 3 remain/,
    )
  })

  it('decodes from an unaligned slice of a larger buffer', () => {
    const big = Buffer.alloc(9)
    big.writeFloatLE(1.5, 1)
    big.writeFloatLE(-3, 5)
    const back = decodeTensor('x', 'FP32', [2], big.subarray(1))
    expect(Array.from(back.data as Float32Array)).toEqual([1.5, -3])
  })

  it('reads aligned fixed-size values in place and copies unaligned ones, with the same values', () => {
    const big = Buffer.alloc(17)
    for (const at of [1, 5, 9, 13]) big.writeInt32LE(at * -3, at)
    const unaligned = decodeTensor('n', 'INT32', [4], big.subarray(1))
    expect(Array.from(unaligned.data as Int32Array)).toEqual([-3, -15, -27, -39])
    expect((unaligned.data as Int32Array).buffer).not.toBe(big.buffer)
    const raw = Buffer.from(new Float32Array([0.5, -1, 7, 0]).buffer)
    const inPlace = decodeTensor('f', 'FP32', [2, 2], raw)
    expect(Array.from(inPlace.data as Float32Array)).toEqual([0.5, -1, 7, 0])
    expect((inPlace.data as Float32Array).buffer).toBe(raw.buffer)
  })

  it('converts half floats exactly at the edges: subnormals, infinity, rounding to even', () => {
    expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001)
    expect(float16BitsToFloat32(0x0001)).toBe(2 ** -24)
    expect(float32ToFloat16Bits(70000)).toBe(0x7c00)
    expect(float32ToFloat16Bits(-Infinity)).toBe(0xfc00)
    expect(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(NaN)))).toBe(true)
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00)
    expect(float32ToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02)
    expect(float16BitsToFloat32(0x7bff)).toBe(65504)
  })
})
