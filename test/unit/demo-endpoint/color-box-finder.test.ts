import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  BOX_PALETTE,
  findColorBoxes,
  type FoundBox,
} from '../../../src/main/demo-endpoint/color-box-finder'

const SAMPLES_DIR = resolve(__dirname, '../../../resources/samples')
const FFMPEG = process.env.FFMPEG_BIN || 'ffmpeg'
const PAD = 114 / 255

type Rgb = readonly [number, number, number]

interface TruthBox {
  label: string
  classId: number
  x: number
  y: number
  width: number
  height: number
}

interface Truth {
  width: number
  height: number
  frameCount: number
  frames: { frame: number; time: number; boxes: TruthBox[] }[]
}

/** A CHW float image filled with one colour, channels 0..255. */
class Canvas {
  readonly chw: Float32Array

  constructor(
    readonly width: number,
    readonly height: number,
    fill: Rgb = [114, 114, 114],
  ) {
    this.chw = new Float32Array(3 * width * height)
    this.rect(0, 0, width, height, fill)
  }

  set(x: number, y: number, rgb: Rgb): void {
    const plane = this.width * this.height
    for (let c = 0; c < 3; c++) this.chw[c * plane + y * this.width + x] = rgb[c] / 255
  }

  rect(x: number, y: number, w: number, h: number, rgb: Rgb): this {
    for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) this.set(xx, yy, rgb)
    return this
  }

  find(minArea?: number): FoundBox[] {
    return findColorBoxes(this.chw, this.width, this.height, minArea)
  }
}

const rgbOf = (name: string): Rgb => {
  const entry = BOX_PALETTE.find((e) => e.name === name)
  if (!entry) throw new Error(`no palette colour ${name}`)
  return entry.rgb
}

const classOf = (name: string): number => BOX_PALETTE.findIndex((e) => e.name === name)

/** Frame n of a video as rgb24, decoded by the real ffmpeg. */
function videoFrame(path: string, n: number, width: number, height: number): Buffer {
  const args = ['-v', 'error', '-i', path, '-vf', `select=eq(n\\,${n})`, '-frames:v', '1']
  const out = execFileSync(FFMPEG, [...args, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    maxBuffer: 16 * 1024 * 1024,
  })
  expect(out.length).toBe(width * height * 3)
  return out
}

/** Letterboxes an rgb24 frame into a size x size grey CHW tensor, as a YOLO pre-processor does. */
function letterbox(rgb: Buffer, width: number, height: number, size: number) {
  const top = Math.floor((size - height) / 2)
  const left = Math.floor((size - width) / 2)
  const plane = size * size
  const chw = new Float32Array(3 * plane).fill(PAD)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = (y * width + x) * 3
      const dst = (y + top) * size + x + left
      for (let c = 0; c < 3; c++) chw[c * plane + dst] = rgb[src + c] / 255
    }
  }
  return { chw, top, left }
}

describe('BOX_PALETTE', () => {
  it('lists the six saturated colours in class id order', () => {
    expect(BOX_PALETTE.map((e) => e.name)).toEqual([
      'red',
      'green',
      'blue',
      'yellow',
      'magenta',
      'cyan',
    ])
    expect(BOX_PALETTE[3].rgb).toEqual([255, 255, 0])
  })
})

