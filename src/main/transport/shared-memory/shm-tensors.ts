import { DATATYPE_BYTE_SIZE, elementCount } from '../../../shared/tensor-types'
import type { ModelMetadata } from '../../triton/triton-api'
import type { PlacedOutput } from '../../triton/infer-messages'
import { decodeTensor, TensorShapeError, type DecodedTensor } from '../../triton/tensor-codec'
import type { SystemSharedMemoryRegion } from '../../triton/system-shared-memory'

/** Tensors start on 64-byte boundaries inside a slot, as backends copying with SIMD like. */
export const ALIGN = 64

export function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN
}

export interface OutputPlace {
  name: string
  offset: number
  capacity: number
}

/**
 * The room each output needs in a slot: its exact size when metadata fixes every dimension but
 * the batch, otherwise `variableBytes` (perf_analyzer's --output-shared-memory-size idea).
 */
export function planOutputs(
  metadata: ModelMetadata,
  names: readonly string[] | undefined,
  batch: number,
  variableBytes: number,
  grown: ReadonlyMap<string, number>,
): OutputPlace[] {
  const wanted = names ?? metadata.outputs.map((o) => o.name)
  let offset = 0
  return wanted.map((name) => {
    const meta = metadata.outputs.find((o) => o.name === name)
    const dims = (meta?.shape ?? []).map(Number).map((d, i) => (i === 0 && d === -1 ? batch : d))
    const fixed =
      meta && meta.datatype !== 'BYTES' && dims.every((d) => d >= 0)
        ? elementCount(dims) * DATATYPE_BYTE_SIZE[meta.datatype as keyof typeof DATATYPE_BYTE_SIZE]
        : undefined
    const capacity = Math.max(grown.get(name) ?? 0, fixed ?? variableBytes, 1)
    const place = { name, offset, capacity }
    offset = align(offset + capacity)
    return place
  })
}

/** Bytes of a BYTES tensor of `count` elements at the start of `raw` (4-byte LE length prefixes). */
function bytesTensorLength(name: string, raw: Buffer, count: number): number {
  let at = 0
  for (let i = 0; i < count; i++) {
    if (at + 4 > raw.byteLength) {
      throw new TensorShapeError(`output '${name}' (BYTES) runs past its shared memory room`)
    }
    at += 4 + raw.readUInt32LE(at)
  }
  if (at > raw.byteLength) {
    throw new TensorShapeError(`output '${name}' (BYTES) runs past its shared memory room`)
  }
  return at
}

/** Reads an output the server wrote into the slot, checking its size against the room it had. */
export function readPlacedOutput(
  region: SystemSharedMemoryRegion,
  slotOffset: number,
  place: OutputPlace,
  output: PlacedOutput,
): DecodedTensor {
  const { name, datatype, shape } = output
  const at = slotOffset + place.offset
  if (datatype === 'BYTES') {
    const room = region.read(at, place.capacity)
    const length = bytesTensorLength(name, room, elementCount(shape))
    return decodeTensor(name, datatype, shape, room.subarray(0, length))
  }
  const size = elementCount(shape) * DATATYPE_BYTE_SIZE[datatype]
  if (size > place.capacity) {
    throw new TensorShapeError(
      `output '${name}' is ${size} bytes but its shared memory room holds ${place.capacity}`,
    )
  }
  return decodeTensor(name, datatype, shape, region.read(at, size))
}
