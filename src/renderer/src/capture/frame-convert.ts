import { computeLetterbox, LETTERBOX_PAD_VALUE, type Letterbox } from '../../../shared/letterbox'

/** Drops the alpha byte: canvas pixels are RGBA, the model wants packed RGB24. */
export function rgbaToRgb(
  rgba: Uint8ClampedArray | Uint8Array,
  out: Uint8Array = new Uint8Array((rgba.length / 4) * 3),
): Uint8Array {
  const pixels = rgba.length >> 2
  for (let p = 0, i = 0, o = 0; p < pixels; p++, i += 4, o += 3) {
    out[o] = rgba[i]
    out[o + 1] = rgba[i + 1]
    out[o + 2] = rgba[i + 2]
  }
  return out
}

type Ctx2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D

/** Draws frames letterboxed into a model-sized canvas that never joins the page. */
export class LetterboxGrabber {
  private readonly ctx: Ctx2D
  private letterbox: Letterbox | undefined

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    const canvas =
      typeof OffscreenCanvas === 'function'
        ? new OffscreenCanvas(width, height)
        : Object.assign(document.createElement('canvas'), { width, height })
    // willReadFrequently keeps the canvas on the CPU, where getImageData is cheap.
    const ctx = canvas.getContext('2d', { willReadFrequently: true, alpha: false })
    if (!ctx) throw new Error('no 2D canvas for frame capture')
    this.ctx = ctx as Ctx2D
  }

  grab(source: CanvasImageSource, sourceWidth: number, sourceHeight: number): Uint8Array {
    const lb = this.letterboxFor(sourceWidth, sourceHeight)
    const ctx = this.ctx
    ctx.fillStyle = `rgb(${LETTERBOX_PAD_VALUE},${LETTERBOX_PAD_VALUE},${LETTERBOX_PAD_VALUE})`
    ctx.fillRect(0, 0, this.width, this.height)
    ctx.drawImage(source, lb.padX, lb.padY, lb.scaledWidth, lb.scaledHeight)
    return rgbaToRgb(ctx.getImageData(0, 0, this.width, this.height).data)
  }

  private letterboxFor(sw: number, sh: number): Letterbox {
    const lb = this.letterbox
    if (lb && lb.srcWidth === sw && lb.srcHeight === sh) return lb
    this.letterbox = computeLetterbox(sw, sh, this.width, this.height)
    return this.letterbox
  }
}
