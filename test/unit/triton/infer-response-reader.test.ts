import { describe, expect, it } from 'vitest'
import { MessageWriter } from '../../../scripts/bench/proto-wire'
import type { ModelInferResponse } from '../../../src/main/triton/generated/inference/ModelInferResponse'
import {
  readInferResponse,
  readStreamInferResponse,
} from '../../../src/main/triton/infer-response-reader'
import { loadTritonProto } from '../../../src/main/triton/proto-loader'
import { firstRawOutputOffset } from '../../../src/main/triton/stream-response-layout'
import { mulberry32 } from '../../fixtures/spoken-audio'

const service = loadTritonProto().inference.GRPCInferenceService.service
const stream = service.ModelStreamInfer
const unary = service.ModelInfer

const I64 = 1
const START_GROUP = 3
const END_GROUP = 4
const I32 = 5

/** Every field of a response, each kind of parameter and of typed contents, at their edges. */
const everything: ModelInferResponse = {
  model_name: 'whisper_bls',
  model_version: '3',
  id: 'c7-12',
  parameters: {
    triton_final_response: { bool_param: true },
    sequence_id: { int64_param: '-9223372036854775808' },
    big: { uint64_param: '18446744073709551615' },
    two53: { int64_param: '9007199254740993' },
    server_ns: { int64_param: 52341 },
    note: { string_param: 'größer 😀' },
    scale: { double_param: -0.1 },
    off: { bool_param: false },
  },
  outputs: [
    {
      name: 'TRANSCRIPTS',
      datatype: 'BYTES',
      shape: [1, '-1', '4294967296'],
      parameters: { binary_data_size: { int64_param: 9 } },
    },
    {
      name: 'typed',
      datatype: 'FP32',
      shape: [2],
      contents: {
        bool_contents: [true, false, true],
        int_contents: [-1, 2147483647, -2147483648, 0],
        int64_contents: ['-1', '9223372036854775807', '4294967296'],
        uint_contents: [4294967295, 0, 128],
        uint64_contents: ['18446744073709551615', '1'],
        fp32_contents: [1.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 3.4e38],
        fp64_contents: [Math.PI, -1e-300, Number.NEGATIVE_INFINITY],
        bytes_contents: [Buffer.from('ab'), Buffer.alloc(0), Buffer.from([0, 255])],
      },
    },
  ],
  raw_output_contents: [Buffer.from([5, 0, 0, 0, 104, 101, 108, 108, 111]), Buffer.alloc(0)],
}

/** What proto-loader gives for the same bytes: the objects every caller was written against. */
const theirsStream = (b: Buffer) => stream.responseDeserialize(b)
const theirsUnary = (b: Buffer) => unary.responseDeserialize(b)

function streamBytes(m: ModelInferResponse, error = ''): Buffer {
  return stream.responseSerialize({ error_message: error, infer_response: m })
}

/** A stream answer with `inner` as its ModelInferResponse's bytes. */
function wrap(inner: MessageWriter): Buffer {
  return new MessageWriter().message(2, inner).finish()
}

function f32(v: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeFloatLE(v)
  return b
}

