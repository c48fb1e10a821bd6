export type TensorLayout = 'NCHW' | 'NHWC'
export type ImageTensorDtype = 'FP32' | 'FP16' | 'UINT8'

export interface ImageTensorOptions {
  layout: TensorLayout
  dtype: ImageTensorDtype
  /** Multiplies each byte before mean/std; default 1/255 (UINT8: raw bytes, only 1 allowed). */
  scale?: number
  /** Subtracted after scaling, per tensor channel (after any BGR swap). */
  mean?: [number, number, number]
  /** Divides after the mean, per tensor channel (after any BGR swap). */
  std?: [number, number, number]
  /** Channel order the model expects; default RGB. */
  channelOrder?: 'RGB' | 'BGR'
}

/** The tensor shape (batch of one) that rgbToTensor fills. */
export function imageTensorShape(
  width: number,
  height: number,
  layout: TensorLayout,
): [number, number, number, number] {
  return layout === 'NCHW' ? [1, 3, height, width] : [1, height, width, 3]
}

/**
 * How one model wants its frames: everything about the conversion that does not change from
 * frame to frame, checked once. `table[c * 256 + byte]` is the value for tensor channel c.
 */
export interface ImageTensorPlan {
  width: number
  height: number
  pixels: number
  /** Elements in the tensor (and bytes of RGB in). */
  size: number
  /** UINT8 tensors are bytes; FP32 and FP16 are float32 values (the codec narrows FP16). */
  bytes: boolean
  planar: boolean
  bgr: boolean
  /** Packed RGB bytes go in as they are (UINT8, NHWC, RGB). */
  copy: boolean
  table: Float32Array | Uint8Array
  /**
   * For float tensors, planar or interleaved RGB: per tensor channel c, `s, m, d` at 3c such
   * that single-precision (byte * s - m) / d is exactly `table[c * 256 + byte]` for every byte,
   * when such constants exist; the SIMD conversion (frame-fill.wat) computes that.
   */
  affine?: Float32Array
}

/**
 * Checks the size and options and builds the per-channel table: value = (byte * scale -
 * mean[c]) / std[c], done once into 768 entries, so the pass over a frame is a lookup per byte.
 */
export function planImageTensor(
  width: number,
  height: number,
  opts: ImageTensorOptions,
): ImageTensorPlan {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`image size must be positive integers, got ${width}x${height}`)
  }
  const pixels = width * height
  const bgr = opts.channelOrder === 'BGR'
  const planar = opts.layout === 'NCHW'
  const common = { width, height, pixels, size: pixels * 3, planar, bgr }
  if (opts.dtype === 'UINT8') {
    const identity =
      (opts.scale ?? 1) === 1 &&
      (opts.mean ?? [0, 0, 0]).every((m) => m === 0) &&
      (opts.std ?? [1, 1, 1]).every((v) => v === 1)
    if (!identity) {
      // Bytes cannot carry normalised values; ignoring the request would feed the model
      // numbers its profile did not ask for.
      throw new RangeError('a UINT8 tensor takes raw bytes: scale must be 1, mean 0 and std 1')
    }
    return { ...common, bytes: true, copy: !planar && !bgr, table: IDENTITY }
  }
  const scale = opts.scale ?? 1 / 255
  const mean = opts.mean ?? [0, 0, 0]
  const std = opts.std ?? [1, 1, 1]
  if (std.some((s) => s === 0)) throw new RangeError('std must not contain zero')
  const table = new Float32Array(768)
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v < 256; v++) table[c * 256 + v] = (v * scale - mean[c]) / std[c]
  }
  // The SIMD code writes planes in either order, and interleaved channels in RGB order only.
  const affine = planar || !bgr ? exactAffine(table, scale, mean, std) : undefined
  return { ...common, bytes: false, copy: false, table, ...(affine ? { affine } : {}) }
}

/**
 * Single-precision constants that give every entry of the table exactly, or undefined. Two
 * forms are tried per channel: (byte - mean/scale) / (std/scale), which holds for the common
 * byte/255, and (byte * scale - mean) / std. Math.fround of each double-precision step is the
 * single-precision result (a double has more than twice a float's bits), so this is the
 * arithmetic the SIMD code does.
 */
function exactAffine(
  table: Float32Array,
  scale: number,
  mean: [number, number, number],
  std: [number, number, number],
): Float32Array | undefined {
  const out = new Float32Array(9)
  for (let c = 0; c < 3; c++) {
    const forms = [
      [1, mean[c] / scale, std[c] / scale],
      [scale, mean[c], std[c]],
    ].map((f) => f.map(Math.fround))
    const exact = forms.find(([s, m, d]) => {
      for (let v = 0; v < 256; v++) {
        const value = Math.fround(Math.fround(Math.fround(v * s) - m) / d)
        if (!Object.is(value, table[c * 256 + v])) return false
      }
      return true
    })
    if (!exact) return undefined
    out.set(exact, c * 3)
  }
  return out
}

/** A tensor of the plan's type and size, to be filled. */
function newImageTensor(plan: ImageTensorPlan): Float32Array | Uint8Array {
  return plan.bytes ? new Uint8Array(plan.size) : new Float32Array(plan.size)
}

/** Refuses RGB bytes that are not one frame of the plan's size. */
export function checkFrameSize(rgb: Uint8Array, plan: ImageTensorPlan): void {
  if (rgb.length !== plan.size) {
    throw new RangeError(
      `expected ${plan.size} RGB bytes for ${plan.width}x${plan.height}, got ${rgb.length}`,
    )
  }
}

