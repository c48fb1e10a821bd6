import { describe, expect, it } from 'vitest'
import { describeModel } from '../../../src/main/models/model-introspection'
import { modelProfileSchema } from '../../../src/shared/model-profile'
import { audioInputs, frameInputs } from '../../../src/main/sessions/request-builder'
import type { ModelConfig, ModelMetadata } from '../../../src/main/triton/triton-client'

type T = [name: string, datatype: string, shape: number[]]

function meta(name: string, inputs: T[], outputs: T[], platform = 'ensemble'): ModelMetadata {
  const t = ([n, d, s]: T) => ({ name: n, datatype: d, shape: s.map(String) })
  return { name, versions: ['1'], platform, inputs: inputs.map(t), outputs: outputs.map(t) }
}

function config(parts: Partial<ModelConfig>): ModelConfig {
  return {
    input: [],
    output: [],
    parameters: {},
    max_batch_size: 0,
    ...parts,
  } as unknown as ModelConfig
}

describe('describeModel', () => {
  it('recognises a sherpa-style streaming transcriber from sequence batching and WAV/WAV_LENS', () => {
    const d = describeModel(
      meta(
        'transducer',
        [
          ['WAV', 'FP16', [-1, -1]],
          ['WAV_LENS', 'INT32', [-1, 1]],
        ],
        [['TRANSCRIPTS', 'BYTES', [-1, 1]]],
      ),
      config({ max_batch_size: 512, scheduling_choice: 'sequence_batching' }),
    )
    expect(d.kind).toBe('streaming-asr')
    expect(d.profile?.inputs.map((i) => [i.name, i.source])).toEqual([
      ['WAV', 'audio'],
      ['WAV_LENS', 'audio-length'],
    ])
    expect(d.profile?.audio).toMatchObject({ sampleRate: 16000, chunkSamples: 10240 })
    expect(d.profile?.sequence?.stateful).toBe(true)
  })

  it('treats an ensemble whose step has a sequence batcher as streaming, with string ids when CORRID is a string', () => {
    const step = config({
      name: 'scorer',
      scheduling_choice: 'sequence_batching',
      sequence_batching: {
        control_input: [
          {
            name: 'CORRID',
            control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_STRING' }],
          },
        ],
      },
    } as unknown as Partial<ModelConfig>)
    const d = describeModel(
      meta(
        'transducer',
        [
          ['WAV', 'FP32', [-1, -1]],
          ['WAV_LENS', 'INT32', [-1, 1]],
        ],
        [['TRANSCRIPTS', 'BYTES', [-1, 1]]],
      ),
      config({
        platform: 'ensemble',
        max_batch_size: 512,
        scheduling_choice: 'ensemble_scheduling',
      }),
      undefined,
      [step],
    )
    expect(d.sequenceBatching).toBe(true)
    expect(d.kind).toBe('streaming-asr')
    expect(d.profile?.sequence).toEqual({ stateful: true, idType: 'string' })
  })

  it('recognises a Whisper-style offline transcriber and fills TEXT_PREFIX', () => {
    const d = describeModel(
      meta(
        'whisper_bls',
        [
          ['TEXT_PREFIX', 'BYTES', [-1, 1]],
          ['WAV', 'FP32', [-1, -1]],
          ['WAV_LENS', 'INT32', [-1, 1]],
        ],
        [['TRANSCRIPTS', 'BYTES', [-1, 1]]],
      ),
      config({ max_batch_size: 8, scheduling_choice: 'dynamic_batching' }),
    )
    expect(d.kind).toBe('offline-asr')
    const prefix = d.profile?.inputs.find((i) => i.name === 'TEXT_PREFIX')
    expect(prefix?.source).toBe('text-prefix')
    expect(prefix?.value).toBe('<|startoftranscript|><|en|><|transcribe|><|notimestamps|>')
    expect(d.profile?.audio?.maxWindowSec).toBe(30)
  })

  it('recognises an Ultralytics YOLOv8 export and reads class names from its metadata parameter', () => {
    const d = describeModel(
      meta(
        'yolo',
        [['images', 'FP32', [-1, 3, 640, 640]]],
        [['output0', 'FP32', [-1, 84, -1]]],
        'onnxruntime_onnx',
      ),
      config({
        max_batch_size: 1,
        parameters: { metadata: { string_value: "{'names': {0: 'person', 1: 'bicycle'}}" } },
      }),
    )
    expect(d.kind).toBe('detection')
    expect(d.detectionForm).toBe('yolov8-raw')
    expect(d.labels).toEqual(['person', 'bicycle'])
    expect(d.profile?.inputs[0].shape).toEqual([1, 3, 640, 640])
    expect(d.profile?.vision).toMatchObject({
      width: 640,
      height: 640,
      layout: 'NCHW',
      datatype: 'FP32',
    })
  })

  it('recognises the EfficientNMS four-tensor form and an NHWC uint8 input', () => {
    const d = describeModel(
      meta(
        'yolov7',
        [['images', 'UINT8', [1, 480, 640, 3]]],
        [
          ['num_dets', 'INT32', [1, 1]],
          ['det_boxes', 'FP32', [1, 100, 4]],
          ['det_scores', 'FP32', [1, 100]],
          ['det_classes', 'INT32', [1, 100]],
        ],
        'tensorrt_plan',
      ),
      config({}),
    )
    expect(d.detectionForm).toBe('efficient-nms')
    expect(d.profile?.vision).toMatchObject({
      width: 640,
      height: 480,
      layout: 'NHWC',
      datatype: 'UINT8',
      scale: 1,
    })
  })

  it('points a model it cannot feed at single requests, with a template of its own inputs', () => {
    const d = describeModel(
      meta('mystery', [['INPUT0', 'INT32', [16]]], [['OUTPUT0', 'INT32', [16]]]),
      config({}),
    )
    expect(d.kind).toBe('generic')
    expect(d.profile).toBeUndefined()
    expect(d.profileProblem).toContain("cannot tell how to feed 'mystery'")
    expect(d.profileProblem).toContain('the Request view, or triton-live infer')
    expect(d.profileProblem).not.toContain('WAV')
    expect(d.profileTemplate).toEqual({
      model: 'mystery',
      kind: 'generic',
      inputs: [{ name: 'INPUT0', datatype: 'INT32', shape: [16], source: 'constant', value: 0 }],
      outputs: ['OUTPUT0'],
    })
    expect(d.profileProblem).toContain(JSON.stringify(d.profileTemplate, null, 2))
  })

  it('builds the template of a decoupled text model from its BYTES input, not a WAV example', () => {
    const d = describeModel(
      meta('splitter', [['TEXT', 'BYTES', [1]]], [['WORD', 'BYTES', [1]]]),
      config({ model_transaction_policy: { decoupled: true } } as Partial<ModelConfig>),
    )
    expect(d.profileTemplate).toEqual({
      model: 'splitter',
      kind: 'generic',
      inputs: [{ name: 'TEXT', datatype: 'BYTES', shape: [1], source: 'constant', value: '' }],
      outputs: ['WORD'],
      decoupled: true,
    })
  })

  it('maps an audio model input it cannot place to a constant and keeps the rest of the template valid', () => {
    const d = describeModel(
      meta(
        'asr-with-extra',
        [
          ['WAV', 'FP32', [-1]],
          ['SPEAKER', 'INT32', [1]],
        ],
        [['TEXT', 'BYTES', [1]]],
      ),
      config({}),
    )
    expect(d.profile).toBeUndefined()
    expect(d.profileProblem).toContain("input 'SPEAKER' (INT32 [1]) has no known source")
    expect(d.profileTemplate?.kind).toBe('offline-asr')
    expect(d.profileTemplate?.inputs.map((i) => [i.name, i.source])).toEqual([
      ['WAV', 'audio'],
      ['SPEAKER', 'constant'],
    ])
    expect(modelProfileSchema.safeParse(d.profileTemplate).success).toBe(true)
  })

  it('lets a saved profile override what the server says', () => {
    const saved = {
      model: 'mystery',
      kind: 'offline-asr' as const,
      inputs: [
        { name: 'INPUT0', datatype: 'FP32' as const, shape: [-1], source: 'audio' as const },
      ],
      audio: { sampleRate: 8000, chunkSamples: 800 },
    }
    const d = describeModel(
      meta('mystery', [['INPUT0', 'FP32', [-1]]], [['OUT', 'BYTES', [1]]]),
      config({}),
      saved,
    )
    expect(d.profileSaved).toBe(true)
    expect(d.profile).toBe(saved)
    expect(d.kind).toBe('offline-asr')
    expect(d.profileProblem).toBeUndefined()
  })

  it('prefers the config datatype when the metadata disagrees', () => {
    const d = describeModel(
      meta(
        'm',
        [
          ['WAV', 'FP32', [-1]],
          ['WAV_LENS', 'INT32', [1]],
        ],
        [['TRANSCRIPTS', 'BYTES', [1]]],
      ),
      config({ input: [{ name: 'WAV', data_type: 'TYPE_FP16' }] as ModelConfig['input'] }),
    )
    expect(d.inputs[0].datatype).toBe('FP16')
  })
})

