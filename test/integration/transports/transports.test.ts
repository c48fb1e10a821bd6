import { existsSync, readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoEndpoint, type DemoEndpoint } from '../../../src/main/demo-endpoint/demo-server'
import { encodeToneText } from '../../../src/main/demo-endpoint/tone-text-codec'
import { decodeDetections, type DecodedOutputTensor } from '../../../src/main/sessions/yolo-decoder'
import { createTransport, type TransportChoice } from '../../../src/main/transport/create-transport'
import { KServeHttpClient } from '../../../src/main/transport/http/kserve-http-client'
import type { InferTransport } from '../../../src/main/transport/infer-channel'
import { sequenceParameters, type InferRequestSpec } from '../../../src/main/triton/infer-messages'
import { bytesToStrings, type DecodedTensor } from '../../../src/main/triton/tensor-codec'
import type { TritonApi } from '../../../src/main/triton/triton-api'
import { TritonClient } from '../../../src/main/triton/triton-client'

let demo: DemoEndpoint
const apis: TritonApi[] = []

beforeAll(async () => {
  demo = await startDemoEndpoint({ port: 0, httpPort: 0, metricsPort: null })
})

afterAll(async () => {
  for (const a of apis) a.close()
  await demo.close()
})

function grpcApi(): TritonApi {
  const api = new TritonClient({ url: demo.url, timeoutMs: 5000 })
  apis.push(api)
  return api
}

function httpApi(tensorFormat: 'binary' | 'json' | 'auto' = 'auto'): TritonApi {
  const api = new KServeHttpClient(
    { url: demo.httpUrl as string, timeoutMs: 5000 },
    { tensorFormat },
  )
  apis.push(api)
  return api
}

interface Route {
  name: string
  api: () => TritonApi
  choice: TransportChoice
}

const ROUTES: Route[] = [
  { name: 'gRPC stream', api: grpcApi, choice: { mode: 'stream' } },
  { name: 'gRPC unary', api: grpcApi, choice: { mode: 'unary' } },
  { name: 'HTTP binary', api: () => httpApi('binary'), choice: {} },
  { name: 'HTTP JSON', api: () => httpApi('json'), choice: {} },
  { name: 'gRPC stream + shm', api: grpcApi, choice: { mode: 'stream', sharedMemory: 'system' } },
  { name: 'gRPC unary + shm', api: grpcApi, choice: { mode: 'unary', sharedMemory: 'system' } },
  { name: 'HTTP + shm', api: () => httpApi('binary'), choice: { sharedMemory: 'system' } },
]

const WHISPER_PREFIX = '<|startoftranscript|><|en|><|transcribe|><|notimestamps|>'

function windowSpec(samples: Float32Array): InferRequestSpec {
  return {
    model: 'tone-transcriber-offline',
    inputs: [
      { name: 'TEXT_PREFIX', datatype: 'BYTES', shape: [1, 1], data: [WHISPER_PREFIX] },
      { name: 'WAV', datatype: 'FP32', shape: [1, samples.length], data: samples },
      {
        name: 'WAV_LENS',
        datatype: 'INT32',
        shape: [1, 1],
        data: new Int32Array([samples.length]),
      },
    ],
  }
}

/** A 640x640 letterboxed frame (grey 114) with a red and a cyan box, CHW in [0, 1]. */
export function frameSpec(model: string): InferRequestSpec {
  const size = 640
  const plane = size * size
  const chw = new Float32Array(3 * plane).fill(114 / 255)
  const box = (x: number, y: number, w: number, h: number, rgb: number[]): void => {
    for (let yy = y; yy < y + h; yy++)
      for (let xx = x; xx < x + w; xx++)
        for (let c = 0; c < 3; c++) chw[c * plane + yy * size + xx] = rgb[c]
  }
  box(40, 60, 120, 80, [1, 0, 0])
  box(300, 320, 64, 200, [0, 1, 1])
  return {
    model,
    inputs: [{ name: 'images', datatype: 'FP32', shape: [1, 3, size, size], data: chw }],
  }
}

async function once(transport: InferTransport, spec: InferRequestSpec) {
  const channel = transport.open()
  try {
    const answer = await channel.infer(spec, { deadlineMs: 5000 })
    expect(answer.responses).toHaveLength(1)
    return answer.responses[0].outputs
  } finally {
    await channel.end()
  }
}

function shmFiles(): string[] {
  return existsSync('/dev/shm')
    ? readdirSync('/dev/shm').filter((n) => n.includes(`_${process.pid}_`))
    : []
}

