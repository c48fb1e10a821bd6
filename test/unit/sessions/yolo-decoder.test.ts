import { describe, expect, it } from 'vitest'
import { computeLetterbox } from '../../../src/shared/letterbox'
import { makeLabeler } from '../../../src/main/models/labels'
import type { ScoredBox } from '../../../src/main/sessions/nms'
import {
  decodeDetections,
  decodeEfficientNms,
  decodeEndToEnd,
  decodeYoloV8Raw,
  detectOutputForm,
  toSourceBoxes,
  type DecodedOutputTensor,
} from '../../../src/main/sessions/yolo-decoder'

/** A channel-first raw head [batch, 4+C(+extra), N] filled with zeros. */
function rawHead(
  classes: number,
  anchors: number,
  opts: { extraRows?: number; batch?: number } = {},
) {
  const rows = 4 + classes + (opts.extraRows ?? 0)
  const batch = opts.batch ?? 1
  const data = new Float32Array(batch * rows * anchors)
  const tensor: DecodedOutputTensor = {
    name: 'output0',
    datatype: 'FP32',
    shape: [batch, rows, anchors],
    data,
  }
  const put = (
    anchor: number,
    [cx, cy, w, h]: [number, number, number, number],
    scores: Record<number, number>,
    b = 0,
  ): void => {
    const at = (row: number): number => (b * rows + row) * anchors + anchor
    data[at(0)] = cx
    data[at(1)] = cy
    data[at(2)] = w
    data[at(3)] = h
    for (const [c, s] of Object.entries(scores)) data[at(4 + Number(c))] = s
  }
  const putRow = (row: number, anchor: number, value: number): void => {
    data[row * anchors + anchor] = value
  }
  return { tensor, put, putRow }
}

const sb = (
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  score: number,
  classId: number,
): ScoredBox => ({
  x1,
  y1,
  x2,
  y2,
  score,
  classId,
})