describe('request builder', () => {
  const profile = describeModel(
    meta(
      'whisper',
      [
        ['TEXT_PREFIX', 'BYTES', [-1, 1]],
        ['WAV', 'FP32', [-1, -1]],
        ['WAV_LENS', 'INT64', [-1, 1]],
      ],
      [['TRANSCRIPTS', 'BYTES', [-1, 1]]],
    ),
    config({ max_batch_size: 4 }),
  ).profile!

  it('fills the batch dimension with 1 and the sample dimension with the chunk length', () => {
    const tensors = audioInputs(profile, new Float32Array(480), 300)
    expect(tensors.map((t) => [t.name, t.datatype, t.shape])).toEqual([
      ['TEXT_PREFIX', 'BYTES', [1, 1]],
      ['WAV', 'FP32', [1, 480]],
      ['WAV_LENS', 'INT64', [1, 1]],
    ])
    expect(Array.from(tensors[2].data as BigInt64Array)).toEqual([300n])
  })

  it('refuses a frame tensor of the wrong size with the shapes in the message', () => {
    const det = describeModel(
      meta('yolo', [['images', 'FP32', [-1, 3, 640, 640]]], [['output0', 'FP32', [-1, 84, 8400]]]),
      config({ max_batch_size: 1 }),
    ).profile!
    expect(() => frameInputs(det, new Float32Array(3 * 320 * 320))).toThrow(
      /shape \[1, 3, 640, 640\] \(1228800 values\) but the frame tensor has 307200/,
    )
  })
})
