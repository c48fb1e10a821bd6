// The models of the bench's sink server and the payloads every client sends them: one place, so
// the server, the Node clients and the Python peer (which gets them as JSON) agree.
import type { ModelProfile } from '../../src/shared/model-profile'

export const FRAME_SIDE = 640
/** 1x3x640x640 FP32: 4,915,200 bytes. */
export const FRAME_VALUES = 3 * FRAME_SIDE * FRAME_SIDE
export const AUDIO_RATE = 16000
/** 100 ms at 16 kHz. */
export const AUDIO_CHUNK = 1600

export interface SinkTensor {
  name: string
  datatype: 'FP32' | 'INT32' | 'BYTES'
  shape: number[]
}

export interface SinkModel {
  name: string
  inputs: SinkTensor[]
  /** The one output, answered with the same bytes every time. */
  output: SinkTensor
}

/**
 * `frame-sink`: a frame in, an empty end-to-end detection [1,1,6] out (the transport alone).
 * `yolo-raw`: a frame in, a raw YOLOv8 head [1,84,8400] FP32 out (2.8 MB, a few boxes).
 * `audio-sink`: 100 ms of audio in, a one-word transcript out.
 */
export const SINK_MODELS: readonly SinkModel[] = [
  {
    name: 'frame-sink',
    inputs: [{ name: 'images', datatype: 'FP32', shape: [1, 3, FRAME_SIDE, FRAME_SIDE] }],
    output: { name: 'output0', datatype: 'FP32', shape: [1, 1, 6] },
  },
  {
    name: 'yolo-raw',
    inputs: [{ name: 'images', datatype: 'FP32', shape: [1, 3, FRAME_SIDE, FRAME_SIDE] }],
    output: { name: 'output0', datatype: 'FP32', shape: [1, 84, 8400] },
  },
  {
    name: 'audio-sink',
    inputs: [
      { name: 'WAV', datatype: 'FP32', shape: [1, AUDIO_CHUNK] },
      { name: 'WAV_LENS', datatype: 'INT32', shape: [1, 1] },
    ],
    output: { name: 'TRANSCRIPTS', datatype: 'BYTES', shape: [1] },
  },
]

export function sinkModel(name: string): SinkModel {
  const m = SINK_MODELS.find((x) => x.name === name)
  if (!m) throw new Error(`no sink model '${name}'`)
  return m
}

/** The bytes each model answers with. The YOLO head holds three boxes of classes 0, 5 and 9. */
export function answerBytes(model: SinkModel): Buffer {
  if (model.output.datatype === 'BYTES') {
    const word = Buffer.from('hello', 'utf8')
    const out = Buffer.alloc(4 + word.length)
    out.writeUInt32LE(word.length, 0)
    word.copy(out, 4)
    return out
  }
  const count = model.output.shape.reduce((a, b) => a * b, 1)
  const values = new Float32Array(count)
  if (model.name === 'yolo-raw') {
    const anchors = 8400
    const boxes = [
      { a: 100, cls: 0, cx: 120, cy: 140, w: 80, h: 60, score: 0.9 },
      { a: 4000, cls: 5, cx: 320, cy: 300, w: 120, h: 200, score: 0.8 },
      { a: 8000, cls: 9, cx: 500, cy: 520, w: 60, h: 40, score: 0.7 },
    ]
    // Low, uneven scores everywhere else, so the decoder reads every anchor as a real head makes it.
    for (let c = 0; c < 80; c++) {
      for (let a = 0; a < anchors; a++) values[(4 + c) * anchors + a] = ((a * 7 + c) % 100) / 1000
    }
    for (const b of boxes) {
      values[b.a] = b.cx
      values[anchors + b.a] = b.cy
      values[2 * anchors + b.a] = b.w
      values[3 * anchors + b.a] = b.h
      values[(4 + b.cls) * anchors + b.a] = b.score
    }
  }
  return Buffer.from(values.buffer)
}

/** The frame every client sends: the same values, so no client is cheaper for its content. */
export function benchFrame(): Float32Array {
  return new Float32Array(FRAME_VALUES).map((_, i) => (i % 255) / 255)
}

/** An RGB24 picture for the session paths, which convert it to the tensor themselves. */
export function benchRgb(): Uint8Array {
  return new Uint8Array(FRAME_SIDE * FRAME_SIDE * 3).map((_, i) => i % 255)
}

export function benchAudio(): Float32Array {
  return new Float32Array(AUDIO_CHUNK).map(
    (_, i) => 0.2 * Math.sin((2 * Math.PI * 440 * i) / AUDIO_RATE),
  )
}

export function detectionProfile(model: 'frame-sink' | 'yolo-raw'): ModelProfile {
  return {
    model,
    kind: 'detection',
    inputs: [
      {
        name: 'images',
        datatype: 'FP32',
        shape: [1, 3, FRAME_SIDE, FRAME_SIDE],
        source: 'video-frame',
      },
    ],
    vision: { width: FRAME_SIDE, height: FRAME_SIDE, layout: 'NCHW', datatype: 'FP32' },
    decoder: { form: model === 'yolo-raw' ? 'yolov8-raw' : 'end-to-end', confThreshold: 0.25 },
  }
}

export const AUDIO_PROFILE: ModelProfile = {
  model: 'audio-sink',
  kind: 'streaming-asr',
  inputs: [
    { name: 'WAV', datatype: 'FP32', shape: [1, -1], source: 'audio' },
    { name: 'WAV_LENS', datatype: 'INT32', shape: [1, 1], source: 'audio-length' },
  ],
  audio: { sampleRate: AUDIO_RATE, chunkSamples: AUDIO_CHUNK },
  sequence: { stateful: true },
}
