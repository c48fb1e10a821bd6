/**
 * Letterbox geometry for camera frames. The formula must equal src/main/media/letterbox.ts, because
 * main undoes it on the boxes: scale = min(dw/sw, dh/sh), scaled = round(s * scale) clamped to the
 * destination, pad = floor((d - scaled) / 2), padding grey 114 (Ultralytics).
 */
export interface Letterbox {
  srcWidth: number
  srcHeight: number
  dstWidth: number
  dstHeight: number
  scale: number
  scaledWidth: number
  scaledHeight: number
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
