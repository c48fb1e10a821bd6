import * as grpc from '@grpc/grpc-js'
import type { GRPCInferenceServiceClient } from './generated/inference/GRPCInferenceService'
import type { ModelConfig__Output } from './generated/inference/ModelConfig'
import type { ModelMetadataResponse__Output } from './generated/inference/ModelMetadataResponse'
import type { ModelStatistics__Output } from './generated/inference/ModelStatistics'
import type { ServerMetadataResponse__Output } from './generated/inference/ServerMetadataResponse'
import type { RepositoryIndexResponse__Output } from './generated/inference/RepositoryIndexResponse'
import type { SystemSharedMemoryStatusResponse__Output } from './generated/inference/SystemSharedMemoryStatusResponse'
import {
  resolveConnection,
  type ConnectionOptions,
  type ResolvedConnection,
} from './connection-options'
import {
  buildInferRequest,
  parseInferResponse,
  type InferRequestSpec,
  type InferResult,
} from './infer-messages'
import { loadTritonProto } from './proto-loader'
import type * as G from './generated/inference-types'
import { StreamCall, type StreamCallOptions } from './stream-call'
import { toTritonError } from './triton-error'

export type ModelIndexEntry = RepositoryIndexResponse__Output['models'][number]
export type ModelMetadata = ModelMetadataResponse__Output
export type ModelConfig = ModelConfig__Output
export type ModelStatistics = ModelStatistics__Output
export type ServerMetadata = ServerMetadataResponse__Output

interface CallOptionsIn {
  timeoutMs?: number
  signal?: AbortSignal
}

/**
 * A ModelInfer request serialized once, to be sent many times: a load test then spends no CPU
 * (and makes no garbage) re-encoding the same multi-megabyte tensors for every request.
 */
export interface PreparedInfer {
  readonly model: string
  readonly bytes: Buffer
}

type UnaryMethod<Req, Res> = (
  argument: Req,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: grpc.requestCallback<Res>,
) => grpc.ClientUnaryCall

/**
 * A Triton KServe v2 gRPC client: every unary RPC the app uses as a promise with a deadline,
 * and `openStream` for ModelStreamInfer. It never touches Electron; the CLI, the tests and
 * the desktop shell all use it as is.
 */
export class TritonClient {
  readonly connection: ResolvedConnection
  private readonly stub: GRPCInferenceServiceClient

  constructor(options: ConnectionOptions) {
    this.connection = resolveConnection(options)
    const proto = loadTritonProto()
    this.stub = new proto.inference.GRPCInferenceService(
      this.connection.endpoint.target,
      this.connection.credentials,
      this.connection.channelOptions,
    )
  }

  get target(): string {
    return this.connection.displayUrl
  }

  private unary<Req, Res>(
    method: UnaryMethod<Req, Res>,
    operation: string,
    request: Req,
    opts: CallOptionsIn = {},
  ): Promise<Res> {
    return this.call<Res>(
      (options, callback) =>
        method.call(this.stub, request, this.connection.metadata, options, callback),
      operation,
      opts,
    )
  }