describe('infer response reader', () => {
  it('reads a stream answer with every field and value kind into the object proto-loader gives', () => {
    const bytes = streamBytes(everything, 'one request failed: é')
    const ours = readStreamInferResponse(bytes)
    expect(ours).toStrictEqual(theirsStream(bytes))
    // Keys in the same order too, so logs and --json print what they printed before.
    expect(JSON.stringify(ours)).toBe(JSON.stringify(theirsStream(bytes)))
    // The edges, spelled out, so the comparison cannot pass by both being wrong alike.
    const r = ours.infer_response
    expect(r?.parameters.sequence_id).toStrictEqual({
      int64_param: '-9223372036854775808',
      parameter_choice: 'int64_param',
    })
    expect(r?.parameters.big.uint64_param).toBe('18446744073709551615')
    expect(r?.parameters.two53.int64_param).toBe('9007199254740993')
    expect(r?.outputs[0].shape).toStrictEqual(['1', '-1', '4294967296'])
    expect(r?.outputs[1].contents?.int_contents).toStrictEqual([-1, 2147483647, -2147483648, 0])
    expect(r?.outputs[1].contents?.fp32_contents[4]).toBe(Math.fround(3.4e38))
    expect(ours.error_message).toBe('one request failed: é')
  })

  it('reads a unary answer as proto-loader does, and an empty one as all defaults', () => {
    const bytes = unary.responseSerialize(everything)
    expect(readInferResponse(bytes)).toStrictEqual(theirsUnary(bytes))
    expect(readInferResponse(Buffer.alloc(0))).toStrictEqual(theirsUnary(Buffer.alloc(0)))
    expect(readStreamInferResponse(Buffer.alloc(0))).toStrictEqual({
      error_message: '',
      infer_response: null,
    })
  })

  it('leaves raw contents in the message, so a placed tensor is read in place', () => {
    const tensor = Buffer.alloc(4096, 7)
    const bytes = streamBytes({ id: 'x', raw_output_contents: [tensor] })
    const raw = readStreamInferResponse(bytes).infer_response?.raw_output_contents[0]
    expect(raw?.buffer).toBe(bytes.buffer)
    expect(raw?.byteOffset).toBe(bytes.byteOffset + (firstRawOutputOffset(bytes) ?? -1))
    expect(raw?.equals(tensor)).toBe(true)
    // An empty one is a buffer of its own, as protobufjs makes it: it keeps no message alive.
    const empty = streamBytes({ raw_output_contents: [Buffer.alloc(0)] })
    const none = readStreamInferResponse(empty).infer_response?.raw_output_contents[0]
    expect(none?.length).toBe(0)
    expect(none?.buffer).not.toBe(empty.buffer)
  })

  it('reads encodings protobufjs does not write but a server may: unpacked, repeated, unknown fields', () => {
    const param = new MessageWriter().varint(2, 7)
    const inner = new MessageWriter()
      .string(3, 'first id')
      // An unknown field of every wire type, a nested group among them.
      .varint(90, 12345)
      .tag(91, I64)
      .raw(Buffer.alloc(8, 1))
      .string(92, 'skipped')
      .tag(93, START_GROUP)
      .varint(1, 1)
      .tag(2, START_GROUP)
      .tag(2, END_GROUP)
      .tag(93, END_GROUP)
      .tag(94, I32)
      .raw(Buffer.alloc(4, 2))
      .message(
        5,
        new MessageWriter()
          .string(1, 'out')
          // Shape dims one field each, then a packed run: both add to the same list.
          .varint(3, 1)
          .varint(3, 2)
          .packed(3, [3, 300])
          .message(
            5,
            new MessageWriter()
              .tag(6, I32)
              .raw(f32(0.5))
              .bytes(6, Buffer.concat([f32(1), f32(2)]))
              .varint(1, 1)
              .varint(4, 9),
          ),
      )
      .string(3, 'last id wins')
      .message(4, new MessageWriter().string(1, 'p').message(2, param))
      // The same parameter again: the later value replaces it.
      .message(4, new MessageWriter().message(2, new MessageWriter().string(3, 's')).string(1, 'p'))
      // Two members of the oneof, the later field first: protobufjs keeps both, names the later.
      .message(
        4,
        new MessageWriter()
          .string(1, 'two')
          .message(2, new MessageWriter().string(3, 'x').varint(1, 1)),
      )
    const bytes = wrap(inner)
    const ours = readStreamInferResponse(bytes)
    expect(ours).toStrictEqual(theirsStream(bytes))
    expect(ours.infer_response?.id).toBe('last id wins')
    expect(ours.infer_response?.outputs[0].shape).toStrictEqual(['1', '2', '3', '300'])
    expect(ours.infer_response?.outputs[0].contents?.fp32_contents).toStrictEqual([0.5, 1, 2])
    expect(ours.infer_response?.parameters.two).toStrictEqual({
      string_param: 'x',
      bool_param: true,
      parameter_choice: 'string_param',
    })
    expect(ours.infer_response?.parameters.p).toStrictEqual({
      string_param: 's',
      parameter_choice: 'string_param',
    })
  })

  it('keeps a parameter named __proto__ as an entry, as protobufjs does, and the prototype as it was', () => {
    const bytes = wrap(
      new MessageWriter().message(
        4,
        new MessageWriter()
          .string(1, '__proto__')
          .message(2, new MessageWriter().string(3, 'polluted')),
      ),
    )
    const params = readStreamInferResponse(bytes).infer_response?.parameters ?? {}
    expect(params).toStrictEqual(theirsStream(bytes).infer_response?.parameters)
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype)
    expect(Object.keys(params)).toStrictEqual(['__proto__'])
    expect(({} as Record<string, unknown>).string_param).toBeUndefined()
  })

  it('refuses malformed bytes with an error that says what and where', () => {
    const cases: [string, Buffer, RegExp][] = [
      ['a cut length', Buffer.from([0x12, 0x05, 0x1a, 0x01]), /runs past its message at byte 1/],
      ['field number 0', Buffer.from([0x02, 0x00]), /field number 0 at byte 0/],
      ['a known field of the wrong wire type', Buffer.from([0x10, 0x01]), /wire type 0 where 2/],
      ['an 11-byte varint', Buffer.from([0x50, ...Array(10).fill(0xff), 0x01]), /past 10 bytes/],
      ['wire type 7', Buffer.from([0x57]), /wire type 7 is not protobuf's/],
      ['a cut varint', Buffer.from([0x50, 0x80]), /varint is cut off at byte 2/],
      [
        'a parameter without a value',
        wrap(new MessageWriter().message(4, new MessageWriter().string(1, 'k'))),
        /parameter 'k' has no value/,
      ],
      [
        'a float run not a multiple of 4',
        wrap(
          new MessageWriter().message(
            5,
            new MessageWriter().message(5, new MessageWriter().bytes(6, Buffer.alloc(6))),
          ),
        ),
        /float is cut off/,
      ],
      [
        'groups nested 101 deep',
        Buffer.from([...Array(101).fill(0x53), ...Array(101).fill(0x54)]),
        /groups nest too deep/,
      ],
    ]
    // Unknown groups nested 100 deep are still read (skipped); protobufjs, counting the
    // message's own depth apart, reads one level more, which no real server sends.
    const deepest = Buffer.from([...Array(100).fill(0x53), ...Array(100).fill(0x54)])
    expect(readStreamInferResponse(deepest)).toStrictEqual(theirsStream(deepest))
    for (const [what, bytes, message] of cases) {
      expect(() => readStreamInferResponse(bytes), what).toThrow(RangeError)
      expect(() => readStreamInferResponse(bytes), what).toThrow(message)
    }
  })

  it('reads every prefix of an answer as protobufjs does, or refuses it', () => {
    const bytes = streamBytes(everything)
    let read = 0
    for (let n = 0; n <= bytes.length; n++) {
      const prefix = bytes.subarray(0, n)
      let ours: unknown
      try {
        ours = readStreamInferResponse(prefix)
      } catch (e) {
        expect(e).toBeInstanceOf(RangeError)
        continue
      }
      read++
      expect(ours).toStrictEqual(theirsStream(prefix))
    }
    // Fields end after the empty prefix, after the empty error_message protobufjs writes first
    // (2 bytes) and after the whole message; nowhere else.
    expect(bytes.subarray(0, 2)).toStrictEqual(Buffer.from([0x0a, 0x00]))
    expect(read).toBe(3)
  })

  it('agrees with protobufjs on 2,000 seeded random answers, and on their mutations wherever both read them', () => {
    const random = mulberry32(0x5eed)
    const int = (n: number) => Math.floor(random() * n)
    const text = () =>
      ['', 'a', 'output0', 'é', 'TRANSCRIPTS', 'x'.repeat(70), String(int(1e9))][int(7)]
    const long = () =>
      [String(int(1000)), String(-int(1e6)), '9223372036854775807', String(2 ** 40 + int(99))][
        int(4)
      ]
    const parameter = () =>
      [
        { bool_param: random() < 0.5 },
        { int64_param: long() },
        { string_param: text() },
        { double_param: random() * 1e6 - 5e5 },
        { uint64_param: ['0', '18446744073709551615', String(int(1e12))][int(3)] },
      ][int(5)]
    const parameters = () =>
      Object.fromEntries(Array.from({ length: int(3) }, (_, i) => [`p${i}${text()}`, parameter()]))
    const answer = (): ModelInferResponse => ({
      model_name: text(),
      model_version: text(),
      id: text(),
      parameters: parameters(),
      outputs: Array.from({ length: int(3) }, () => ({
        name: text(),
        datatype: ['FP32', 'BYTES', 'INT64'][int(3)],
        shape: Array.from({ length: int(4) }, long),
        parameters: parameters(),
        contents:
          random() < 0.3
            ? {
                // Not negative: protobufjs skips the 6th to 10th bytes of such a varint blind,
                // so a mutation inside one reads differently there (and right here).
                int_contents: [int(100)],
                int64_contents: [long()],
                fp32_contents: [random()],
                bytes_contents: [Buffer.from(text())],
              }
            : undefined,
      })),
      raw_output_contents: Array.from({ length: int(3) }, () => Buffer.alloc(int(40), int(256))),
    })
    let placed = 0
    let bothRead = 0
    let weRefused = 0
    for (let k = 0; k < 2000; k++) {
      const bytes = streamBytes(answer(), random() < 0.1 ? text() : '')
      const read = readStreamInferResponse(bytes)
      expect(read).toStrictEqual(theirsStream(bytes))
      expect(JSON.stringify(read)).toBe(JSON.stringify(theirsStream(bytes)))
      // The placement that reads only an answer's first bytes finds the same first tensor.
      const raws = read.infer_response?.raw_output_contents ?? []
      if (raws.length === 0) expect(firstRawOutputOffset(bytes)).toBeUndefined()
      else if (raws[0].length > 0) {
        expect(firstRawOutputOffset(bytes)).toBe(raws[0].byteOffset - bytes.byteOffset)
        placed++
      }
      const mutated = Buffer.from(bytes)
      if (mutated.length === 0) continue
      mutated[int(mutated.length)] = int(256)
      let ours: unknown
      try {
        ours = readStreamInferResponse(mutated)
      } catch (e) {
        expect(e).toBeInstanceOf(RangeError)
        weRefused++
        continue
      }
      // protobufjs refuses some varints it should read (it skips a 32-bit varint's 6th to 10th
      // bytes blind); where it reads the message, it must agree.
      let theirs: unknown
      try {
        theirs = theirsStream(mutated)
      } catch {
        continue
      }
      bothRead++
      expect(ours).toStrictEqual(theirs)
    }
    // Both outcomes happen, so neither branch above is idle.
    expect(placed).toBeGreaterThan(500)
    expect(bothRead).toBeGreaterThan(500)
    expect(weRefused).toBeGreaterThan(50)
  })
})