/** Fills `out` (or a new tensor) from packed RGB bytes, in one pass, as the plan says. */
export function fillImageTensor(
  rgb: Uint8Array,
  plan: ImageTensorPlan,
  out?: Float32Array | Uint8Array,
): Float32Array | Uint8Array {
  checkFrameSize(rgb, plan)
  const type = plan.bytes ? Uint8Array : Float32Array
  if (out !== undefined && !(out instanceof type && out.length === plan.size)) {
    throw new RangeError(
      `out must be a ${type.name} of ${plan.size} elements for a ${plan.bytes ? 'UINT8' : 'float'} tensor`,
    )
  }
  const dst = out ?? newImageTensor(plan)
  if (plan.copy) dst.set(rgb)
  else fill(rgb, dst, plan.pixels, plan.planar, plan.bgr, plan.table, LITTLE_ENDIAN)
  return dst
}

/**
 * Converts packed RGB bytes into a model input tensor in one pass: value = (byte * scale -
 * mean[c]) / std[c]. FP16 comes back as float32 values; the tensor codec narrows them. Pass
 * `out` to reuse a buffer frame after frame.
 */
export function rgbToTensor(
  rgb: Uint8Array,
  width: number,
  height: number,
  opts: ImageTensorOptions & { dtype: 'UINT8' },
  out?: Uint8Array,
): Uint8Array
export function rgbToTensor(
  rgb: Uint8Array,
  width: number,
  height: number,
  opts: ImageTensorOptions & { dtype: 'FP32' | 'FP16' },
  out?: Float32Array,
): Float32Array
export function rgbToTensor(
  rgb: Uint8Array,
  width: number,
  height: number,
  opts: ImageTensorOptions,
  out?: Float32Array | Uint8Array,
): Float32Array | Uint8Array
export function rgbToTensor(
  rgb: Uint8Array,
  width: number,
  height: number,
  opts: ImageTensorOptions,
  out?: Float32Array | Uint8Array,
): Float32Array | Uint8Array {
  return fillImageTensor(rgb, planImageTensor(width, height, opts), out)
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

// Per-channel lookup for UINT8, so both dtypes share one loop.
const IDENTITY = new Uint8Array(768).map((_, i) => i & 255)

/**
 * One pass over the pixels; `table[c * 256 + byte]` is the value for tensor channel c. It uses
 * nothing from outside its arguments, so the frame converter's worker runs its source as is.
 */
export function fill(
  rgb: Uint8Array,
  dst: Float32Array | Uint8Array,
  pixels: number,
  planar: boolean,
  bgr: boolean,
  table: Float32Array | Uint8Array,
  littleEndian: boolean,
): void {
  // Source byte offset for tensor channels 0 and 2 (green is 1 either way).
  const s0 = bgr ? 2 : 0
  const s2 = bgr ? 0 : 2
  if (planar) {
    const g = pixels
    const b = pixels * 2
    // Four pixels are three 32-bit words: reading words instead of bytes roughly halves the
    // time of the common case (a 640x640 frame: 2.7-3.1 -> 1.3-2.2 ms). Little-endian only, as
    // every platform Electron ships on is, and only when the bytes sit on a 4-byte boundary.
    const quads = rgb.byteOffset % 4 === 0 && littleEndian ? pixels >> 2 : 0
    if (quads > 0) {
      const w = new Uint32Array(rgb.buffer, rgb.byteOffset, quads * 3)
      // Where the source's red and blue go: their plane and their part of the table.
      const rp = bgr ? b : 0
      const rt = bgr ? 512 : 0
      const bp = bgr ? 0 : b
      const bt = bgr ? 0 : 512
      for (let k = 0, i = 0; i < quads * 4; k += 3, i += 4) {
        // 4 pixels, RGBRGBRGBRGB, in 3 words read low byte first.
        const w0 = w[k]
        const w1 = w[k + 1]
        const w2 = w[k + 2]
        dst[rp + i] = table[rt + (w0 & 255)]
        dst[g + i] = table[256 + ((w0 >>> 8) & 255)]
        dst[bp + i] = table[bt + ((w0 >>> 16) & 255)]
        dst[rp + i + 1] = table[rt + (w0 >>> 24)]
        dst[g + i + 1] = table[256 + (w1 & 255)]
        dst[bp + i + 1] = table[bt + ((w1 >>> 8) & 255)]
        dst[rp + i + 2] = table[rt + ((w1 >>> 16) & 255)]
        dst[g + i + 2] = table[256 + (w1 >>> 24)]
        dst[bp + i + 2] = table[bt + (w2 & 255)]
        dst[rp + i + 3] = table[rt + ((w2 >>> 8) & 255)]
        dst[g + i + 3] = table[256 + ((w2 >>> 16) & 255)]
        dst[bp + i + 3] = table[bt + (w2 >>> 24)]
      }
    }
    for (let i = quads * 4, p = i * 3; i < pixels; i++, p += 3) {
      dst[i] = table[rgb[p + s0]]
      dst[g + i] = table[256 + rgb[p + 1]]
      dst[b + i] = table[512 + rgb[p + s2]]
    }
  } else {
    const end = pixels * 3
    for (let p = 0; p < end; p += 3) {
      dst[p] = table[rgb[p + s0]]
      dst[p + 1] = table[256 + rgb[p + 1]]
      dst[p + 2] = table[512 + rgb[p + s2]]
    }
  }
}
