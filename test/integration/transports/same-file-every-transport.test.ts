import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DetectionFrameEvent, TranscriptEvent } from '../../../src/shared/results'
import type { ModelProfile } from '../../../src/shared/model-profile'
import { startDemoEndpoint, type DemoEndpoint } from '../../../src/main/demo-endpoint/demo-server'
import { resolveModel } from '../../../src/main/sessions/model-plan'
import type { TransportChoice } from '../../../src/main/transport/create-transport'
import { KServeHttpClient } from '../../../src/main/transport/http/kserve-http-client'
import type { TritonApi } from '../../../src/main/triton/triton-api'
import { TritonClient } from '../../../src/main/triton/triton-client'
import { streamFile, type StreamFileOptions } from '../../fixtures/stream-file'

const SAMPLES = join(__dirname, '../../../resources/samples')
const WAV = join(SAMPLES, 'tone-text.wav')
const MP4 = join(SAMPLES, 'boxes.mp4')
/** Every 8th frame of the 10 fps sample: 5 frames of 640x640 per run. */
const FPS = 1.25

let demo: DemoEndpoint
const apis: TritonApi[] = []

beforeAll(async () => {
  demo = await startDemoEndpoint({ port: 0, httpPort: 0, metricsPort: null })
})

afterAll(async () => {
  for (const a of apis) a.close()
  await demo.close()
})

function grpc(): TritonApi {
  const api = new TritonClient({ url: demo.url })
  apis.push(api)
  return api
}

function http(tensorFormat: 'binary' | 'json', url = demo.httpUrl as string): TritonApi {
  const api = new KServeHttpClient({ url }, { tensorFormat })
  apis.push(api)
  return api
}

interface Route {
  name: string
  api: () => TritonApi
  transport: TransportChoice
  /** Frames per second of media sent; JSON tensors cost about 25x, so that route sends one. */
  fps: number
  /** JSON carries the small end-to-end answer [1,300,6] rather than YOLOv8's raw 2.8 MB. */
  detector?: string
}

const ROUTES: Route[] = [
  { name: 'gRPC unary', api: grpc, transport: { mode: 'unary' }, fps: FPS },
  { name: 'HTTP binary', api: () => http('binary'), transport: {}, fps: FPS },
  {
    name: 'HTTP JSON',
    api: () => http('json'),
    transport: {},
    fps: 0.25,
    detector: 'color-box-detector-e2e',
  },
  { name: 'gRPC stream + shm', api: grpc, transport: { sharedMemory: 'system' }, fps: FPS },
]

async function profileOf(model: string): Promise<ModelProfile> {
  return (await resolveModel(grpc(), model)).profile
}

/** The final transcript lines, and every frame's boxes, of one file each. */
async function streamBoth(
  api: TritonApi,
  options: StreamFileOptions & { maxFps: number },
  detector = 'color-box-detector-yolov8',
) {
  const asr = await streamFile(api, await profileOf('tone-transcriber-streaming'), WAV, 'fast', {
    transport: options.transport,
  })
  const det = await streamFile(api, await profileOf(detector), MP4, 'fast', options)
  const finals = asr.results
    .filter((e): e is TranscriptEvent => e.kind === 'transcript' && e.final)
    .map(({ text, startSec, endSec }) => ({ text, startSec, endSec }))
  const frames = det.results.filter((e): e is DetectionFrameEvent => e.kind === 'detections')
  return { finals, frames, summaries: [asr.summary, det.summary] }
}

describe('the same file over every transport', () => {
  /** gRPC stream runs, one per frame rate: what every other transport must give exactly. */
  const references = new Map<string, Promise<Awaited<ReturnType<typeof streamBoth>>>>()
  const reference = (fps: number, detector?: string) => {
    const key = `${fps} ${detector}`
    let r = references.get(key)
    if (!r) {
      r = streamBoth(grpc(), { transport: { mode: 'stream' }, maxFps: fps }, detector)
      references.set(key, r)
    }
    return r
  }

  it('over the gRPC stream transcribes the sample and finds boxes in every frame', async () => {
    const r = await reference(FPS)
    expect(r.finals.map((f) => f.text)).toEqual([
      'hello from triton live. the quick brown fox jumps over the lazy dog.',
    ])
    expect(r.frames).toHaveLength(5)
    expect(r.frames.every((f) => f.boxes.length > 0)).toBe(true)
  })

  it.each(ROUTES)(
    'over $name gives the transcript and the boxes of the gRPC stream, frame by frame in order',
    async (route) => {
      const run = await streamBoth(
        route.api(),
        { transport: route.transport, maxFps: route.fps },
        route.detector,
      )
      const expected = await reference(route.fps, route.detector)
      expect(run.finals).toEqual(expected.finals)
      expect(run.frames.length).toBe(route.fps === FPS ? 5 : 1)
      const boxes = (frames: DetectionFrameEvent[]) =>
        frames.map(({ frame, timeSec, boxes }) => ({ frame, timeSec, boxes }))
      // Exact: the same labels, scores and corners, in frame order whatever order answers came.
      expect(boxes(run.frames)).toEqual(boxes(expected.frames))
      for (const s of run.summaries) {
        expect(s.failures).toBe(0)
        expect(s.unmatched).toBe(0)
      }
    },
  )
})

/**
 * A KServe HTTP proxy in front of the demo that holds every other answer back, so answers
 * overtake each other the way they may on a busy server with several requests in flight.
 */
async function overtakingProxy(target: string): Promise<{
  url: string
  /** Arrival numbers of the requests, in the order their answers went out. */
  answered: number[]
  close(): Promise<void>
}> {
  let arrivals = 0
  const answered: number[] = []
  const server: Server = createServer((req, res) => {
    const n = arrivals++
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      void (async () => {
        const headers = { ...req.headers }
        delete headers.host
        const upstream = await request(`${target}${req.url}`, {
          method: req.method as 'GET' | 'POST',
          headers,
          body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
        })
        const body = Buffer.from(await upstream.body.arrayBuffer())
        if (req.url?.endsWith('/infer') && n % 2 === 0) await new Promise((r) => setTimeout(r, 300))
        if (req.url?.endsWith('/infer')) answered.push(n)
        const out: Record<string, string> = {}
        for (const [k, v] of Object.entries(upstream.headers))
          if (typeof v === 'string' && k !== 'content-length' && k !== 'transfer-encoding')
            out[k] = v
        res.writeHead(upstream.statusCode, out)
        res.end(body)
      })()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answered,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

describe('detections of a file over requests that overtake each other', () => {
  let proxy: Awaited<ReturnType<typeof overtakingProxy>>

  beforeAll(async () => {
    proxy = await overtakingProxy(demo.httpUrl as string)
  })

  afterAll(async () => {
    await proxy.close()
  })

  it('come out in frame order, as the CLI prints them and exports read them', async () => {
    const det = await streamFile(
      http('binary', proxy.url),
      await profileOf('color-box-detector-yolov8'),
      MP4,
      'fast',
      { maxFps: FPS },
    )
    const frames = det.results.filter((e): e is DetectionFrameEvent => e.kind === 'detections')
    expect(frames).toHaveLength(5)
    const order = frames.map((f) => f.frame)
    expect(order).toEqual([...order].sort((a, b) => a - b))
    // The answers really did come back out of order.
    const inferAnswers = [...proxy.answered]
    expect(inferAnswers).not.toEqual([...inferAnswers].sort((a, b) => a - b))
    expect(det.summary.failures).toBe(0)
  })
})
