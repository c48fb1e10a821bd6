import * as grpc from '@grpc/grpc-js'
import type { GRPCInferenceServiceClient } from './generated/inference/GRPCInferenceService'
import {
  resolveConnection,
  type ConnectionOptions,
  type ResolvedConnection,
} from './connection-options'
import {
  parseInferResponse,
  sharedMemoryOutputNames,
  type InferRequestSpec,
  type InferResult,
} from './infer-messages'
import { DecodeError } from './decode-error'
import { serviceError, Status } from './grpc-http2-call'
import { GrpcHttp2Connection } from './grpc-http2-connection'
import { serializeInferRequest } from './infer-request-writer'
import { readInferResponse } from './infer-response-reader'
import { loadTritonProto } from './proto-loader'
import { checkModelConfig, checkModelMetadata } from './server-output-checks'
import type * as G from './generated/inference-types'
import { StreamCall, type StreamCallOptions } from './stream-call'
import { explainProbeVerdict } from './tls-failure'
import { probeTls } from './tls-probe'
import { TritonError, toTritonError } from './triton-error'

import type {
  CallOptions as CallOptionsIn,
  ModelConfig,
  ModelIndexEntry,
  ModelMetadata,
  ModelStatistics,
  ServerMetadata,
  SharedMemoryRegionStatus,
  SystemSharedMemoryRegistration,
  TritonApi,
} from './triton-api'

export type {
  ModelConfig,
  ModelIndexEntry,
  ModelMetadata,
  ModelStatistics,
  ServerMetadata,
} from './triton-api'

type UnaryMethod<Req, Res> = (
  argument: Req,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: grpc.requestCallback<Res>,
) => grpc.ClientUnaryCall

/** The serializer of a call whose messages are bytes already. */
const asIs = (bytes: Buffer): Buffer => bytes

/** Causes that a TLS probe cannot explain better than grpc-js already did. */
const UNEXPLAINED_SOCKET_CAUSE =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|getaddrinfo|Name resolution|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|timed out/i
const TLS_PROBE_MS = 2000

/**
 * A Triton KServe v2 gRPC client: every unary RPC the app uses as a promise with a deadline,
 * and `openStream` for ModelStreamInfer. It never touches Electron; the CLI, the tests and
 * the desktop shell all use it as is.
 */
export class TritonClient implements TritonApi {
  readonly protocol = 'grpc' as const
  readonly connection: ResolvedConnection
  private readonly stub: GRPCInferenceServiceClient
  /** ModelStreamInfer's own connection, dialled with the first stream. */
  private streams: GrpcHttp2Connection | undefined

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