describe('decodeYoloV8Raw', () => {
  it('keeps the best of two overlapping same-class candidates and a candidate of another class', () => {
    const { tensor, put } = rawHead(80, 8400)
    put(100, [320, 320, 100, 100], { 0: 0.875 })
    put(5000, [330, 320, 100, 100], { 0: 0.75 }) // IoU with anchor 100 = 9000 / 11000
    put(8399, [330, 320, 100, 100], { 0: 0.5, 2: 0.625 }) // best class is 2
    put(42, [10, 10, 4, 4], { 7: 0.25 }) // exactly at the threshold: dropped
    put(43, [50, 60, 20, 30], { 79: 0.5 }) // the last class row
    const out = decodeYoloV8Raw(tensor, { confThreshold: 0.25, iouThreshold: 0.45 })
    expect(out).toEqual([
      sb(270, 270, 370, 370, 0.875, 0),
      sb(280, 270, 380, 370, 0.625, 2),
      sb(40, 45, 60, 75, 0.5, 79),
    ])
  })

  it('keeps both overlapping candidates when their IoU is under the threshold', () => {
    const { tensor, put } = rawHead(80, 8400)
    put(1, [320, 320, 100, 100], { 0: 0.875 })
    put(2, [330, 320, 100, 100], { 0: 0.75 })
    const out = decodeYoloV8Raw(tensor, { confThreshold: 0.25, iouThreshold: 0.9 })
    expect(out.map((b) => b.score)).toEqual([0.875, 0.75])
  })

  it('picks the first class when two class scores tie, as argmax does', () => {
    const { tensor, put } = rawHead(3, 10)
    put(4, [5, 5, 2, 2], { 1: 0.5, 2: 0.5 })
    expect(decodeYoloV8Raw(tensor, { confThreshold: 0.1, iouThreshold: 0.5 })).toEqual([
      sb(4, 4, 6, 6, 0.5, 1),
    ])
  })

  it('returns at most maxDetections boxes, highest scores first', () => {
    const { tensor, put } = rawHead(2, 50)
    for (let a = 0; a < 10; a++) put(a, [a * 20 + 5, 5, 10, 10], { 0: (a + 1) / 16 })
    const out = decodeYoloV8Raw(tensor, { confThreshold: 0, iouThreshold: 0.5, maxDetections: 3 })
    expect(out.map((b) => b.score)).toEqual([10 / 16, 9 / 16, 8 / 16])
  })

  it('ignores rows after numClasses, such as segmentation mask coefficients', () => {
    const { tensor, put, putRow } = rawHead(2, 20, { extraRows: 3 })
    put(3, [10, 10, 4, 4], { 1: 0.5 })
    putRow(4 + 2, 7, 0.99) // a mask coefficient, not a class score
    const out = decodeYoloV8Raw(tensor, { confThreshold: 0.25, iouThreshold: 0.5, numClasses: 2 })
    expect(out).toEqual([sb(8, 8, 12, 12, 0.5, 1)])
  })

  it('reads the requested image of a batched output', () => {
    const { tensor, put } = rawHead(2, 20, { batch: 2 })
    put(0, [10, 10, 4, 4], { 0: 0.5 }, 0)
    put(1, [20, 20, 8, 8], { 1: 0.75 }, 1)
    expect(decodeYoloV8Raw(tensor, { confThreshold: 0.25, iouThreshold: 0.5 })).toEqual([
      sb(8, 8, 12, 12, 0.5, 0),
    ])
    expect(
      decodeYoloV8Raw(tensor, { confThreshold: 0.25, iouThreshold: 0.5, batchIndex: 1 }),
    ).toEqual([sb(16, 16, 24, 24, 0.75, 1)])
  })

  it('accepts the batch-less [4+C, N] layout', () => {
    const data = new Float32Array(6 * 10)
    data[0 * 10 + 2] = 50
    data[1 * 10 + 2] = 40
    data[2 * 10 + 2] = 10
    data[3 * 10 + 2] = 20
    data[5 * 10 + 2] = 0.5
    const t: DecodedOutputTensor = { name: 'output0', datatype: 'FP16', shape: [6, 10], data }
    expect(decodeYoloV8Raw(t, { confThreshold: 0.25, iouThreshold: 0.5 })).toEqual([
      sb(45, 30, 55, 50, 0.5, 1),
    ])
  })

  it('explains a transposed output by naming the tensor, the form, the shape and the fix', () => {
    const t: DecodedOutputTensor = {
      name: 'output0',
      datatype: 'FP32',
      shape: [1, 8400, 84],
      data: new Float32Array(8400 * 84),
    }
    expect(() => decodeYoloV8Raw(t, { confThreshold: 0.25, iouThreshold: 0.45 })).toThrow(
      /yolov8-raw.*'output0'.*\[1, 8400, 84\].*swapped.*decoder kind in the model profile/,
    )
  })

  it('rejects a shape that does not match the data length', () => {
    const t: DecodedOutputTensor = {
      name: 'output0',
      datatype: 'FP32',
      shape: [1, 84, 8400],
      data: new Float32Array(10),
    }
    expect(() => decodeYoloV8Raw(t, { confThreshold: 0.25, iouThreshold: 0.45 })).toThrow(
      /'output0' has shape \[1, 84, 8400\].*holds 10 values/,
    )
  })

  it('rejects integer data for a raw head', () => {
    const t: DecodedOutputTensor = {
      name: 'output0',
      datatype: 'INT32',
      shape: [1, 6, 10],
      data: new Int32Array(60),
    }
    expect(() => decodeYoloV8Raw(t, { confThreshold: 0.25, iouThreshold: 0.45 })).toThrow(
      /INT32 values, expected FP32 or FP16/,
    )
  })

  it('decodes a full [1, 84, 8400] head: one box per object, and copes with every anchor over the threshold', () => {
    const { tensor, put } = rawHead(80, 8400)
    // Background noise under the threshold everywhere, 60 objects with 8 candidates each.
    let seed = 7
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647
    const data = tensor.data as Float32Array
    for (let i = 4 * 8400; i < data.length; i++) data[i] = rand() * 0.05
    for (let o = 0; o < 60; o++) {
      for (let k = 0; k < 8; k++) {
        const anchor = o * 100 + k
        put(anchor, [(o % 10) * 64 + 32 + k, Math.floor(o / 10) * 64 + 32, 40, 40], {
          [o % 80]: 0.5 + rand() * 0.4,
        })
      }
    }
    const opts = { confThreshold: 0.25, iouThreshold: 0.45 }
    const out = decodeYoloV8Raw(tensor, opts)
    expect(out).toHaveLength(60)

    // Worst case: every anchor passes the threshold with a box on its grid cell (strides 8, 16
    // and 32, like the real head), so NMS sees 8400 overlapping candidates.
    let anchor = 0
    for (const stride of [8, 16, 32]) {
      const cells = 640 / stride
      for (let gy = 0; gy < cells; gy++) {
        for (let gx = 0; gx < cells; gx++, anchor++) {
          const size = stride * 4
          put(anchor, [(gx + 0.5) * stride, (gy + 0.5) * stride, size, size], {
            [anchor % 4]: 0.3 + rand() * 0.6,
          })
        }
      }
    }
    const dense = decodeYoloV8Raw(tensor, { confThreshold: 0.25, iouThreshold: 0.45 })
    // NMS keeps at most maxDetections of the 8400 candidates, every one of them finite.
    expect(dense.length).toBeGreaterThan(0)
    expect(dense.length).toBeLessThanOrEqual(300)
    for (const d of dense) expect(Number.isFinite(d.x1 + d.y1 + d.x2 + d.y2)).toBe(true)
  })
})

