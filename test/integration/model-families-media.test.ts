import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DemoInferError } from '../../src/main/demo-endpoint/demo-inference'
import type { DemoModel } from '../../src/main/demo-endpoint/demo-models'
import type { DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'
import { encodeToneText } from '../../src/main/demo-endpoint/tone-text-codec'
import { COCO_LABELS } from '../../src/main/models/labels'
import { streamFile } from '../fixtures/stream-file'
import { resolveModel } from '../../src/main/sessions/model-plan'
import { TritonClient } from '../../src/main/triton/triton-client'
import type { DetectionFrameEvent } from '../../src/shared/results'
import { whisperRepository, type RequestLog } from '../fixtures/families/asr-families'
import { encodeWav16 } from '../../src/main/media/wav-file'
import { planImageTensor } from '../../src/main/media/frame-to-tensor'
import { wasmFillable } from '../../src/main/media/wasm-frame-fill'
import { frameConverter } from '../../src/main/media/frame-converter'
import { startFamilyServer } from '../fixtures/families/family-server'
import {
  efficientNmsRepository,
  nhwcDetectorRepository,
  yoloOnnxRepository,
  yoloOnnxStaticRepository,
  yoloTensorrtEndToEndRepository,
} from '../fixtures/families/vision-families'
import { runCli, type CliRun } from '../fixtures/built-app'

const root = join(__dirname, '../..')
/** The first half second of the sample video (5 frames), so four detector runs stay quick. */
let boxesVideo: string
const FRAMES = 5
const truth = JSON.parse(readFileSync(join(root, 'resources/samples/boxes.json'), 'utf8')) as {
  frames: Array<{
    frame: number
    boxes: Array<{
      label: string
      classId: number
      x: number
      y: number
      width: number
      height: number
    }>
  }>
}

let dir: string
let server: DemoEndpoint | undefined
let client: TritonClient | undefined

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-families-'))
  boxesVideo = join(dir, 'boxes-5.mp4')
  const sample = join(root, 'resources/samples/boxes.mp4')
  const ffmpeg = process.env.FFMPEG_BIN ?? 'ffmpeg'
  execFileSync(ffmpeg, [
    '-nostdin',
    '-loglevel',
    'error',
    '-i',
    sample,
    '-frames:v',
    String(FRAMES),
    '-c',
    'copy',
    boxesVideo,
  ])
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))
afterEach(async () => {
  client?.close()
  await server?.close()
  server = client = undefined
})

async function serve(models: DemoModel[]): Promise<TritonClient> {
  server = await startFamilyServer(models)
  client = new TritonClient({ url: server.url })
  return client
}

const cli = (args: string[]): Promise<CliRun> => runCli(args)

/** Streams boxes.mp4 through `model` and checks every frame against boxes.json. */
async function expectSampleBoxes(
  c: TritonClient,
  model: string,
  labelOf: (classId: number) => string,
) {
  const { profile } = await resolveModel(c, model)
  const { results } = await streamFile(c, profile, boxesVideo)
  const frames = results.filter((e): e is DetectionFrameEvent => e.kind === 'detections')
  expect(frames.map((f) => f.frame)).toEqual([0, 1, 2, 3, 4])
  for (const f of frames) {
    const expected = truth.frames[f.frame].boxes
    expect(f.boxes.map((b) => b.label).sort()).toEqual(
      expected.map((b) => labelOf(b.classId)).sort(),
    )
    for (const e of expected) {
      const got = f.boxes.find((b) => b.classId === e.classId)!
      expect(Math.abs(got.x - e.x)).toBeLessThanOrEqual(2)
      expect(Math.abs(got.y - e.y)).toBeLessThanOrEqual(2)
      expect(Math.abs(got.width - e.width)).toBeLessThanOrEqual(3)
      expect(Math.abs(got.height - e.height)).toBeLessThanOrEqual(3)
    }
  }
}