describe('findColorBoxes', () => {
  it('finds boxes of every palette colour with exact edges, classes and full scores', () => {
    const canvas = new Canvas(640, 640, [48, 48, 48])
    const placed = BOX_PALETTE.map((entry, i) => ({
      x: 20 + i * 100,
      y: 30 + i * 50,
      w: 40 + i * 7,
      h: 25 + i * 11,
      classId: i,
    }))
    for (const p of placed) canvas.rect(p.x, p.y, p.w, p.h, BOX_PALETTE[p.classId].rgb)
    expect(canvas.find()).toEqual(
      placed.map((p) => ({
        x1: p.x,
        y1: p.y,
        x2: p.x + p.w,
        y2: p.y + p.h,
        classId: p.classId,
        score: 1,
      })),
    )
  })

  it('reports x2 and y2 as exclusive edges', () => {
    const canvas = new Canvas(64, 64).rect(10, 5, 10, 12, rgbOf('cyan'))
    expect(canvas.find()).toEqual([{ x1: 10, y1: 5, x2: 20, y2: 17, classId: 5, score: 1 }])
  })

  it('ignores letterbox padding, dark and light backgrounds and unsaturated colours', () => {
    const canvas = new Canvas(200, 200)
    canvas.rect(0, 40, 200, 120, [48, 48, 48])
    canvas.rect(10, 50, 60, 60, [255, 255, 255])
    canvas.rect(80, 50, 60, 60, [0, 0, 0])
    canvas.rect(10, 115, 60, 40, [255, 160, 160]) // pink: red, but washed out
    canvas.rect(80, 115, 60, 40, [128, 128, 0]) // olive: yellow, but dark
    canvas.rect(145, 50, 50, 100, [200, 120, 40]) // orange: between red and yellow
    expect(canvas.find()).toEqual([])
  })

  it('tolerates colours shifted as much as compression shifts them', () => {
    const canvas = new Canvas(100, 100)
    canvas.rect(10, 10, 30, 30, [225, 30, 35])
    canvas.rect(50, 50, 30, 30, [20, 210, 230])
    expect(canvas.find().map((b) => b.classId)).toEqual([classOf('red'), classOf('cyan')])
  })

  it('separates touching boxes of different colours', () => {
    const canvas = new Canvas(200, 100, [48, 48, 48])
    canvas.rect(20, 20, 50, 40, rgbOf('red'))
    canvas.rect(70, 20, 50, 40, rgbOf('green'))
    canvas.rect(20, 60, 100, 20, rgbOf('blue'))
    expect(canvas.find()).toEqual([
      { x1: 20, y1: 20, x2: 70, y2: 60, classId: 0, score: 1 },
      { x1: 70, y1: 20, x2: 120, y2: 60, classId: 1, score: 1 },
      { x1: 20, y1: 60, x2: 120, y2: 80, classId: 2, score: 1 },
    ])
  })

  it('keeps separate boxes of one colour apart and sorts them by class, then x1, then y1', () => {
    const canvas = new Canvas(200, 200, [48, 48, 48])
    canvas.rect(100, 100, 20, 20, rgbOf('magenta'))
    canvas.rect(50, 150, 20, 20, rgbOf('magenta'))
    canvas.rect(50, 10, 20, 20, rgbOf('magenta'))
    canvas.rect(150, 10, 20, 20, rgbOf('yellow'))
    expect(canvas.find().map((b) => [b.classId, b.x1, b.y1])).toEqual([
      [3, 150, 10],
      [4, 50, 10],
      [4, 50, 150],
      [4, 100, 100],
    ])
  })

  it('does not join same-colour boxes that only touch diagonally', () => {
    const canvas = new Canvas(100, 100)
    canvas.rect(10, 10, 20, 20, rgbOf('red'))
    canvas.rect(30, 30, 20, 20, rgbOf('red'))
    expect(canvas.find()).toHaveLength(2)
  })

  it('drops components smaller than minArea', () => {
    const canvas = new Canvas(100, 100)
    canvas.rect(10, 10, 7, 9, rgbOf('red')) // 63 px
    canvas.rect(50, 50, 8, 8, rgbOf('red')) // 64 px
    expect(canvas.find().map((b) => b.x1)).toEqual([50])
    expect(canvas.find(1).map((b) => b.x1)).toEqual([10, 50])
    expect(canvas.find(100)).toEqual([])
  })

  it('scores a component by the share of its bounding box it fills', () => {
    const canvas = new Canvas(100, 100)
    canvas.rect(10, 10, 30, 10, rgbOf('green'))
    canvas.rect(10, 20, 10, 20, rgbOf('green')) // an L: 500 px in a 30x30 box
    expect(canvas.find()).toEqual([{ x1: 10, y1: 10, x2: 40, y2: 40, classId: 1, score: 0.556 }])
  })

  it('rejects a tensor shorter than 3 x height x width', () => {
    expect(() => findColorBoxes(new Float32Array(3 * 10 * 10 - 1), 10, 10)).toThrow(RangeError)
    expect(() => findColorBoxes(new Float32Array(0), 0, 10)).toThrow(RangeError)
  })

  it('finds the boxes of boxes.json in frames ffmpeg decodes from boxes.mp4, letterboxed', () => {
    const truth = JSON.parse(readFileSync(join(SAMPLES_DIR, 'boxes.json'), 'utf8')) as Truth
    const video = join(SAMPLES_DIR, 'boxes.mp4')
    for (const n of [0, 17, truth.frameCount - 1]) {
      const rgb = videoFrame(video, n, truth.width, truth.height)
      const { chw, top, left } = letterbox(rgb, truth.width, truth.height, 640)
      const found = findColorBoxes(chw, 640, 640)
      const expected = truth.frames[n].boxes
      expect(found.map((b) => b.classId).sort()).toEqual(expected.map((b) => b.classId).sort())
      for (const box of expected) {
        const hit = found.find((b) => b.classId === box.classId)
        expect(hit, `${box.label} in frame ${n}`).toBeDefined()
        if (!hit) continue
        expect(Math.abs(hit.x1 - left - box.x)).toBeLessThanOrEqual(2)
        expect(Math.abs(hit.y1 - top - box.y)).toBeLessThanOrEqual(2)
        expect(Math.abs(hit.x2 - left - (box.x + box.width))).toBeLessThanOrEqual(2)
        expect(Math.abs(hit.y2 - top - (box.y + box.height))).toBeLessThanOrEqual(2)
        expect(hit.score).toBeGreaterThan(0.95)
      }
    }
  })
})