describe('decodeEndToEnd', () => {
  const e2e = (rows: number[][], cols = 6): DecodedOutputTensor => {
    const data = new Float32Array(rows.length * cols)
    rows.forEach((r, i) => data.set(r, i * cols))
    return { name: 'output0', datatype: 'FP32', shape: [1, rows.length, cols], data }
  }

  it('skips zero-padded rows even with a zero threshold and sorts by score', () => {
    const t = e2e([
      [10, 20, 110, 220, 0.5, 3],
      [0, 0, 0, 0, 0, 0],
      [5, 6, 7, 8, 0.75, 0],
      [0, 0, 0, 0, 0, 0],
    ])
    expect(decodeEndToEnd(t, { confThreshold: 0 })).toEqual([
      sb(5, 6, 7, 8, 0.75, 0),
      sb(10, 20, 110, 220, 0.5, 3),
    ])
  })

  it('drops rows whose score is not above the threshold', () => {
    const t = e2e([
      [1, 1, 2, 2, 0.25, 1],
      [1, 1, 2, 2, 0.5, 2],
    ])
    expect(decodeEndToEnd(t, { confThreshold: 0.25 })).toEqual([sb(1, 1, 2, 2, 0.5, 2)])
  })

  it('reads only the first six columns when extra columns follow (segmentation, pose)', () => {
    const row = [1, 2, 3, 4, 0.5, 7, ...Array.from({ length: 32 }, () => 9)]
    expect(decodeEndToEnd(e2e([row], 38), { confThreshold: 0.25 })).toEqual([
      sb(1, 2, 3, 4, 0.5, 7),
    ])
  })

  it('caps the result at maxDetections', () => {
    const t = e2e([
      [0, 0, 1, 1, 0.5, 0],
      [0, 0, 1, 1, 0.75, 0],
      [0, 0, 1, 1, 0.625, 0],
    ])
    expect(decodeEndToEnd(t, { confThreshold: 0, maxDetections: 2 }).map((b) => b.score)).toEqual([
      0.75, 0.625,
    ])
  })

  it('rejects a raw head passed as end-to-end, naming tensor, form and shape', () => {
    const t: DecodedOutputTensor = {
      name: 'output0',
      datatype: 'FP32',
      shape: [1, 84, 8400],
      data: new Float32Array(84 * 8400),
    }
    expect(() => decodeEndToEnd(t, { confThreshold: 0.25 })).toThrow(
      /end-to-end.*'output0'.*\[1, 84, 8400\].*decoder kind/,
    )
    const narrow: DecodedOutputTensor = { ...t, shape: [1, 300, 5], data: new Float32Array(1500) }
    expect(() => decodeEndToEnd(narrow, { confThreshold: 0.25 })).toThrow(/\[1, 300, 5\]/)
  })
})

