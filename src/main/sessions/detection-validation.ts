import { MAX_LABELS, MAX_VISION_SIZE } from '../../shared/limits'
import { DecodeError } from '../triton/decode-error'

/**
 * What a decoded detection may be: finite corners within reach of the model's input, a score
 * in [0, 1], a whole class id that names a label, and no more detections than the tensors
 * hold. Anything else is the server's output being wrong, and becomes a DecodeError naming the
 * tensor and the value instead of a box drawn at NaN or labelled "class 1e30".
 */
export interface DetectionBounds {
  /** The model's input size in pixels; corners far outside it are garbage. Default MAX_VISION_SIZE. */
  inputWidth?: number
  inputHeight?: number
  /** Number of class names; a class id must be below it. Without labels, below MAX_LABELS. */
  classCount?: number
}

export interface BoxCorners {
  x1: number
  y1: number
  x2: number
  y2: number
}

function show(v: number): string {
  return Number.isNaN(v) ? 'NaN' : String(v)
}

function wrong(form: string, tensor: string, where: string, what: string): DecodeError {
  return new DecodeError(
    `the server's output '${tensor}' (${form}) is not a usable detection: ${where} has ${what}`,
    { tensor },
  )
}

export class DetectionValidator {
  private readonly maxX: number
  private readonly maxY: number
  private readonly classCount: number

  constructor(
    private readonly form: string,
    bounds: DetectionBounds = {},
  ) {
    this.maxX = bounds.inputWidth ?? MAX_VISION_SIZE
    this.maxY = bounds.inputHeight ?? MAX_VISION_SIZE
    this.classCount =
      bounds.classCount !== undefined && bounds.classCount > 0 ? bounds.classCount : MAX_LABELS
  }

  /** A score is a probability: NaN or anything outside [0, 1] cannot come from a working model. */
  score(tensor: string, where: string, score: number): void {
    if (!(score >= 0 && score <= 1))
      throw wrong(this.form, tensor, where, `score ${show(score)}, not in [0, 1]`)
  }

  /**
   * Corners in model-input pixels. A box may stick out of the image a little (it is clipped
   * later); one more than a whole image away, inverted, or not finite is not a box.
   */
  box(tensor: string, where: string, b: BoxCorners): void {
    const check = (name: string, v: number, max: number): void => {
      if (!Number.isFinite(v) || v < -max || v > 2 * max) {
        throw wrong(
          this.form,
          tensor,
          where,
          `${name} = ${show(v)}, outside ${-max}..${2 * max} for a ${this.maxX}x${this.maxY} input`,
        )
      }
    }
    check('x1', b.x1, this.maxX)
    check('y1', b.y1, this.maxY)
    check('x2', b.x2, this.maxX)
    check('y2', b.y2, this.maxY)
    if (b.x2 < b.x1 || b.y2 < b.y1) {
      throw wrong(
        this.form,
        tensor,
        where,
        `corners (${b.x1}, ${b.y1}) and (${b.x2}, ${b.y2}) the wrong way round`,
      )
    }
  }

  /** A class id as the tensor holds it (floats in some exports); returns it as an integer. */
  classId(tensor: string, where: string, raw: number): number {
    const id = Math.round(raw)
    if (!Number.isFinite(raw) || Math.abs(raw - id) > 1e-3 || id < 0 || id >= this.classCount) {
      const range =
        this.classCount === MAX_LABELS
          ? `0..${MAX_LABELS - 1}`
          : `one of the ${this.classCount} labels`
      throw wrong(this.form, tensor, where, `class id ${show(raw)}, not ${range}`)
    }
    return id
  }

  /** num_dets: a whole number from 0 to the slots the box tensor has. */
  count(tensor: string, raw: number, capacity: number, boxesTensor: string): number {
    if (!Number.isInteger(raw) || raw < 0 || raw > capacity) {
      throw new DecodeError(
        `the server's output '${tensor}' (${this.form}) says ${show(raw)} detections, but '${boxesTensor}' holds ${capacity}`,
        { tensor },
      )
    }
    return raw
  }
}