const paletteName = (id: number): string => ['red', 'green', 'blue'][id]

describe('detection and Whisper families served with their real config shapes', () => {
  it('takes an Ultralytics dynamic ONNX export\u2019s size and class names from its metadata', async () => {
    const c = await serve(yoloOnnxRepository())
    const { details, profile } = await resolveModel(c, 'yolo')
    expect(details.inputs[0]).toEqual({ name: 'images', datatype: 'FP32', shape: [-1, 3, -1, -1] })
    expect(details.preset?.summary).toBe(
      'Ultralytics YOLO (ONNX), 640×640, 80 classes from metadata, raw head [-1,84,-1], NMS here (conf 0.25, IoU 0.7)',
    )
    expect(profile.inputs[0].shape).toEqual([1, 3, 640, 640])
    expect(profile.decoder).toEqual({ form: 'yolov8-raw', confThreshold: 0.25, iouThreshold: 0.7 })
    await expectSampleBoxes(c, 'yolo', paletteName)
  })

  it('takes a static [1,84,8400] ONNX export without batching as it is', async () => {
    const c = await serve(yoloOnnxStaticRepository())
    const { details, profile } = await resolveModel(c, 'yolov8n')
    expect(details.preset?.summary).toBe(
      'Ultralytics YOLO (ONNX), 640×640, 80 classes from metadata, raw head [1,84,8400], NMS here (conf 0.25, IoU 0.7)',
    )
    expect(profile.inputs[0].shape).toEqual([1, 3, 640, 640])
    await expectSampleBoxes(c, 'yolov8n', paletteName)
  })

  it('knows an end-to-end [1,300,6] TensorRT engine needs no NMS', async () => {
    const c = await serve(yoloTensorrtEndToEndRepository())
    const { details } = await resolveModel(c, 'yolo26_trt')
    expect(details.preset).toMatchObject({
      id: 'ultralytics-yolo-tensorrt',
      summary:
        'Ultralytics YOLO (TensorRT), 640×640, 80 classes from metadata, end-to-end [-1,300,6], no NMS',
    })
    await expectSampleBoxes(c, 'yolo26_trt', paletteName)
  })

  it('reads the four EfficientNMS tensors and falls back to COCO names without metadata', async () => {
    const c = await serve(efficientNmsRepository())
    const { details } = await resolveModel(c, 'yolov7')
    expect(details.preset).toMatchObject({
      id: 'tensorrt-efficient-nms',
      summary:
        'TensorRT EfficientNMS, 4 tensors (num_dets, det_boxes, det_scores, det_classes), top 100, 640×640, COCO class names',
      settings: { topK: 100 },
    })
    await expectSampleBoxes(c, 'yolov7', (id) => COCO_LABELS[id])
  })

  it('sends raw RGB bytes to an NHWC UINT8 detector, unscaled', async () => {
    const c = await serve(nhwcDetectorRepository('detector_uint8', 'TYPE_UINT8'))
    const { details, profile } = await resolveModel(c, 'detector_uint8')
    expect(details.preset?.summary).toBe(
      'NHWC UINT8 detector, 640×640 RGB bytes as they are, efficient-nms outputs',
    )
    expect(profile.vision).toMatchObject({ layout: 'NHWC', datatype: 'UINT8', scale: 1 })
    expect(profile.inputs[0]).toMatchObject({ datatype: 'UINT8', shape: [1, 640, 640, 3] })
    await expectSampleBoxes(c, 'detector_uint8', (id) => COCO_LABELS[id])
  })

  it("fills an NHWC FP32 detector's frames with SIMD on this thread, and it finds every box", async () => {
    const c = await serve(nhwcDetectorRepository('detector_nhwc', 'TYPE_FP32'))
    const { profile } = await resolveModel(c, 'detector_nhwc')
    expect(profile.vision).toMatchObject({ layout: 'NHWC', datatype: 'FP32' })
    expect(profile.inputs[0]).toMatchObject({ datatype: 'FP32', shape: [1, 640, 640, 3] })
    const plan = planImageTensor(640, 640, {
      layout: 'NHWC',
      dtype: 'FP32',
      scale: profile.vision?.scale,
    })
    expect(wasmFillable(plan)).toBe(true)
    // Converted on this thread with SIMD, so the shared converter's worker fills none of them.
    const onWorker = frameConverter().workerFrames
    await expectSampleBoxes(c, 'detector_nhwc', (id) => COCO_LABELS[id])
    expect(frameConverter().workerFrames).toBe(onWorker)
  })

  it('streams to Whisper BLS from the CLI: the preset is printed, WAV_LENS sent, optional MAX_NEW_TOKENS left out', async () => {
    const log: RequestLog[] = []
    await serve(whisperRepository(log))
    const wav = join(dir, 'whisper.wav')
    writeFileSync(wav, encodeWav16(encodeToneText('whisper hears this'), 16000))
    const r = await cli(['stream', '--url', server!.url, '--model', 'infer_bls', '--file', wav])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toBe(
      'preset: TensorRT-LLM Whisper BLS, 30 s window re-decoded every 1 s, optional MAX_NEW_TOKENS not sent ' +
        '(k2-fsa/sherpa triton/whisper/model_repo_whisper_trtllm/infer_bls/config.pbtxt; ' +
        'NVIDIA/TensorRT-LLM triton_backend/all_models/whisper/whisper_bls/config.pbtxt)',
    )
    expect(lines.some((l) => /^\[00:00\.000 -> .*\] whisper hears this {2}\(/.test(l))).toBe(true)
    expect(log.length).toBeGreaterThan(0)
    expect(log.every((e) => e.inputs.sort().join() === 'TEXT_PREFIX,WAV,WAV_LENS')).toBe(true)
  })

  it('never sends Whisper more than its 30 s window: a long monologue is cut into windows', async () => {
    const log: RequestLog[] = []
    const c = await serve(whisperRepository(log))
    // About 34 s of speech without a pause: longer than one window, with nowhere to end it.
    const words = 'the quick brown fox jumps over the lazy dog '.repeat(8).trim()
    const wav = join(dir, 'monologue.wav')
    writeFileSync(wav, encodeWav16(encodeToneText(words), 16000))
    const { profile } = await resolveModel(c, 'infer_bls')
    const { results, summary } = await streamFile(c, profile, wav)
    expect(results.filter((e) => e.kind === 'request-error')).toEqual([])
    expect(summary.failures).toBe(0)
    const longest = Math.max(...log.map((e) => e.samples))
    expect(longest).toBe(30 * 16000)
    const finals = results.flatMap((e) => (e.kind === 'transcript' && e.final ? [e] : []))
    expect(finals).toHaveLength(2)
    expect(finals[0].endSec).toBe(30)
    expect(finals[1].startSec).toBe(30)
  })

  it('lists a repository under a header with each preset, and one line for a model it cannot read', async () => {
    const broken: DemoModel = {
      ...yoloOnnxRepository()[0],
      name: 'broken',
      config: undefined,
      get inputs(): never {
        throw new DemoInferError('INTERNAL', "failed to read the model files of 'broken'")
      },
    }
    await serve([...yoloOnnxRepository(), broken])
    const r = await cli(['models', '--url', server!.url])
    expect(r.code).toBe(0)
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^NAME\s+VERSION\s+STATE\s+KIND\s+PRESET$/),
      expect.stringMatching(
        /^yolo\s+1\s+READY\s+detection\/yolov8-raw\s+Ultralytics YOLO \(ONNX\), 640×640, 80 classes/,
      ),
      expect.stringMatching(
        /^broken\s+1\s+READY\s+-\s+error: ModelMetadata\(broken\) on .*failed to read the model files of 'broken'/,
      ),
    ])
  })
})
