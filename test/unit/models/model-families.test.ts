import { describe, expect, it } from 'vitest'
import {
  firstChunkSamples,
  icefallDecodeWindow,
  kaldiFrames,
} from '../../../src/main/models/families/feature-window'
import { requestedFirstChunk } from '../../../src/main/models/families/sherpa-streaming'
import { metadataImageSize } from '../../../src/main/models/families/ultralytics-yolo'
import { describeModel } from '../../../src/main/models/model-introspection'
import type { ModelConfig, ModelMetadata } from '../../../src/main/triton/triton-client'
import { presetLine } from '../../../src/shared/preset-line'
import { modelProfileSchema } from '../../../src/shared/model-profile'

type T = [name: string, datatype: string, shape: number[]]

function meta(name: string, inputs: T[], outputs: T[], platform = 'python'): ModelMetadata {
  const t = ([n, d, s]: T) => ({ name: n, datatype: d, shape: s.map(String) })
  return { name, versions: ['1'], platform, inputs: inputs.map(t), outputs: outputs.map(t) }
}

function config(parts: Record<string, unknown>): ModelConfig {
  return {
    input: [],
    output: [],
    parameters: {},
    max_batch_size: 0,
    ...parts,
  } as unknown as ModelConfig
}

const window = { sampleRate: 16000, frameLengthMs: 25, frameShiftMs: 10 }

describe('the streaming front end arithmetic', () => {
  it('counts whole 25 ms frames every 10 ms, as kaldifeat with snip_edges', () => {
    expect(kaldiFrames(399, window)).toBe(0)
    expect(kaldiFrames(400, window)).toBe(1)
    expect(kaldiFrames(10240, window)).toBe(62)
    expect(kaldiFrames(12320, window)).toBe(75)
  })

  it('grows the first chunk frame by frame until it fills the decoding window', () => {
    // sherpa, chunk 16, right context 0: window (16 + 2 + 0) * 4 + 3 = 75 frames.
    expect(icefallDecodeWindow(16, 0)).toBe(75)
    expect(firstChunkSamples({ ...window, chunkSamples: 10240, decodeWindow: 75 })).toBe(12320)
    // Right context 2 (stateless7 zipformer) and 4 (stateless3 conformer).
    expect(firstChunkSamples({ ...window, chunkSamples: 10240, decodeWindow: 83 })).toBe(13600)
    expect(firstChunkSamples({ ...window, chunkSamples: 10240, decodeWindow: 91 })).toBe(14880)
    // WeNet, chunk 16: window 15 * 4 + 7 = 67.
    expect(firstChunkSamples({ ...window, chunkSamples: 10240, decodeWindow: 67 })).toBe(11040)
  })

  it('agrees with the Triton-ASR-Client rule (window + 2 frames) x 10 ms', () => {
    for (const w of [67, 75, 83, 91]) {
      expect(firstChunkSamples({ ...window, chunkSamples: 10240, decodeWindow: w })).toBe(
        (w + 2) * 160,
      )
    }
  })

  it('keeps the chunk when it already fills the window', () => {
    expect(firstChunkSamples({ ...window, chunkSamples: 20000, decodeWindow: 75 })).toBe(20000)
  })
})

describe('learning the first chunk from the server\u2019s refusal', () => {
  const traceback =
    '\n\nAt:\n  /models/feature_extractor/1/model.py(46): add_wavs\n  /models/feature_extractor/1/model.py(205): execute\n'

  it('reads the size sherpa asks for, through the ensemble, the python backend, or bare', () => {
    for (const message of [
      `in ensemble 'transducer', Failed to process the request(s) for model instance 'feature_extractor_0_0', message: Exception: ('Invalid first chunk size', 10240, 12240)${traceback}`,
      `Failed to process the request(s) for model instance 'feature_extractor_0_1', message: Exception: ('Invalid first chunk size', 10240, 12240)`,
      `Failed to process the request(s) for model 'feature_extractor_0_0', message: Exception: ('Invalid first chunk size', 10240, 12240)`,
      `model 'transducer' rejected request 3: ('Invalid first chunk size', 10240, 12240)`,
    ]) {
      expect(requestedFirstChunk(message)).toBe(12240)
    }
  })

  it('finds nothing to learn in WeNet\u2019s form, which states only what it got, or in other errors', () => {
    expect(
      requestedFirstChunk(
        "in ensemble 'streaming_wenet', Failed to process the request(s) for model instance 'feature_extractor_0_0', message: Exception: ('Invalid first chunk size', 10240)",
      ),
    ).toBeUndefined()
    expect(requestedFirstChunk("unexpected shape for input 'WAV'")).toBeUndefined()
    // A "need" not above "got" cannot be what the server wants.
    expect(requestedFirstChunk("('Invalid first chunk size', 12320, 10240)")).toBeUndefined()
  })
})