function nmsTensors(opts: {
  names?: [string, string, string, string]
  count: DecodedOutputTensor['data']
  boxes: number[][]
  scores: number[]
  classes: DecodedOutputTensor['data']
  k: number
  batch?: number
}): Map<string, DecodedOutputTensor> {
  const [n, b, s, c] = opts.names ?? ['num_dets', 'det_boxes', 'det_scores', 'det_classes']
  const batch = opts.batch ?? 1
  const list: DecodedOutputTensor[] = [
    { name: n, datatype: 'INT32', shape: [batch, 1], data: opts.count },
    {
      name: b,
      datatype: 'FP32',
      shape: [batch, opts.k, 4],
      data: Float32Array.from(opts.boxes.flat()),
    },
    { name: s, datatype: 'FP32', shape: [batch, opts.k], data: Float32Array.from(opts.scores) },
    { name: c, datatype: 'INT32', shape: [batch, opts.k], data: opts.classes },
  ]
  return new Map(list.map((t) => [t.name, t]))
}

describe('decodeEfficientNms', () => {
  it('reads only the first num_dets entries and applies the threshold', () => {
    const tensors = nmsTensors({
      count: Int32Array.from([3]),
      boxes: [
        [10, 10, 20, 20],
        [30, 30, 40, 40],
        [50, 50, 60, 60],
        [70, 70, 80, 80], // beyond num_dets: garbage
        [0, 0, 0, 0],
      ],
      scores: [0.875, 0.125, 0.5, 0.99, 0],
      classes: Int32Array.from([1, 2, 3, 4, 0]),
      k: 5,
    })
    expect(decodeEfficientNms(tensors, { confThreshold: 0.25 })).toEqual([
      sb(10, 10, 20, 20, 0.875, 1),
      sb(50, 50, 60, 60, 0.5, 3),
    ])
  })

  it('accepts the plugin names, an INT64 count, float classes and a batch index', () => {
    const tensors = nmsTensors({
      names: ['num_detections', 'detection_boxes', 'detection_scores', 'detection_classes'],
      count: BigInt64Array.from([0n, 1n]),
      boxes: [
        [1, 1, 2, 2],
        [1, 1, 2, 2],
        [3, 4, 5, 6],
        [7, 8, 9, 10],
      ],
      scores: [0.9, 0.9, 0.75, 0.5],
      classes: Float32Array.from([0, 0, 5, 6]),
      k: 2,
      batch: 2,
    })
    expect(decodeEfficientNms(tensors, { confThreshold: 0.25 })).toEqual([])
    expect(decodeEfficientNms(tensors, { confThreshold: 0.25, batchIndex: 1 })).toEqual([
      sb(3, 4, 5, 6, 0.75, 5),
    ])
  })

  it('refuses a num_dets larger than the number of slots, naming the tensor and the value', () => {
    const tensors = nmsTensors({
      names: ['num_dets', 'bboxes', 'scores', 'labels'],
      count: Int32Array.from([99]),
      boxes: [[1, 2, 3, 4]],
      scores: [0.5],
      classes: Int32Array.from([2]),
      k: 1,
    })
    expect(() => decodeEfficientNms(tensors, { confThreshold: 0.25 })).toThrow(
      "the server's output 'num_dets' (efficient-nms) says 99 detections, but 'bboxes' holds 1",
    )
  })

  it('names the missing tensor and the outputs it did receive', () => {
    const tensors = nmsTensors({
      count: Int32Array.from([1]),
      boxes: [[1, 2, 3, 4]],
      scores: [0.5],
      classes: Int32Array.from([2]),
      k: 1,
    })
    tensors.delete('num_dets')
    expect(() => decodeEfficientNms(tensors, { confThreshold: 0.25 })).toThrow(
      /efficient-nms.*count tensor.*num_dets.*det_boxes \[1, 1, 4\].*decoder kind/,
    )
  })

  it('rejects boxes that are not four numbers wide', () => {
    const tensors = nmsTensors({
      count: Int32Array.from([1]),
      boxes: [[1, 2, 3]],
      scores: [0.5],
      classes: Int32Array.from([2]),
      k: 1,
    })
    const boxes = tensors.get('det_boxes')
    if (boxes) boxes.shape = [1, 1, 3]
    expect(() => decodeEfficientNms(tensors, { confThreshold: 0.25 })).toThrow(
      /efficient-nms.*'det_boxes' has shape \[1, 1, 3\], expected \[B, K, 4\]/,
    )
  })
})