  /** One unary call with the deadline and cancellation every call of ours has. */
  private call<Res>(
    start: (options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall,
    operation: string,
    opts: CallOptionsIn,
  ): Promise<Res> {
    const timeout = opts.timeoutMs ?? this.connection.timeoutMs
    return new Promise<Res>((resolve, reject) => {
      const call = start({ deadline: Date.now() + timeout }, (err, res) => {
        opts.signal?.removeEventListener('abort', onAbort)
        if (err) reject(toTritonError(err, this.connection.endpoint.target, operation))
        else resolve(res as Res)
      })
      const onAbort = (): void => call.cancel()
      opts.signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  async serverLive(opts?: CallOptionsIn): Promise<boolean> {
    return (
      await this.unary<G.ServerLiveRequest, G.ServerLiveResponse__Output>(
        this.stub.ServerLive,
        'ServerLive',
        {},
        opts,
      )
    ).live
  }

  async serverReady(opts?: CallOptionsIn): Promise<boolean> {
    return (
      await this.unary<G.ServerReadyRequest, G.ServerReadyResponse__Output>(
        this.stub.ServerReady,
        'ServerReady',
        {},
        opts,
      )
    ).ready
  }

  serverMetadata(opts?: CallOptionsIn): Promise<ServerMetadata> {
    return this.unary<G.ServerMetadataRequest, G.ServerMetadataResponse__Output>(
      this.stub.ServerMetadata,
      'ServerMetadata',
      {},
      opts,
    )
  }

  async modelReady(name: string, version = '', opts?: CallOptionsIn): Promise<boolean> {
    return (
      await this.unary<G.ModelReadyRequest, G.ModelReadyResponse__Output>(
        this.stub.ModelReady,
        `ModelReady(${name})`,
        { name, version },
        opts,
      )
    ).ready
  }

  modelMetadata(name: string, version = '', opts?: CallOptionsIn): Promise<ModelMetadata> {
    return this.unary<G.ModelMetadataRequest, G.ModelMetadataResponse__Output>(
      this.stub.ModelMetadata,
      `ModelMetadata(${name})`,
      { name, version },
      opts,
    )
  }

  async modelConfig(name: string, version = '', opts?: CallOptionsIn): Promise<ModelConfig> {
    const res = await this.unary<G.ModelConfigRequest, G.ModelConfigResponse__Output>(
      this.stub.ModelConfig,
      `ModelConfig(${name})`,
      { name, version },
      opts,
    )
    if (!res.config)
      throw toTritonError(
        new Error(`server sent no config for '${name}'`),
        this.target,
        'ModelConfig',
      )
    return res.config
  }

  async modelStatistics(name = '', version = '', opts?: CallOptionsIn): Promise<ModelStatistics[]> {
    const res = await this.unary<G.ModelStatisticsRequest, G.ModelStatisticsResponse__Output>(
      this.stub.ModelStatistics,
      'ModelStatistics',
      { name, version },
      opts,
    )
    return res.model_stats
  }

  async repositoryIndex(readyOnly = false, opts?: CallOptionsIn): Promise<ModelIndexEntry[]> {
    const res = await this.unary<G.RepositoryIndexRequest, G.RepositoryIndexResponse__Output>(
      this.stub.RepositoryIndex,
      'RepositoryIndex',
      { repository_name: '', ready: readyOnly },
      opts,
    )
    return res.models
  }

  async loadModel(name: string, opts?: CallOptionsIn): Promise<void> {
    await this.unary<G.RepositoryModelLoadRequest, G.RepositoryModelLoadResponse__Output>(
      this.stub.RepositoryModelLoad,
      `RepositoryModelLoad(${name})`,
      { model_name: name },
      opts,
    )
  }

  async unloadModel(name: string, opts?: CallOptionsIn): Promise<void> {
    await this.unary<G.RepositoryModelUnloadRequest, G.RepositoryModelUnloadResponse__Output>(
      this.stub.RepositoryModelUnload,
      `RepositoryModelUnload(${name})`,
      { model_name: name },
      opts,
    )
  }

  async registerSystemSharedMemory(
    region: { name: string; key: string; offset?: number; byteSize: number },
    opts?: CallOptionsIn,
  ): Promise<void> {
    await this.unary<
      G.SystemSharedMemoryRegisterRequest,
      G.SystemSharedMemoryRegisterResponse__Output
    >(
      this.stub.SystemSharedMemoryRegister,
      'SystemSharedMemoryRegister',
      {
        name: region.name,
        key: region.key,
        offset: region.offset ?? 0,
        byte_size: region.byteSize,
      },
      opts,
    )
  }

  async unregisterSystemSharedMemory(name = '', opts?: CallOptionsIn): Promise<void> {
    await this.unary<
      G.SystemSharedMemoryUnregisterRequest,
      G.SystemSharedMemoryUnregisterResponse__Output
    >(this.stub.SystemSharedMemoryUnregister, 'SystemSharedMemoryUnregister', { name }, opts)
  }

  async systemSharedMemoryStatus(
    name = '',
    opts?: CallOptionsIn,
  ): Promise<SystemSharedMemoryStatusResponse__Output['regions']> {
    const res = await this.unary<
      G.SystemSharedMemoryStatusRequest,
      G.SystemSharedMemoryStatusResponse__Output
    >(this.stub.SystemSharedMemoryStatus, 'SystemSharedMemoryStatus', { name }, opts)
    return res.regions
  }

  /** Unary inference; decoupled models need `openStream` instead. */
  async infer(spec: InferRequestSpec, opts?: CallOptionsIn): Promise<InferResult> {
    const res = await this.unary<G.ModelInferRequest, G.ModelInferResponse__Output>(
      this.stub.ModelInfer,
      `ModelInfer(${spec.model})`,
      buildInferRequest(spec),
      opts,
    )
    return parseInferResponse(res)
  }

  /** Serializes a unary request once, for `inferPrepared` to send as often as needed. */
  prepareInfer(spec: InferRequestSpec): PreparedInfer {
    const method = loadTritonProto().inference.GRPCInferenceService.service.ModelInfer
    return { model: spec.model, bytes: method.requestSerialize(buildInferRequest(spec)) }
  }

  /** Unary inference of a prepared request: the same answer as `infer`, without re-encoding. */
  async inferPrepared(prepared: PreparedInfer, opts: CallOptionsIn = {}): Promise<InferResult> {
    const method = loadTritonProto().inference.GRPCInferenceService.service.ModelInfer
    const res = await this.call<G.ModelInferResponse__Output>(
      (options, callback) =>
        this.stub.makeUnaryRequest(
          method.path,
          (bytes: Buffer) => bytes,
          method.responseDeserialize,
          prepared.bytes,
          this.connection.metadata,
          options,
          callback,
        ),
      `ModelInfer(${prepared.model})`,
      opts,
    )
    return parseInferResponse(res)
  }

  /** Opens one ModelStreamInfer call; requests on it keep their order on the server. */
  openStream(options: StreamCallOptions = {}): StreamCall {
    const call = this.stub.ModelStreamInfer(this.connection.metadata)
    return new StreamCall(call, this.connection.endpoint.target, options)
  }

  /** Resolves once the channel is connected, or rejects with a clear reason before the deadline. */
  waitForReady(timeoutMs = this.connection.timeoutMs): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stub.waitForReady(Date.now() + timeoutMs, (err) => {
        if (!err) return resolve()
        this.serverLive({ timeoutMs: Math.max(1000, Math.min(timeoutMs, 5000)) }).then(
          () => resolve(),
          (e: unknown) => reject(toTritonError(e, this.connection.endpoint.target, 'connect')),
        )
      })
    })
  }

  close(): void {
    this.stub.close()
  }
}
