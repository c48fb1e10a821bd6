/** A failure with the gRPC status Triton would use: INVALID_ARG, NOT_FOUND, UNAVAILABLE, INTERNAL. */
export class DemoInferError extends Error {
  constructor(
    readonly code:
      | 'INVALID_ARGUMENT'
      | 'NOT_FOUND'
      | 'UNAVAILABLE'
      | 'INTERNAL'
      | 'UNIMPLEMENTED'
      | 'ALREADY_EXISTS',
    message: string,
    readonly reason: 'REJECTED' | 'BACKEND' | 'OTHER' = 'REJECTED',
  ) {
    super(message)
  }
}
