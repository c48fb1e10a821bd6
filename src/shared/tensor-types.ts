/** Wire datatype strings of the KServe v2 protocol, as Triton spells them. */
export const TRITON_DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'BF16',
  'FP32',
  'FP64',
  'BYTES',
] as const

export type TritonDatatype = (typeof TRITON_DATATYPES)[number]
export type FixedSizeDatatype = Exclude<TritonDatatype, 'BYTES'>

export const DATATYPE_BYTE_SIZE: Readonly<Record<FixedSizeDatatype, number>> = {
  BOOL: 1,
  UINT8: 1,
  UINT16: 2,
  UINT32: 4,
  UINT64: 8,
  INT8: 1,
  INT16: 2,
  INT32: 4,
  INT64: 8,
  FP16: 2,
  BF16: 2,
  FP32: 4,
  FP64: 8,
}

export function isTritonDatatype(value: string): value is TritonDatatype {
  return (TRITON_DATATYPES as readonly string[]).includes(value)
}

/**
 * Model-config enum names (TYPE_FP32, ...) to wire names. TYPE_STRING is "BYTES" on the
 * wire (Triton's model_configuration.md, Datatypes table).
 */
export function configTypeToDatatype(configType: string): TritonDatatype | undefined {
  if (configType === 'TYPE_STRING') return 'BYTES'
  const name = configType.replace(/^TYPE_/, '')
  return isTritonDatatype(name) ? name : undefined
}

export function datatypeToConfigType(datatype: TritonDatatype): string {
  return datatype === 'BYTES' ? 'TYPE_STRING' : `TYPE_${datatype}`
}

/** Number of elements in a shape; every dimension must be a concrete non-negative integer. */
export function elementCount(shape: readonly number[]): number {
  let n = 1
  for (let i = 0; i < shape.length; i++) n *= shape[i]
  return n
}
