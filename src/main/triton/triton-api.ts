import type { ModelConfig__Output } from './generated/inference/ModelConfig'
import type { ModelMetadataResponse__Output } from './generated/inference/ModelMetadataResponse'
import type { ModelStatistics__Output } from './generated/inference/ModelStatistics'
import type { RepositoryIndexResponse__Output } from './generated/inference/RepositoryIndexResponse'
import type { ServerMetadataResponse__Output } from './generated/inference/ServerMetadataResponse'
import type { SystemSharedMemoryStatusResponse__Output } from './generated/inference/SystemSharedMemoryStatusResponse'
import type { EndpointProtocol } from '../../shared/endpoint-url'
import type { InferRequestSpec, InferResult } from './infer-messages'

/**
 * The typed objects of Triton's control calls, in the shape the gRPC path decodes them; the
 * HTTP client maps Triton's JSON onto the same shapes, so callers never ask which one they have.
 */
export type ModelIndexEntry = RepositoryIndexResponse__Output['models'][number]
export type ModelMetadata = ModelMetadataResponse__Output
export type ModelConfig = ModelConfig__Output
export type ModelStatistics = ModelStatistics__Output
export type ServerMetadata = ServerMetadataResponse__Output
export type SharedMemoryRegionStatus = SystemSharedMemoryStatusResponse__Output['regions']

export interface CallOptions {
  /** Deadline of this call; the connection's timeout when absent. */
  timeoutMs?: number
  signal?: AbortSignal
}

export interface SystemSharedMemoryRegistration {
  name: string
  key: string
  offset?: number
  byteSize: number
}

/**
 * Every call to a Triton server that is not a stream, whatever carries it: KServe v2 over gRPC
 * (TritonClient) or over HTTP/REST (KServeHttpClient). Failures are TritonErrors with the same
 * kinds on both protocols.
 */
export interface TritonApi {
  readonly protocol: EndpointProtocol
  /** The URL without secrets, for messages. */
  readonly target: string
  serverLive(opts?: CallOptions): Promise<boolean>
  serverReady(opts?: CallOptions): Promise<boolean>
  serverMetadata(opts?: CallOptions): Promise<ServerMetadata>
  modelReady(name: string, version?: string, opts?: CallOptions): Promise<boolean>
  modelMetadata(name: string, version?: string, opts?: CallOptions): Promise<ModelMetadata>
  modelConfig(name: string, version?: string, opts?: CallOptions): Promise<ModelConfig>
  modelStatistics(name?: string, version?: string, opts?: CallOptions): Promise<ModelStatistics[]>
  repositoryIndex(readyOnly?: boolean, opts?: CallOptions): Promise<ModelIndexEntry[]>
  loadModel(name: string, opts?: CallOptions): Promise<void>
  unloadModel(name: string, opts?: CallOptions): Promise<void>
  registerSystemSharedMemory(
    region: SystemSharedMemoryRegistration,
    opts?: CallOptions,
  ): Promise<void>
  /** An empty name unregisters every region. */
  unregisterSystemSharedMemory(name?: string, opts?: CallOptions): Promise<void>
  systemSharedMemoryStatus(name?: string, opts?: CallOptions): Promise<SharedMemoryRegionStatus>
  /** One request, one response; decoupled models need a gRPC stream. */
  infer(spec: InferRequestSpec, opts?: CallOptions): Promise<InferResult>
  /** Resolves once the server answers, or rejects with a clear reason before the deadline. */
  waitForReady(timeoutMs?: number): Promise<void>
  close(): void
}