  /**
   * The failure as a TritonError. When grpc-js can say only that the connection failed, one
   * TLS handshake of our own finds out whether TLS is the cause (a plaintext client at a TLS
   * port, a refused client certificate), so the message names it instead of "is it running?".
   */
  private async explain(err: unknown, operation: string): Promise<TritonError> {
    const c = this.connection
    const error = toTritonError(err, c.endpoint.target, operation, c.tlsContext, c.sent)
    const details = (err as Partial<grpc.ServiceError>).details ?? ''
    if (error.kind !== 'unreachable' || UNEXPLAINED_SOCKET_CAUSE.test(details)) return error
    const verdict = await probeTls(c.endpoint, c.tlsOptions, TLS_PROBE_MS)
    const known = explainProbeVerdict(verdict, c.endpoint.target, c.tlsContext)
    return known ? new TritonError('tls', known.message, known.hint, error.grpcCode) : error
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
        if (err) void this.explain(err, operation).then(reject)
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

  async modelMetadata(name: string, version = '', opts?: CallOptionsIn): Promise<ModelMetadata> {
    const meta = await this.unary<G.ModelMetadataRequest, G.ModelMetadataResponse__Output>(
      this.stub.ModelMetadata,
      `ModelMetadata(${name})`,
      { name, version },
      opts,
    )
    checkModelMetadata(meta, name)
    return meta
  }

  async modelConfig(name: string, version = '', opts?: CallOptionsIn): Promise<ModelConfig> {
    const res = await this.unary<G.ModelConfigRequest, G.ModelConfigResponse__Output>(
      this.stub.ModelConfig,
      `ModelConfig(${name})`,
      { name, version },
      opts,
    )
    if (!res.config) {
      throw new DecodeError(
        `the server's output is wrong: ModelConfig of '${name}' holds no config`,
        {
          hint: 'the server answered without the model configuration; the other models are unaffected',
        },
      )
    }
    checkModelConfig(res.config, name)
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
    region: SystemSharedMemoryRegistration,
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
  ): Promise<SharedMemoryRegionStatus> {
    const res = await this.unary<
      G.SystemSharedMemoryStatusRequest,
      G.SystemSharedMemoryStatusResponse__Output
    >(this.stub.SystemSharedMemoryStatus, 'SystemSharedMemoryStatus', { name }, opts)
    return res.regions
  }

  /** Unary inference; decoupled models need `openStream` instead. */
  infer(spec: InferRequestSpec, opts?: CallOptionsIn): Promise<InferResult> {
    const bytes = serializeInferRequest(spec)
    return this.inferBytes(spec.model, bytes, sharedMemoryOutputNames(spec), opts)
  }

  /** One ModelInfer call whose request is already serialized (infer-request-writer.ts). */
  private async inferBytes(
    model: string,
    bytes: Buffer,
    placed: ReadonlySet<string>,
    opts: CallOptionsIn = {},
  ): Promise<InferResult> {
    const method = loadTritonProto().inference.GRPCInferenceService.service.ModelInfer
    const res = await this.call<G.ModelInferResponse__Output>(
      (options, callback) =>
        this.stub.makeUnaryRequest(
          method.path,
          asIs,
          readInferResponse,
          bytes,
          this.connection.metadata,
          options,
          callback,
        ),
      `ModelInfer(${model})`,
      opts,
    )
    return parseInferResponse(res, placed)
  }

  /**
   * Opens one ModelStreamInfer call; requests on it keep their order on the server. Streams run
   * on a node:http2 connection of their own with the channel's settings (TLS, headers, windows,
   * keepalive), framed by StreamCall without grpc-js's copies; the unary calls stay on grpc-js.
   */
  openStream(options: StreamCallOptions = {}): StreamCall {
    return new StreamCall(this.streamConnection(), this.connection.endpoint.target, options)
  }

  private streamConnection(): GrpcHttp2Connection {
    this.streams ??= new GrpcHttp2Connection(this.connection.http2)
    return this.streams
  }

  /**
   * `waitForReady` for streams: the channel, then the streams' own connection, so a stream
   * opened next starts on a link that is up (not on one the server just dropped).
   */
  async waitForStreamReady(timeoutMs = this.connection.timeoutMs): Promise<void> {
    // At least a second for the dial itself, whatever the channel took.
    const deadline = Date.now() + Math.max(timeoutMs, 1000)
    await this.waitForReady(timeoutMs)
    const error = await this.streamConnection().ready(Math.max(deadline, Date.now() + 1000))
    if (error === undefined) return
    throw toTritonError(
      serviceError({
        code: Status.UNAVAILABLE,
        details: `No connection established. Last error: ${error}`,
      }),
      this.connection.endpoint.target,
      'connect',
    )
  }

  /** Resolves once the channel is connected, or rejects with a clear reason before the deadline. */
  waitForReady(timeoutMs = this.connection.timeoutMs): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stub.waitForReady(Date.now() + timeoutMs, (err) => {
        if (!err) return resolve()
        // waitForReady says only "deadline"; one real call says why (refused, TLS, auth).
        this.serverLive({ timeoutMs: Math.max(250, Math.min(timeoutMs, 5000)) }).then(
          () => resolve(),
          (e: unknown) => reject(toTritonError(e, this.connection.endpoint.target, 'connect')),
        )
      })
    })
  }

  close(): void {
    this.stub.close()
    this.streams?.close()
  }
}
