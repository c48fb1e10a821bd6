/*
 * The demo detector's "model": finds solid rectangles of six saturated colours in a planar RGB
 * image, so detections on the bundled sample video (and on anything drawn with those colours)
 * are known in advance.
 *
 * A pixel belongs to a palette colour when that colour is the nearest corner of the RGB cube and
 * lies within MATCH_DISTANCE (Euclidean, channels 0..1). Rounding each channel to 0 or 1 gives the
 * nearest corner directly; black, white and greys (letterbox padding, backgrounds) round to the
 * black or white corner, which are not in the palette. Within the distance, max - min of the
 * channels is at least 1 - MATCH_DISTANCE * sqrt(2) ~ 0.5, so only saturated pixels match. The
 * tolerance survives libx264 yuv420p: flat areas come back within a few levels, and blurred edge
 * pixels drop out, which shrinks a box by at most a pixel.
 */

export const BOX_PALETTE: ReadonlyArray<{ name: string; rgb: readonly [number, number, number] }> =
  [
    { name: 'red', rgb: [255, 0, 0] },
    { name: 'green', rgb: [0, 255, 0] },
    { name: 'blue', rgb: [0, 0, 255] },
    { name: 'yellow', rgb: [255, 255, 0] },
    { name: 'magenta', rgb: [255, 0, 255] },
    { name: 'cyan', rgb: [0, 255, 255] },
  ]

export const MATCH_DISTANCE = 0.35

export interface FoundBox {
  /** Input pixels; x2 and y2 are exclusive edges. */
  x1: number
  y1: number
  x2: number
  y2: number
  classId: number
  score: number
}

const NO_CLASS = 255

// Cube corner code (r << 2 | g << 1 | b) to palette index.
const CORNER_CLASS = new Uint8Array(8).fill(NO_CLASS)
BOX_PALETTE.forEach((entry, i) => {
  const [r, g, b] = entry.rgb.map((v) => (v >= 128 ? 1 : 0))
  CORNER_CLASS[(r << 2) | (g << 1) | b] = i
})

export function findColorBoxes(
  chw: Float32Array,
  width: number,
  height: number,
  minArea = 64,
): FoundBox[] {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`invalid image size ${width}x${height}`)
  }
  const plane = width * height
  if (chw.length < 3 * plane) {
    throw new RangeError(`expected ${3 * plane} values for 3x${height}x${width}, got ${chw.length}`)
  }

  const classes = new Uint8Array(plane)
  const maxSq = MATCH_DISTANCE * MATCH_DISTANCE
  for (let p = 0; p < plane; p++) {
    const r = chw[p]
    const g = chw[plane + p]
    const b = chw[2 * plane + p]
    const cr = r >= 0.5 ? 1 : 0
    const cg = g >= 0.5 ? 1 : 0
    const cb = b >= 0.5 ? 1 : 0
    const cls = CORNER_CLASS[(cr << 2) | (cg << 1) | cb]
    if (cls === NO_CLASS) {
      classes[p] = NO_CLASS
      continue
    }
    const dr = r - cr
    const dg = g - cg
    const db = b - cb
    // NaN fails this comparison too, so it never matches.
    classes[p] = dr * dr + dg * dg + db * db < maxSq ? cls : NO_CLASS
  }

  // Iterative 4-connected flood fill; visited pixels are marked NO_CLASS in place.
  const queue = new Int32Array(plane)
  const boxes: FoundBox[] = []
  for (let start = 0; start < plane; start++) {
    const cls = classes[start]
    if (cls === NO_CLASS) continue
    classes[start] = NO_CLASS
    let head = 0
    let tail = 0
    queue[tail++] = start
    let minX = width
    let minY = height
    let maxX = -1
    let maxY = -1
    while (head < tail) {
      const p = queue[head++]
      const y = (p / width) | 0
      const x = p - y * width
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
      if (x > 0 && classes[p - 1] === cls) {
        classes[p - 1] = NO_CLASS
        queue[tail++] = p - 1
      }
      if (x < width - 1 && classes[p + 1] === cls) {
        classes[p + 1] = NO_CLASS
        queue[tail++] = p + 1
      }
      if (y > 0 && classes[p - width] === cls) {
        classes[p - width] = NO_CLASS
        queue[tail++] = p - width
      }
      if (y < height - 1 && classes[p + width] === cls) {
        classes[p + width] = NO_CLASS
        queue[tail++] = p + width
      }
    }
    const count = tail
    if (count < minArea) continue
    const area = (maxX - minX + 1) * (maxY - minY + 1)
    const score = Math.round(Math.min(1, Math.max(0, count / area)) * 1000) / 1000
    boxes.push({ x1: minX, y1: minY, x2: maxX + 1, y2: maxY + 1, classId: cls, score })
  }
  boxes.sort((a, b) => a.classId - b.classId || a.x1 - b.x1 || a.y1 - b.y1)
  return boxes
}
