import { describe, expect, it } from 'vitest'
import { DecodeError } from '../../../src/main/triton/decode-error'
import {
  decodeEfficientNms,
  decodeEndToEnd,
  decodeYoloV8Raw,
  type DecodedOutputTensor,
} from '../../../src/main/sessions/yolo-decoder'

/** One end-to-end row [x1, y1, x2, y2, score, class] in a [1, 2, 6] tensor, the second row padding. */
function e2e(row: number[]): DecodedOutputTensor {
  return {
    name: 'output0',
    datatype: 'FP32',
    shape: [1, 2, 6],
    data: Float32Array.from([...row, 0, 0, 0, 0, 0, 0]),
  }
}

const bounds = { inputWidth: 640, inputHeight: 640 }

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError)
    return e as DecodeError
  }
  throw new Error('decoded without error')
}

describe('decoded detections are validated, and garbage is a decode error naming tensor and value', () => {
  const opts = { confThreshold: 0.25, bounds }

  it('refuses NaN and infinite corners', () => {
    expect(decodeError(() => decodeEndToEnd(e2e([NaN, 1, 2, 3, 0.9, 0]), opts)).message).toBe(
      "the server's output 'output0' (end-to-end) is not a usable detection: row 0 has x1 = NaN, outside -640..1280 for a 640x640 input",
    )
    expect(
      decodeError(() => decodeEndToEnd(e2e([1, 1, Infinity, 3, 0.9, 0]), opts)).message,
    ).toMatch(/x2 = Infinity/)
  })

  it('refuses corners far outside the input and corners the wrong way round', () => {
    expect(decodeError(() => decodeEndToEnd(e2e([1, 1, 1e9, 3, 0.9, 0]), opts)).message).toMatch(
      /x2 = 1000000000, outside -640\.\.1280/,
    )
    expect(decodeError(() => decodeEndToEnd(e2e([50, 50, 10, 60, 0.9, 0]), opts)).message).toMatch(
      /corners \(50, 50\) and \(10, 60\) the wrong way round/,
    )
  })

  it('refuses class ids of 1e30 and -5, and ids beyond the label list', () => {
    expect(decodeError(() => decodeEndToEnd(e2e([1, 1, 2, 2, 0.9, 1e30]), opts)).message).toMatch(
      /class id 1\.0000000150474662e\+30, not 0\.\.99999/,
    )
    expect(decodeError(() => decodeEndToEnd(e2e([1, 1, 2, 2, 0.9, -5]), opts)).message).toMatch(
      /class id -5/,
    )
    const labelled = { ...opts, bounds: { ...bounds, classCount: 3 } }
    expect(decodeError(() => decodeEndToEnd(e2e([1, 1, 2, 2, 0.9, 3]), labelled)).message).toMatch(
      /class id 3, not one of the 3 labels/,
    )
  })

  it('refuses a score of 7.5 and a NaN score even below the threshold', () => {
    expect(decodeError(() => decodeEndToEnd(e2e([1, 1, 2, 2, 7.5, 0]), opts)).message).toMatch(
      /row 0 has score 7\.5, not in \[0, 1\]/,
    )
    expect(decodeError(() => decodeEndToEnd(e2e([1, 1, 2, 2, NaN, 0]), opts)).message).toMatch(
      /score NaN/,
    )
  })

  it('validates the raw head per anchor', () => {
    const data = new Float32Array(6 * 8) // [1, 6, 8]: 4 box rows, 2 classes, 8 anchors
    data[0] = 100 // cx of anchor 0
    data[8] = 100
    data[16] = -50 // w < 0: an inverted box
    data[24] = 10
    data[32] = 0.9
    const t: DecodedOutputTensor = { name: 'output0', datatype: 'FP32', shape: [1, 6, 8], data }
    expect(decodeError(() => decodeYoloV8Raw(t, opts)).message).toMatch(
      /'output0' \(yolov8-raw\) is not a usable detection: anchor 0 has corners/,
    )
  })

  it('validates every one of the first num_dets EfficientNMS slots', () => {
    const tensors = new Map<string, DecodedOutputTensor>([
      [
        'num_dets',
        { name: 'num_dets', datatype: 'INT32', shape: [1, 1], data: Int32Array.from([2]) },
      ],
      [
        'det_boxes',
        {
          name: 'det_boxes',
          datatype: 'FP32',
          shape: [1, 2, 4],
          data: Float32Array.from([1, 1, 2, 2, 1, 1, 2, 2]),
        },
      ],
      [
        'det_scores',
        {
          name: 'det_scores',
          datatype: 'FP32',
          shape: [1, 2],
          data: Float32Array.from([0.9, 0.1]),
        },
      ],
      [
        'det_classes',
        { name: 'det_classes', datatype: 'INT32', shape: [1, 2], data: Int32Array.from([0, -1]) },
      ],
    ])
    expect(decodeError(() => decodeEfficientNms(tensors, opts)).message).toMatch(
      /'det_classes' \(efficient-nms\).*detection 1 has class id -1/,
    )
  })

  it('passes a valid detection through unchanged', () => {
    expect(decodeEndToEnd(e2e([10, 20, 30, 40, 0.5, 2]), opts)).toEqual([
      { x1: 10, y1: 20, x2: 30, y2: 40, score: 0.5, classId: 2 },
    ])
  })
})
