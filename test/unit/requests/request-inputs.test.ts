import { describe, expect, it } from 'vitest'
import {
  buildInputTensors,
  type DeclaredInput,
  type InputDraft,
} from '../../../src/main/requests/request-inputs'
import { toUserError } from '../../../src/main/app/user-error'
import { encodeTensor } from '../../../src/main/triton/tensor-codec'
import { TritonError } from '../../../src/main/triton/triton-error'

const json = (name: string, text: string, extra: Partial<InputDraft> = {}): InputDraft => ({
  name,
  value: { kind: 'json', text },
  ...extra,
})

const one = (declared: DeclaredInput, draft: InputDraft) =>
  buildInputTensors('m', [declared], [draft])[0]

/** A .npy file as numpy.save writes it (version 1.0, header padded to 64 bytes). */
function npy(descr: string, shape: number[], data: Uint8Array): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ')
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n'
  const out = new Uint8Array(10 + header.length + data.length)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8])
  out.set(Buffer.from(header, 'latin1'), 10)
  out.set(data, 10 + header.length)
  return out
}

describe('request inputs from what a person types', () => {
  it('fills the whole shape with a scalar, each -1 becoming 1', () => {
    const t = one({ name: 'x', datatype: 'FP32', shape: [-1, 2, 3] }, json('x', '0.5'))
    expect(t.shape).toEqual([1, 2, 3])
    expect([...(t.data as Float32Array)]).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
  })

  it('keeps the dims of a nested array and adds the batch dim it is one short of', () => {
    const declared = { name: 'x', datatype: 'INT32', shape: [-1, -1, 2] }
    expect(one(declared, json('x', '[[[1, 2], [3, 4], [5, 6]]]')).shape).toEqual([1, 3, 2])
    const t = one(declared, json('x', '[[1, 2], [3, 4]]'))
    expect(t.shape).toEqual([1, 2, 2])
    expect([...(t.data as Int32Array)]).toEqual([1, 2, 3, 4])
  })

  it('lays a flat array over the shape, the last -1 taking what the fixed dims leave', () => {
    expect(
      one({ name: 'x', datatype: 'FP32', shape: [-1, 3] }, json('x', '[1,2,3,4,5,6]')).shape,
    ).toEqual([2, 3])
    expect(
      one({ name: 'x', datatype: 'FP32', shape: [-1, -1] }, json('x', '[1,2,3]')).shape,
    ).toEqual([1, 3])
    expect(
      one({ name: 'x', datatype: 'FP32', shape: [2, 2] }, json('x', '[1,2,3,4]')).shape,
    ).toEqual([2, 2])
  })

  it('takes an explicit shape over the metadata, and says when the value fits neither', () => {
    const declared = { name: 'x', datatype: 'FP32', shape: [-1, 4] }
    expect(one(declared, json('x', '[1,2,3,4,5,6]', { shape: [2, 3] })).shape).toEqual([2, 3])
    expect(() => one(declared, json('x', '[1,2,3]'))).toThrow(
      "input 'x' takes FP32 [-1, 4]; the value's 3 elements (dims [3]) fit no such shape",
    )
  })

  it('sends text that is not JSON to a BYTES input as one element, and refuses it for numbers', () => {
    const t = one({ name: 'TEXT', datatype: 'BYTES', shape: [1] }, json('TEXT', 'hello world'))
    expect(t.data).toEqual(['hello world'])
    expect(
      one({ name: 'T', datatype: 'BYTES', shape: [-1] }, json('T', '["a", "b"]')).data,
    ).toEqual(['a', 'b'])
    expect(() => one({ name: 'x', datatype: 'FP32', shape: [1] }, json('x', 'abc'))).toThrow(
      "the value of input 'x' is not JSON",
    )
  })

  it('sends anything but a JSON array to a BYTES input as one element, exactly as typed', () => {
    const declared = { name: 'REQUEST', datatype: 'BYTES', shape: [1] }
    expect(one(declared, json('REQUEST', '{"prompt":"hi"}')).data).toEqual(['{"prompt":"hi"}'])
    expect(one(declared, json('REQUEST', 'null')).data).toEqual(['null'])
    expect(one(declared, json('REQUEST', '"quoted"')).data).toEqual(['"quoted"'])
    // One element fills a fixed shape, as any scalar does.
    expect(
      one({ name: 'R', datatype: 'BYTES', shape: [2] }, json('R', '{"a": [1, 2]}')).data,
    ).toEqual(['{"a": [1, 2]}', '{"a": [1, 2]}'])
    // An array is still read as JSON: strings and numbers, one element each.
    const list = one({ name: 'T', datatype: 'BYTES', shape: [-1] }, json('T', '["a", "b c", 3]'))
    expect(list.shape).toEqual([3])
    expect(list.data).toEqual(['a', 'b c', '3'])
    // Other datatypes still read a JSON scalar as a number.
    expect(() => one({ name: 'x', datatype: 'FP32', shape: [1] }, json('x', 'null'))).toThrow(
      "element 0 of input 'x' is null, but FP32 needs numbers",
    )
  })

  it('lists the model inputs when a name is wrong, and names a missing required one', () => {
    const declared: DeclaredInput[] = [
      { name: 'TEXT', datatype: 'BYTES', shape: [1] },
      { name: 'MAX', datatype: 'INT32', shape: [1], optional: true },
    ]
    expect(() => buildInputTensors('splitter', declared, [json('TXT', 'a')])).toThrow(
      "'splitter' has no input 'TXT'; its inputs are TEXT (BYTES [1]), MAX (INT32 [1])",
    )
    expect(() => buildInputTensors('splitter', declared, [json('MAX', '3')])).toThrow(
      "'splitter' needs a value for TEXT (BYTES [1]) too",
    )
    expect(buildInputTensors('splitter', declared, [json('TEXT', 'a')]).map((t) => t.name)).toEqual(
      ['TEXT'],
    )
  })

  it('checks every element against the datatype, naming its position', () => {
    expect(() => one({ name: 'x', datatype: 'INT8', shape: [-1] }, json('x', '[1, 200]'))).toThrow(
      "element 1 of input 'x' is 200, but INT8 needs whole numbers from -128 to 127",
    )
    expect(() => one({ name: 'x', datatype: 'FP32', shape: [-1] }, json('x', '[[1], 2]'))).toThrow(
      'mixes arrays and scalars',
    )
    expect(() =>
      one({ name: 'x', datatype: 'FP32', shape: [-1, -1] }, json('x', '[[1, 2], [3]]')),
    ).toThrow('not rectangular')
    const big = one(
      { name: 'x', datatype: 'INT64', shape: [-1] },
      json('x', '["9007199254740993", 5]'),
    )
    expect([...(big.data as BigInt64Array)]).toEqual([9007199254740993n, 5n])
  })

  it('reads a raw file as the tensor contents and a .npy file with its own shape', () => {
    const raw = new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer)
    const declared = { name: 'x', datatype: 'FP32', shape: [-1, 3] }
    const fromRaw = one(declared, {
      name: 'x',
      value: { kind: 'bytes', bytes: raw, source: 'a.bin' },
    })
    expect(fromRaw.shape).toEqual([2, 3])
    expect(encodeTensor(fromRaw)).toEqual(Buffer.from(raw))
    const fromNpy = one(
      { name: 'x', datatype: 'FP32', shape: [-1, -1] },
      { name: 'x', value: { kind: 'bytes', bytes: npy('<f4', [3, 2], raw), source: 'a.npy' } },
    )
    expect(fromNpy.shape).toEqual([3, 2])
    expect(encodeTensor(fromNpy)).toEqual(Buffer.from(raw))
    expect(() =>
      one(declared, {
        name: 'x',
        value: { kind: 'bytes', bytes: raw.subarray(0, 7), source: 'a.bin' },
      }),
    ).toThrow('a.bin has 7 bytes, not a whole number of FP32 elements (4 bytes each)')
    expect(() =>
      one(declared, {
        name: 'x',
        value: { kind: 'bytes', bytes: npy('<f8', [6], new Uint8Array(48)), source: 'b.npy' },
      }),
    ).toThrow("b.npy holds FP64 but input 'x' takes FP32")
  })

  it('sends a whole file to a BYTES input as one element', () => {
    const bytes = new Uint8Array([0, 255, 1])
    const t = one(
      { name: 'blob', datatype: 'BYTES', shape: [1] },
      { name: 'blob', value: { kind: 'bytes', bytes, source: 'f' } },
    )
    expect(t.data).toEqual([bytes])
  })
})

