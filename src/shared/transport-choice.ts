/**
 * How an endpoint's requests travel, beside the protocol its URL picks: the one list of choices
 * for the CLI's flags, the app's endpoint form and the transport factory.
 */

/** gRPC only: one bidirectional stream per session, or one unary call per request. */
export const GRPC_MODES = ['stream', 'unary'] as const
export type GrpcMode = (typeof GRPC_MODES)[number]

/** perf_analyzer's --shared-memory values that apply here (CUDA needs native code). */
export const SHARED_MEMORY_MODES = ['system', 'none'] as const
export type SharedMemoryMode = (typeof SHARED_MEMORY_MODES)[number]