describe('detectOutputForm', () => {
  const out = (name: string, shape: number[], datatype = 'FP32') => ({ name, datatype, shape })

  it('recognises a dynamic raw YOLOv8 head from ModelMetadata', () => {
    expect(detectOutputForm([out('output0', [-1, 84, -1])])).toBe('yolov8-raw')
    expect(detectOutputForm([out('output0', [1, 84, 8400])])).toBe('yolov8-raw')
    // ModelConfig dims of a batched model leave the batch out.
    expect(detectOutputForm([out('output0', [84, 8400])])).toBe('yolov8-raw')
  })

  it('recognises end-to-end heads, including segmentation with prototypes', () => {
    expect(detectOutputForm([out('output0', [1, 300, 6])])).toBe('end-to-end')
    expect(detectOutputForm([out('output0', [-1, 300, 6])])).toBe('end-to-end')
    expect(detectOutputForm([out('output0', [1, 300, 57])])).toBe('end-to-end')
    expect(
      detectOutputForm([out('output0', [1, 300, 38]), out('output1', [1, 32, 160, 160])]),
    ).toBe('end-to-end')
  })

  it('recognises the four EfficientNMS tensors with and without batch dims', () => {
    expect(
      detectOutputForm([
        out('num_dets', [-1, 1], 'INT32'),
        out('det_boxes', [-1, 100, 4]),
        out('det_scores', [-1, 100]),
        out('det_classes', [-1, 100], 'INT32'),
      ]),
    ).toBe('efficient-nms')
    expect(
      detectOutputForm([
        out('det_classes', [100], 'INT32'),
        out('det_scores', [100], 'FP16'),
        out('num_dets', [1], 'INT32'),
        out('det_boxes', [100, 4], 'FP16'),
      ]),
    ).toBe('efficient-nms')
  })

  it('recognises the plugin names and the bboxes/labels variant', () => {
    expect(
      detectOutputForm([
        out('detection_scores', [-1, 100]),
        out('num_detections', [-1, 1], 'INT32'),
        out('detection_classes', [-1, 100], 'INT32'),
        out('detection_boxes', [-1, 100, 4]),
      ]),
    ).toBe('efficient-nms')
    expect(
      detectOutputForm([
        out('num_dets', [-1, 1], 'INT64'),
        out('bboxes', [-1, 100, 4]),
        out('scores', [-1, 100]),
        out('labels', [-1, 100], 'INT64'),
      ]),
    ).toBe('efficient-nms')
  })

  it('falls back to shapes and datatypes when the names say nothing', () => {
    expect(
      detectOutputForm([
        out('output0', [-1, 1], 'INT32'),
        out('output1', [-1, 100, 4]),
        out('output2', [-1, 100]),
        out('output3', [-1, 100], 'INT32'),
      ]),
    ).toBe('efficient-nms')
  })

  it('returns undefined for layouts it cannot be sure of', () => {
    expect(detectOutputForm([])).toBeUndefined()
    // YOLOv5 has objectness; its decoding differs.
    expect(detectOutputForm([out('output0', [1, 25200, 85])])).toBeUndefined()
    // Oriented boxes (xywh, score, class, angle) are not corner boxes.
    expect(detectOutputForm([out('output0', [1, 300, 7])])).toBeUndefined()
    // A raw segmentation head mixes class rows and mask coefficients.
    expect(
      detectOutputForm([out('output0', [1, 116, 8400]), out('output1', [1, 32, 160, 160])]),
    ).toBeUndefined()
    expect(detectOutputForm([out('output0', [-1, -1, -1])])).toBeUndefined()
    expect(detectOutputForm([out('logits', [1, 1000])])).toBeUndefined()
    expect(
      detectOutputForm([
        out('a', [1, 10], 'FP32'),
        out('b', [1, 10], 'FP32'),
        out('c', [1, 10], 'FP32'),
        out('d', [1, 10], 'FP32'),
      ]),
    ).toBeUndefined()
  })
})