describe('request input bounds', () => {
  it('refuses text that would fill a shape beyond what an input may take, before allocating it', () => {
    expect(() =>
      one({ name: 'T', datatype: 'BYTES', shape: [2 ** 24] }, json('T', 'x'.repeat(60))),
    ).toThrow("input 'T' would be 1073741824 bytes, more than the 268435456 an input may take")
  })

  it('bounds a BYTES file copied over a shape by the same limit as text', () => {
    // Each copy travels as a 4-byte length and the file: 256 copies of 1 MiB - 4 bytes is the limit.
    const file = (shape: number[]): InputDraft => ({
      name: 'blob',
      value: { kind: 'bytes', bytes: new Uint8Array(2 ** 20 - 4), source: 'f.bin' },
      shape,
    })
    const declared = { name: 'blob', datatype: 'BYTES', shape: [-1] }
    expect(one(declared, file([256])).shape).toEqual([256])
    let refused: unknown
    try {
      one(declared, file([257]))
    } catch (e) {
      refused = e
    }
    expect(refused).toBeInstanceOf(TritonError)
    expect(toUserError(refused)).toEqual({
      kind: 'invalid-argument',
      message: "input 'blob' would be 269484032 bytes, more than the 268435456 an input may take",
      hint: 'send a shorter value, or a smaller shape',
    })
  })

  it('names what is wrong with a .npy file and what to do, as a usage error', () => {
    const raw = new Uint8Array(new Float32Array([1, 2]).buffer)
    const fortran = npy('<f4', [2], raw)
    const header = Buffer.from(fortran)
      .toString('latin1')
      .replace("'fortran_order': False", "'fortran_order': True ")
    const declared = { name: 'x', datatype: 'FP32', shape: [-1] }
    const errorOf = (bytes: Uint8Array): unknown => {
      try {
        one(declared, { name: 'x', value: { kind: 'bytes', bytes, source: 'a.npy' } })
      } catch (e) {
        return e
      }
    }
    expect(toUserError(errorOf(Buffer.from(header, 'latin1')))).toEqual({
      kind: 'invalid-argument',
      message: 'a.npy is in Fortran order',
      hint: 'save np.ascontiguousarray(arr) instead',
    })
    expect(toUserError(errorOf(npy('>f4', [2], raw)))).toEqual({
      kind: 'invalid-argument',
      message: "a.npy holds NumPy dtype '>f4', which is not a little-endian number or bool",
      hint: "save it with arr.astype('<f4') or similar",
    })
    expect(toUserError(errorOf(fortran.subarray(0, 20)))).toEqual({
      kind: 'invalid-argument',
      message: 'a.npy: the .npy header is cut short',
      hint: 'save the array again with numpy.save',
    })
  })

  it('refuses a value nested deeper than a tensor can be', () => {
    const deep = '['.repeat(17) + '1' + ']'.repeat(17)
    expect(() => one({ name: 'x', datatype: 'FP32', shape: [-1] }, json('x', deep))).toThrow(
      'nested deeper than 16 levels',
    )
  })
})
