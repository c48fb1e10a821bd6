/**
 * The colour of each detection class, wherever boxes are drawn: the live overlay and the
 * annotated MP4 read it from here, so a class looks the same on screen and in the export.
 *
 * Paul Tol's "bright" qualitative scheme (personal.sron.nl/~pault, Fig. 1): seven colours that
 * stay distinct under the common colour-vision deficiencies and in greyscale print. Its order is
 * changed so index i reads as the i-th colour of the demo detector's classes (red, green, blue,
 * yellow, magenta, cyan): class 0 is drawn red, class 1 green, and so on.
 */

export type Rgb = readonly [number, number, number]

export interface ClassColour {
  name: string
  hex: string
  rgb: Rgb
}

function colour(name: string, hex: string): ClassColour {
  const n = parseInt(hex.slice(1), 16)
  return { name, hex, rgb: [(n >> 16) & 255, (n >> 8) & 255, n & 255] }
}

export const CLASS_PALETTE: readonly ClassColour[] = [
  colour('red', '#EE6677'),
  colour('green', '#228833'),
  colour('blue', '#4477AA'),
  colour('yellow', '#CCBB44'),
  colour('purple', '#AA3377'),
  colour('cyan', '#66CCEE'),
  colour('grey', '#BBBBBB'),
]

/** The same class id always gets the same colour, in every frame, session and export. */
export function classColour(classId: number): ClassColour {
  const id = Number.isFinite(classId) ? Math.abs(Math.trunc(classId)) : 0
  return CLASS_PALETTE[id % CLASS_PALETTE.length]
}

/** Relative luminance in 0..255 (ITU-R BT.601 weights), for choosing legible ink. */
function luma([r, g, b]: Rgb): number {
  return 0.299 * r + 0.587 * g + 0.114 * b
}

/** Black or white text on a tag of this colour, whichever has more contrast. */
export function inkOn(background: Rgb): Rgb {
  return luma(background) > 140 ? [0, 0, 0] : [255, 255, 255]
}

export function inkOnHex(background: Rgb): string {
  return inkOn(background)[0] === 0 ? '#000' : '#fff'
}