describe('decodeDetections', () => {
  it('finds the raw head by shape, whatever it is called', () => {
    const { tensor, put } = rawHead(2, 20)
    put(3, [10, 10, 4, 4], { 1: 0.5 })
    const tensors = new Map([['detections', { ...tensor, name: 'detections' }]])
    expect(decodeDetections('yolov8-raw', tensors, { confThreshold: 0.25 })).toEqual([
      sb(8, 8, 12, 12, 0.5, 1),
    ])
  })

  it('skips the prototype tensor of an end-to-end segmentation model', () => {
    const det = new Float32Array(2 * 38)
    det.set([1, 2, 3, 4, 0.5, 7])
    const tensors = new Map<string, DecodedOutputTensor>([
      [
        'output1',
        { name: 'output1', datatype: 'FP32', shape: [1, 32, 4, 4], data: new Float32Array(512) },
      ],
      ['output0', { name: 'output0', datatype: 'FP32', shape: [1, 2, 38], data: det }],
    ])
    expect(decodeDetections('end-to-end', tensors, { confThreshold: 0.25 })).toEqual([
      sb(1, 2, 3, 4, 0.5, 7),
    ])
  })

  it('dispatches the four-tensor form', () => {
    const tensors = nmsTensors({
      count: Int32Array.from([1]),
      boxes: [[1, 2, 3, 4]],
      scores: [0.5],
      classes: Int32Array.from([2]),
      k: 1,
    })
    expect(decodeDetections('efficient-nms', tensors, { confThreshold: 0.25 })).toEqual([
      sb(1, 2, 3, 4, 0.5, 2),
    ])
  })

  it('says which outputs it got when none can hold detections', () => {
    const tensors = new Map<string, DecodedOutputTensor>([
      ['probs', { name: 'probs', datatype: 'FP32', shape: [1000], data: new Float32Array(1000) }],
    ])
    expect(() => decodeDetections('yolov8-raw', tensors, { confThreshold: 0.25 })).toThrow(
      /yolov8-raw.*probs \[1000\].*decoder kind/,
    )
  })
})

describe('toSourceBoxes', () => {
  const lb = computeLetterbox(1280, 720, 640, 640)
  const labelOf = makeLabeler(undefined)

  it('maps model pixels to source pixels as top-left and size, with labels', () => {
    expect(toSourceBoxes([sb(100, 190, 300, 290, 0.875, 0)], lb, labelOf)).toEqual([
      { x: 200, y: 100, width: 400, height: 200, score: 0.875, classId: 0, label: 'person' },
    ])
  })

  it('rounds coordinates to 0.1 px, keeping x + width on the rounded right edge', () => {
    const [b] = toSourceBoxes([sb(100.123, 190.26, 300.004, 290.04, 0.5, 2)], lb, labelOf)
    expect(b).toEqual({
      x: 200.2,
      y: 100.5,
      width: 399.8,
      height: 199.6,
      score: 0.5,
      classId: 2,
      label: 'car',
    })
  })

  it('drops boxes that lie entirely in the letterbox padding and clips partial ones', () => {
    const out = toSourceBoxes(
      [sb(10, 0, 50, 130, 0.5, 0), sb(-5, 100, 20, 160, 0.5, 1)],
      lb,
      labelOf,
    )
    expect(out).toEqual([
      { x: 0, y: 0, width: 40, height: 40, score: 0.5, classId: 1, label: 'bicycle' },
    ])
  })
})
