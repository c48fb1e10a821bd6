/**
 * Boxes and labels burnt into packed RGB frames for the annotated MP4. Drawn here rather than by
 * ffmpeg's drawbox/drawtext, so the look does not depend on the ffmpeg build or its fonts; the
 * colours are the overlay's (src/shared/class-palette.ts).
 */
import { classColour, inkOn, type Rgb } from '../../shared/class-palette'
import type { DetectionBox } from '../../shared/results'

function fillRect(
  rgb: Uint8Array,
  width: number,
  height: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  color: Rgb,
): void {
  const left = Math.max(0, x0)
  const right = Math.min(width, x1)
  const top = Math.max(0, y0)
  const bottom = Math.min(height, y1)
  for (let y = top; y < bottom; y++) {
    let p = (y * width + left) * 3
    for (let x = left; x < right; x++, p += 3) {
      rgb[p] = color[0]
      rgb[p + 1] = color[1]
      rgb[p + 2] = color[2]
    }
  }
}

/**
 * Draws boxes (source pixels, scaled by sx/sy) onto a packed RGB frame in place. The outline
 * sits just outside the box so the object itself stays visible, and moves inside where the
 * box touches the frame edge; the label sits above the box, or inside it at the top edge.
 */
export function drawDetections(
  rgb: Uint8Array,
  width: number,
  height: number,
  boxes: readonly DetectionBox[],
  sx = 1,
  sy = 1,
): void {
  const thickness = Math.max(2, Math.min(3, Math.round(Math.min(width, height) / 240)))
  for (const box of boxes) {
    const color = classColour(box.classId).rgb
    const x1 = Math.round(box.x * sx)
    const y1 = Math.round(box.y * sy)
    const x2 = Math.round((box.x + box.width) * sx)
    const y2 = Math.round((box.y + box.height) * sy)
    if (x2 <= 0 || y2 <= 0 || x1 >= width || y1 >= height) continue
    const ox1 = Math.max(0, x1 - thickness)
    const oy1 = Math.max(0, y1 - thickness)
    const ox2 = Math.min(width, x2 + thickness)
    const oy2 = Math.min(height, y2 + thickness)
    fillRect(rgb, width, height, ox1, oy1, ox2, oy1 + thickness, color)
    fillRect(rgb, width, height, ox1, oy2 - thickness, ox2, oy2, color)
    fillRect(rgb, width, height, ox1, oy1, ox1 + thickness, oy2, color)
    fillRect(rgb, width, height, ox2 - thickness, oy1, ox2, oy2, color)
    drawLabel(rgb, width, height, `${box.label} ${box.score.toFixed(2)}`, ox1, oy1, color)
  }
}

/**
 * Pixels per font dot: the 7-dot capitals are 14 px tall up to 719 lines, 21 px at 720p and
 * 28 px at 1080p, about 3 % of the picture height, as broadcast captions are.
 */
export function labelScale(height: number): number {
  return Math.max(2, Math.floor(height / 240))
}

/** The height of a label tag, in pixels, for a frame of this height. */
export function labelTagHeight(height: number): number {
  const scale = labelScale(height)
  return GLYPH_HEIGHT * scale + 2 * scale
}

/** A filled tag in the class colour with the text in black or white, whichever reads better. */
function drawLabel(
  rgb: Uint8Array,
  width: number,
  height: number,
  text: string,
  x: number,
  boxTop: number,
  color: Rgb,
): void {
  const scale = labelScale(height)
  const pad = scale
  const tagWidth = text.length * GLYPH_ADVANCE * scale + pad * 2 - scale
  const tagHeight = labelTagHeight(height)
  const top = boxTop - tagHeight >= 0 ? boxTop - tagHeight : boxTop
  const left = Math.min(x, Math.max(0, width - tagWidth))
  fillRect(rgb, width, height, left, top, left + tagWidth, top + tagHeight, color)
  const ink = inkOn(color)
  let penX = left + pad
  for (const ch of text) {
    const rows = glyph(ch)
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      for (let col = 0; col < GLYPH_WIDTH; col++) {
        if ((rows[row] >> (GLYPH_WIDTH - 1 - col)) & 1) {
          const gx = penX + col * scale
          const gy = top + pad + row * scale
          fillRect(rgb, width, height, gx, gy, gx + scale, gy + scale, ink)
        }
      }
    }
    penX += GLYPH_ADVANCE * scale
  }
}

const GLYPH_WIDTH = 5
const GLYPH_HEIGHT = 7
const GLYPH_ADVANCE = 6

/**
 * A 5x7 bitmap font: each glyph is seven rows of five bits, written as 14 hex digits. Letters
 * are capitals only; lower case is drawn with them, which suits short class labels.
 */
const FONT: Readonly<Record<string, string>> = {
  A: '0e11111f111111',
  B: '1e11111e11111e',
  C: '0e11101010110e',
  D: '1c12111111121c',
  E: '1f10101e10101f',
  F: '1f10101e101010',
  G: '0e11101711110f',
  H: '1111111f111111',
  I: '0e04040404040e',
  J: '0702020202120c',
  K: '11121418141211',
  L: '1010101010101f',
  M: '111b1515111111',
  N: '11111915131111',
  O: '0e11111111110e',
  P: '1e11111e101010',
  Q: '0e11111115120d',
  R: '1e11111e141211',
  S: '0f10100e01011e',
  T: '1f040404040404',
  U: '1111111111110e',
  V: '11111111110a04',
  W: '1111111515150a',
  X: '11110a040a1111',
  Y: '1111110a040404',
  Z: '1f01020408101f',
  '0': '0e11131519110e',
  '1': '040c040404040e',
  '2': '0e11010204081f',
  '3': '1f02040201110e',
  '4': '02060a121f0202',
  '5': '1f101e0101110e',
  '6': '0608101e11110e',
  '7': '1f010204080808',
  '8': '0e11110e11110e',
  '9': '0e11110f01020c',
  ' ': '00000000000000',
  '.': '00000000000c0c',
  '-': '0000001f000000',
  ':': '000c0c000c0c00',
  _: '0000000000001f',
  '%': '18190204081303',
  '/': '00010204081000',
  '(': '02040808080402',
  ')': '08040202020408',
  '?': '0e110102040004',
}

function glyph(ch: string): number[] {
  const hex = FONT[ch.toUpperCase()] ?? FONT['?']
  const rows: number[] = []
  for (let i = 0; i < GLYPH_HEIGHT; i++) rows.push(parseInt(hex.slice(i * 2, i * 2 + 2), 16))
  return rows
}