describe('family presets in describeModel', () => {
  const yoloMeta = meta(
    'yolo',
    [['images', 'FP32', [-1, 3, -1, -1]]],
    [['output0', 'FP32', [-1, 84, -1]]],
    'onnxruntime_onnx',
  )

  it('reads imgsz from Ultralytics metadata in Python or JSON form', () => {
    expect(metadataImageSize("{'task': 'detect', 'imgsz': [320, 480], 'names': {0: 'a'}}")).toEqual(
      [320, 480],
    )
    expect(metadataImageSize('{"imgsz": [640, 640]}')).toEqual([640, 640])
    expect(metadataImageSize("{'imgsz': [0, 640]}")).toBeUndefined()
    expect(metadataImageSize("{'task': 'detect'}")).toBeUndefined()
  })

  it('sizes a dynamic Ultralytics export from its metadata imgsz', () => {
    const d = describeModel(
      yoloMeta,
      config({
        platform: 'onnxruntime_onnx',
        parameters: {
          metadata: { string_value: "{'imgsz': [320, 480], 'names': {0: 'cat', 1: 'dog'}}" },
        },
      }),
    )
    expect(d.profile?.vision).toMatchObject({ width: 480, height: 320, layout: 'NCHW' })
    expect(d.profile?.inputs[0].shape).toEqual([1, 3, 320, 480])
    expect(d.preset?.summary).toBe(
      'Ultralytics YOLO (ONNX), 480×320, 2 classes from metadata, raw head [-1,84,-1], NMS here (conf 0.25, IoU 0.7)',
    )
  })

  it('leaves optional inputs out unless a preset or profile feeds them', () => {
    const d = describeModel(
      meta(
        'asr_with_options',
        [
          ['WAV', 'FP32', [-1, -1]],
          ['WAV_LENS', 'INT32', [-1, 1]],
          ['TEMPERATURE', 'FP32', [-1, 1]],
        ],
        [['TRANSCRIPTS', 'BYTES', [-1, 1]]],
      ),
      config({ input: [{ name: 'TEMPERATURE', data_type: 'TYPE_FP32', optional: true }] }),
    )
    expect(d.profileProblem).toBeUndefined()
    expect(d.profile?.inputs.map((i) => i.name)).toEqual(['WAV', 'WAV_LENS'])
  })

  it('still names the preset when a saved profile overrides its numbers', () => {
    const saved = modelProfileSchema.parse({
      model: 'yolo',
      kind: 'detection',
      inputs: [
        { name: 'images', datatype: 'FP32', shape: [1, 3, 512, 512], source: 'video-frame' },
      ],
      vision: { width: 512, height: 512, layout: 'NCHW', datatype: 'FP32' },
      decoder: { form: 'yolov8-raw' },
    })
    const d = describeModel(yoloMeta, config({ platform: 'onnxruntime_onnx' }), saved)
    expect(d.profile?.vision?.width).toBe(512)
    expect(d.preset?.id).toBe('ultralytics-yolo-onnx')
    expect(presetLine(d)).toMatch(
      /^preset: Ultralytics YOLO \(ONNX\), 640×640, .*; your profile overrides it\)$/,
    )
  })

  it('bounds audio.firstChunkSamples in profiles', () => {
    const base = {
      model: 'm',
      kind: 'streaming-asr',
      inputs: [{ name: 'WAV', datatype: 'FP32', shape: [1, -1], source: 'audio' }],
    }
    const audio = (firstChunkSamples: number) => ({
      ...base,
      audio: { sampleRate: 16000, chunkSamples: 10240, firstChunkSamples },
    })
    expect(modelProfileSchema.safeParse(audio(12320)).success).toBe(true)
    expect(modelProfileSchema.safeParse(audio(100)).success).toBe(false)
    expect(modelProfileSchema.safeParse(audio(1e9)).success).toBe(false)
    expect(modelProfileSchema.safeParse(audio(12320.5)).success).toBe(false)
  })
})
