/**
 * Letterbox geometry: scale a source image to fit the model's input without changing its
 * aspect ratio, centre it, and pad the rest (Ultralytics pads with grey 114). The same
 * numbers drive ffmpeg's scale+pad filter on the way in and the box mapping on the way out,
 * so both must come from here.
 */
export interface Letterbox {
  srcWidth: number
  srcHeight: number
  dstWidth: number
  dstHeight: number
  /** Source pixels to model pixels. */
  scale: number
  /** Size of the scaled image inside the model input, in whole pixels. */
  scaledWidth: number
  scaledHeight: number
  /** Left and top padding, in whole pixels. */
  padX: number
  padY: number
}

export const LETTERBOX_PAD_VALUE = 114

export function computeLetterbox(
  srcWidth: number,
  srcHeight: number,
  dstWidth: number,
  dstHeight: number,
): Letterbox {
  if (!(srcWidth > 0 && srcHeight > 0 && dstWidth > 0 && dstHeight > 0)) {
    throw new RangeError(
      `letterbox needs positive sizes, got ${srcWidth}x${srcHeight} -> ${dstWidth}x${dstHeight}`,
    )
  }
  const scale = Math.min(dstWidth / srcWidth, dstHeight / srcHeight)
  const scaledWidth = Math.min(dstWidth, Math.round(srcWidth * scale))
  const scaledHeight = Math.min(dstHeight, Math.round(srcHeight * scale))
  const padX = Math.floor((dstWidth - scaledWidth) / 2)
  const padY = Math.floor((dstHeight - scaledHeight) / 2)
  return { srcWidth, srcHeight, dstWidth, dstHeight, scale, scaledWidth, scaledHeight, padX, padY }
}

/** Maps a corner-form box from model-input pixels back to source pixels, clipped to the source. */
export function boxToSource(
  lb: Letterbox,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
): { x1: number; y1: number; x2: number; y2: number } {
  const sx = lb.scaledWidth / lb.srcWidth
  const sy = lb.scaledHeight / lb.srcHeight
  const clip = (v: number, max: number): number => Math.min(Math.max(v, 0), max)
  return {
    x1: clip((x1 - lb.padX) / sx, lb.srcWidth),
    y1: clip((y1 - lb.padY) / sy, lb.srcHeight),
    x2: clip((x2 - lb.padX) / sx, lb.srcWidth),
    y2: clip((y2 - lb.padY) / sy, lb.srcHeight),
  }
}
