import { describe, expect, it } from 'vitest'
import { GrpcFramingError, GrpcMessageReader } from '../../../src/main/triton/grpc-message-reader'
import { loadTritonProto } from '../../../src/main/triton/proto-loader'
import { firstRawOutputOffset } from '../../../src/main/triton/stream-response-layout'

const method = loadTritonProto().inference.GRPCInferenceService.service.ModelStreamInfer

function framed(message: Buffer): Buffer {
  const prefix = Buffer.alloc(5)
  prefix.writeUInt32BE(message.length, 1)
  return Buffer.concat([prefix, message])
}

function readAll(
  chunks: Buffer[],
  maxBytes = 1 << 20,
  placeAt?: (h: Buffer) => number | undefined,
) {
  const got: Buffer[] = []
  const reader = new GrpcMessageReader({ maxBytes, onMessage: (m) => got.push(m), placeAt })
  for (const c of chunks) reader.push(c)
  return got
}

/** `bytes` cut at each of `cuts` (sorted offsets). */
function cut(bytes: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = []
  let at = 0
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.subarray(at, c))
    at = c
  }
  return out
}

describe('gRPC message reader', () => {
  const messages = [Buffer.from('first'), Buffer.alloc(0), Buffer.from('the third message, longer')]
  const wire = Buffer.concat(messages.map(framed))

  it('reads every message whichever two places the stream is cut at, prefixes included', () => {
    for (let a = 0; a <= wire.length; a++) {
      for (let b = a; b <= wire.length; b++) {
        const got = readAll(cut(wire, [a, b]))
        expect(got.map((m) => m.toString())).toEqual(messages.map((m) => m.toString()))
      }
    }
  })

  it('reads several messages from one chunk and one message from many one-byte chunks', () => {
    expect(readAll([wire]).map(String)).toEqual(messages.map(String))
    const bytes = [...wire].map((b) => Buffer.from([b]))
    expect(readAll(bytes).map(String)).toEqual(messages.map(String))
  })

  it('hands out a message that shares no memory with the chunks it came in', () => {
    const chunk = Buffer.from(wire)
    const [first] = readAll([chunk])
    chunk.fill(0)
    expect(first.toString()).toBe('first')
  })

  it('refuses a message over the maximum from its prefix, as grpc-js words it', () => {
    const big = framed(Buffer.alloc(101))
    const attempt = () => readAll([big.subarray(0, 5)], 100)
    expect(attempt).toThrow(GrpcFramingError)
    expect(attempt).toThrow('Received message larger than max (101 vs 100)')
    try {
      attempt()
    } catch (e) {
      expect((e as GrpcFramingError).code).toBe(8) // RESOURCE_EXHAUSTED
    }
    expect(readAll([framed(Buffer.alloc(100))], 100)[0]).toHaveLength(100)
  })

  it('refuses a compressed message: the client asked for identity only', () => {
    const compressed = framed(Buffer.from('zz'))
    compressed[0] = 1
    expect(() => readAll([compressed])).toThrow(/compressed message/)
  })

  it('puts the offset the layout names on an 8-byte boundary, whatever the chunks', () => {
    const message = Buffer.from('0123456789abcdefghij')
    for (const place of [0, 1, 3, 7, 13]) {
      for (const at of [1, 5, 6, 11, 25]) {
        const [m] = readAll(cut(framed(message), [at]), 1000, () => place)
        expect(m.toString()).toBe(message.toString())
        expect((m.byteOffset + place) % 8).toBe(0)
      }
    }
  })
})

describe('where the first output tensor starts in a ModelStreamInferResponse', () => {
  const response = (outputs: number, idLength: number, error = '') =>
    method.responseSerialize({
      error_message: error,
      infer_response: {
        model_name: 'yolo',
        model_version: '1',
        id: 'i'.repeat(idLength),
        parameters: {
          server_ns: { int64_param: 123456 },
          triton_final_response: { bool_param: true },
        },
        outputs: Array.from({ length: outputs }, (_, k) => ({
          name: `out${k}`,
          datatype: 'FP32',
          shape: [1, 84, 8400],
        })),
        raw_output_contents: Array.from({ length: outputs }, (_, k) =>
          Buffer.alloc(200 + k, 0xa0 + k),
        ),
      },
    })

  it('finds the bytes of raw_output_contents[0] through every field before them', () => {
    for (const idLength of [0, 1, 7, 130, 300]) {
      for (const outputs of [1, 2]) {
        const bytes = response(outputs, idLength, idLength === 7 ? 'a warning' : '')
        const decoded = method.responseDeserialize(bytes)
        const first = decoded.infer_response!.raw_output_contents[0]
        expect(firstRawOutputOffset(bytes)).toBe(first.byteOffset - bytes.byteOffset)
      }
    }
  })

  it('says it cannot tell when the head is cut short or there is no tensor', () => {
    const bytes = response(1, 20)
    const offset = firstRawOutputOffset(bytes) as number
    expect(firstRawOutputOffset(bytes.subarray(0, offset - 1))).toBeUndefined()
    expect(firstRawOutputOffset(bytes.subarray(0, offset))).toBe(offset)
    expect(firstRawOutputOffset(response(0, 3))).toBeUndefined()
    expect(
      firstRawOutputOffset(method.responseSerialize({ error_message: 'failed' })),
    ).toBeUndefined()
  })
})
