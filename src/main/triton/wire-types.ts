/**
 * Protobuf's wire types: how the bytes of a field with this key are laid out.
 * https://protobuf.dev/programming-guides/encoding/#structure
 */
export const VARINT = 0
export const I64 = 1
export const LEN = 2
export const START_GROUP = 3
export const END_GROUP = 4
export const I32 = 5