describe.each(ROUTES)('over $name', (route) => {
  it('gives the same transcript and the same boxes as every other transport', async () => {
    const transport = createTransport(route.api(), route.choice)
    try {
      const outputs = await once(transport, windowSpec(encodeToneText('same words every way')))
      expect(bytesToStrings(outputs.get('TRANSCRIPTS') as DecodedTensor)).toEqual([
        'same words every way',
      ])
      for (const model of ['color-box-detector-yolov8', 'color-box-detector-efficientnms']) {
        const frame = await once(transport, frameSpec(model))
        const form = model.endsWith('yolov8') ? 'yolov8-raw' : 'efficient-nms'
        const boxes = decodeDetections(form, frame as Map<string, DecodedOutputTensor>, {
          confThreshold: 0.25,
          iouThreshold: 0.45,
        })
        expect(boxes.map((b) => [b.classId, b.x1, b.y1, b.x2, b.y2])).toEqual([
          [0, 40, 60, 160, 140],
          [5, 300, 320, 364, 520],
        ])
      }
      if (route.choice.sharedMemory) {
        expect(transport.fallbackReason).toBeUndefined()
        expect(transport.label).toMatch(/\+ shm$/)
        const regions = Object.keys(await transport.api.systemSharedMemoryStatus())
        expect(regions.filter((n) => n.includes(`_${process.pid}_`))).toHaveLength(2)
      }
    } finally {
      await transport.close()
    }
    if (route.choice.sharedMemory) {
      expect(await transport.api.systemSharedMemoryStatus()).toEqual({})
      expect(shmFiles()).toEqual([])
    }
  })

  it('runs a sequence chunk by chunk with sequence_id, start and end', async () => {
    const transport = createTransport(route.api(), route.choice)
    const channel = transport.open()
    const audio = encodeToneText('chunk by chunk')
    const chunk = 10240
    let text = ''
    try {
      for (let at = 0; at < audio.length; at += chunk) {
        const piece = new Float32Array(chunk)
        piece.set(audio.subarray(at, at + chunk))
        const valid = Math.min(chunk, audio.length - at)
        const answer = await channel.infer({
          model: 'tone-transcriber-streaming',
          inputs: [
            { name: 'WAV', datatype: 'FP32', shape: [1, chunk], data: piece },
            { name: 'WAV_LENS', datatype: 'INT32', shape: [1, 1], data: new Int32Array([valid]) },
          ],
          parameters: sequenceParameters({
            id: 4242,
            start: at === 0,
            end: at + chunk >= audio.length,
          }),
        })
        text = bytesToStrings(answer.responses[0].outputs.get('TRANSCRIPTS') as DecodedTensor)[0]
      }
    } finally {
      await channel.end()
      await transport.close()
    }
    expect(text).toBe('chunk by chunk')
  })
})

describe('a decoupled model', () => {
  const splitRequest: InferRequestSpec = {
    model: 'word-splitter-decoupled',
    inputs: [{ name: 'TEXT', datatype: 'BYTES', shape: [1], data: ['one two three'] }],
  }

  it.each([
    ['HTTP', () => createTransport(httpApi(), {})],
    ['gRPC unary', () => createTransport(grpcApi(), { mode: 'unary' })],
  ])('over %s fails at once with a message that it needs a gRPC stream', async (_name, make) => {
    const transport = make()
    const channel = transport.open({ decoupled: true })
    const err = await channel.infer(splitRequest).catch((e: unknown) => e as Error)
    expect(err).toMatchObject({ kind: 'unsupported' })
    expect((err as Error).message).toMatch(/decoupled and answers only over a gRPC stream/)
    await transport.close()
  })

  it('over HTTP without being told is refused by the server with the same kind and a gRPC hint', async () => {
    const err = await httpApi()
      .infer(splitRequest)
      .catch((e: unknown) => e as Error)
    expect(err).toMatchObject({ kind: 'unsupported' })
    expect((err as unknown as { hint: string }).hint).toMatch(/grpc:\/\//)
  })

  it('over a gRPC stream answers word by word', async () => {
    const transport = createTransport(grpcApi(), { mode: 'stream' })
    const channel = transport.open({ decoupled: true })
    const answer = await channel.infer(splitRequest)
    const words = answer.responses.map(
      (r) => bytesToStrings(r.outputs.get('WORD') as DecodedTensor)[0],
    )
    expect(words).toEqual(['one', 'two', 'three'])
    await channel.end()
    await transport.close()
  })
})
