import type { TritonDatatype } from '../../shared/tensor-types'
import { TritonError } from '../triton/triton-error'

/**
 * NumPy's .npy format (numpy.lib.format, versions 1.0 to 3.0): the magic "\x93NUMPY", a version,
 * a header length, then a Python dict literal with 'descr', 'fortran_order' and 'shape', then
 * the array's bytes. Only what a tensor can be is read: little-endian (or byte-sized) numbers
 * and bools in C order.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // \x93NUMPY

/** NumPy type codes (kind + item size) to Triton datatypes. */
const DESCR: Readonly<Record<string, TritonDatatype>> = {
  b1: 'BOOL',
  u1: 'UINT8',
  u2: 'UINT16',
  u4: 'UINT32',
  u8: 'UINT64',
  i1: 'INT8',
  i2: 'INT16',
  i4: 'INT32',
  i8: 'INT64',
  f2: 'FP16',
  f4: 'FP32',
  f8: 'FP64',
}

export interface NpyArray {
  datatype: TritonDatatype
  shape: number[]
  /** The array's bytes, little-endian, row-major. */
  data: Uint8Array
}

const SAVE_AGAIN = 'save the array again with numpy.save'

/** A file that is not a tensor's .npy: the user's input, so a one-line error with what to do. */
function npyError(message: string, hint = SAVE_AGAIN): TritonError {
  return new TritonError('invalid-argument', message, hint)
}

export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 10 && MAGIC.every((b, i) => bytes[i] === b)
}

/** Reads a .npy file's header and returns its datatype, shape and data bytes (not copied). */
export function parseNpy(bytes: Uint8Array, source: string): NpyArray {
  if (!isNpy(bytes)) throw npyError(`${source} is not a .npy file`)
  const major = bytes[6]
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const wide = major >= 2
  const headerStart = wide ? 12 : 10
  if (bytes.length < headerStart) throw npyError(`${source}: the .npy header is cut short`)
  const headerLength = wide ? view.getUint32(8, true) : view.getUint16(8, true)
  const dataStart = headerStart + headerLength
  if (dataStart > bytes.length) throw npyError(`${source}: the .npy header is cut short`)
  const header = Buffer.from(bytes.subarray(headerStart, dataStart)).toString(
    major >= 3 ? 'utf8' : 'latin1',
  )
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1]
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1]
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1]
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw npyError(`${source}: the .npy header has no descr, fortran_order or shape`)
  }
  const byteOrder = descr[0]
  const code = descr.slice(1)
  const datatype = DESCR[code]
  if (!datatype || !'<|='.includes(byteOrder) || (byteOrder === '|' && !code.endsWith('1'))) {
    throw npyError(
      `${source} holds NumPy dtype '${descr}', which is not a little-endian number or bool`,
      "save it with arr.astype('<f4') or similar",
    )
  }
  if (fortran === 'True') {
    throw npyError(`${source} is in Fortran order`, 'save np.ascontiguousarray(arr) instead')
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number)
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw npyError(`${source}: the .npy shape (${shapeText}) is not a list of sizes`)
  }
  return { datatype, shape, data: bytes.subarray(dataStart) }
}
