import type { ConnectionOptions } from '../../triton/connection-options'
import {
  sharedMemoryOutputNames,
  type InferRequestSpec,
  type InferResult,
} from '../../triton/infer-messages'
import { TensorShapeError } from '../../triton/tensor-codec'
import type {
  CallOptions,
  ModelConfig,
  ModelIndexEntry,
  ModelMetadata,
  ModelStatistics,
  ServerMetadata,
  SharedMemoryRegionStatus,
  SystemSharedMemoryRegistration,
  TritonApi,
} from '../../triton/triton-api'
import { TritonError } from '../../triton/triton-error'
import { HttpConnection, type HttpCall, type HttpResponse } from './http-connection'
import { httpStatusError } from './http-errors'
import {
  decodeHttpInferResponse,
  encodeHttpInferRequest,
  INFER_HEADER_LENGTH,
  type HttpTensorFormat,
} from './kserve-infer-codec'
import { asGrpcMessage, parseJsonBody, toJsonText } from './kserve-json'

export interface KServeHttpOptions {
  /** 'auto' (the default) sends binary tensors when the server lists `binary_tensor_data`. */
  tensorFormat?: HttpTensorFormat | 'auto'
}

function modelPath(name: string, version = ''): string {
  const base = `/v2/models/${encodeURIComponent(name)}`
  return version ? `${base}/versions/${encodeURIComponent(version)}` : base
}

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name]
  return Array.isArray(v) ? v[0] : v
}

/**
 * Triton's KServe v2 HTTP/REST API as a TritonApi: the same calls, typed results and error
 * kinds as the gRPC client, over undici. Inference uses the binary tensor data extension when
 * the server has it and JSON tensors otherwise.
 */
export class KServeHttpClient implements TritonApi {
  readonly protocol = 'http' as const
  readonly connection: HttpConnection
  private readonly formatChoice: HttpTensorFormat | 'auto'
  private format: Promise<HttpTensorFormat> | undefined

  constructor(options: ConnectionOptions, http: KServeHttpOptions = {}) {
    this.connection = new HttpConnection(options)
    this.formatChoice = http.tensorFormat ?? 'auto'
  }

  get target(): string {
    return this.connection.displayUrl
  }

  private async send(call: HttpCall): Promise<HttpResponse> {
    const res = await this.connection.call(call)
    if (res.status >= 200 && res.status < 300) return res
    throw httpStatusError(res.status, res.body, this.target, call.operation, this.connection.sent)
  }

  private async getJson(path: string, operation: string, opts?: CallOptions): Promise<unknown> {
    const res = await this.send({ method: 'GET', path, operation, ...opts })
    return parseJsonBody(res.body, operation)
  }

  private async post(path: string, operation: string, body: unknown, opts?: CallOptions) {
    return this.send({
      method: 'POST',
      path,
      operation,
      headers: { 'content-type': 'application/json' },
      body: toJsonText(body),
      ...opts,
    })
  }

  /** Health answers 200 for yes and 400 for no (Triton's HandleServerHealth, HandleModelReady). */
  private async healthy(path: string, operation: string, opts?: CallOptions): Promise<boolean> {
    const res = await this.connection.call({ method: 'GET', path, operation, ...opts })
    if (res.status === 200) return true
    if (res.status === 400 || res.status === 404) return false
    throw httpStatusError(res.status, res.body, this.target, operation, this.connection.sent)
  }

  serverLive(opts?: CallOptions): Promise<boolean> {
    return this.healthy('/v2/health/live', 'ServerLive', opts)
  }

  serverReady(opts?: CallOptions): Promise<boolean> {
    return this.healthy('/v2/health/ready', 'ServerReady', opts)
  }

  async serverMetadata(opts?: CallOptions): Promise<ServerMetadata> {
    const json = await this.getJson('/v2', 'ServerMetadata', opts)
    return asGrpcMessage('ServerMetadata', json, 'server metadata')
  }

  modelReady(name: string, version = '', opts?: CallOptions): Promise<boolean> {
    return this.healthy(`${modelPath(name, version)}/ready`, `ModelReady(${name})`, opts)
  }

  async modelMetadata(name: string, version = '', opts?: CallOptions): Promise<ModelMetadata> {
    const op = `ModelMetadata(${name})`
    return asGrpcMessage(
      'ModelMetadata',
      await this.getJson(modelPath(name, version), op, opts),
      op,
    )
  }

  async modelConfig(name: string, version = '', opts?: CallOptions): Promise<ModelConfig> {
    const op = `ModelConfig(${name})`
    const json = await this.getJson(`${modelPath(name, version)}/config`, op, opts)
    const res = asGrpcMessage('ModelConfig', { config: json }, `config of '${name}'`)
    if (!res.config) throw new TritonError('internal', `server sent no config for '${name}'`, '')
    return res.config
  }

  async modelStatistics(name = '', version = '', opts?: CallOptions): Promise<ModelStatistics[]> {
    const path = name ? `${modelPath(name, version)}/stats` : '/v2/models/stats'
    const json = await this.getJson(path, 'ModelStatistics', opts)
    return asGrpcMessage('ModelStatistics', json, 'statistics').model_stats
  }

  async repositoryIndex(readyOnly = false, opts?: CallOptions): Promise<ModelIndexEntry[]> {
    const res = await this.post(
      '/v2/repository/index',
      'RepositoryIndex',
      { ready: readyOnly },
      opts,
    )
    const models = parseJsonBody(res.body, 'repository index')
    return asGrpcMessage('RepositoryIndex', { models }, 'repository index').models
  }

  async loadModel(name: string, opts?: CallOptions): Promise<void> {
    const path = `/v2/repository/models/${encodeURIComponent(name)}/load`
    await this.post(path, `RepositoryModelLoad(${name})`, {}, opts)
  }

  async unloadModel(name: string, opts?: CallOptions): Promise<void> {
    const path = `/v2/repository/models/${encodeURIComponent(name)}/unload`
    await this.post(path, `RepositoryModelUnload(${name})`, {}, opts)
  }

  async registerSystemSharedMemory(
    region: SystemSharedMemoryRegistration,
    opts?: CallOptions,
  ): Promise<void> {
    const path = `/v2/systemsharedmemory/region/${encodeURIComponent(region.name)}/register`
    const body = { key: region.key, offset: region.offset ?? 0, byte_size: region.byteSize }
    await this.post(path, 'SystemSharedMemoryRegister', body, opts)
  }

  async unregisterSystemSharedMemory(name = '', opts?: CallOptions): Promise<void> {
    const region = name ? `/region/${encodeURIComponent(name)}` : ''
    await this.post(
      `/v2/systemsharedmemory${region}/unregister`,
      'SystemSharedMemoryUnregister',
      {},
      opts,
    )
  }

  async systemSharedMemoryStatus(name = '', opts?: CallOptions): Promise<SharedMemoryRegionStatus> {
    const region = name ? `/region/${encodeURIComponent(name)}` : ''
    const json = await this.getJson(
      `/v2/systemsharedmemory${region}/status`,
      'SystemSharedMemoryStatus',
      opts,
    )
    const list = Array.isArray(json) ? (json as Array<{ name?: unknown }>) : []
    const regions = Object.fromEntries(list.map((r) => [String(r.name), r]))
    return asGrpcMessage('SystemSharedMemoryStatus', { regions }, 'shared memory status').regions
  }

  /** Binary tensors unless the server lacks the extension (or the caller chose JSON). */
  tensorFormat(opts?: CallOptions): Promise<HttpTensorFormat> {
    if (this.formatChoice !== 'auto') return Promise.resolve(this.formatChoice)
    this.format ??= this.serverMetadata(opts).then(
      (m) => (m.extensions.includes('binary_tensor_data') ? 'binary' : 'json'),
      (e: unknown) => {
        this.format = undefined
        throw e
      },
    )
    return this.format
  }

  async infer(spec: InferRequestSpec, opts?: CallOptions): Promise<InferResult> {
    const operation = `ModelInfer(${spec.model})`
    const format = await this.tensorFormat(opts)
    let encoded
    try {
      encoded = encodeHttpInferRequest(spec, format)
    } catch (e) {
      if (e instanceof TensorShapeError) {
        throw new TritonError(
          'invalid-argument',
          `${operation}: ${e.message}`,
          'fix the input or the model profile',
        )
      }
      throw e
    }
    const res = await this.send({
      method: 'POST',
      path: `${modelPath(spec.model, spec.version)}/infer`,
      operation,
      headers: encoded.headers,
      body: encoded.body,
      ...opts,
    })
    const length = header(res, INFER_HEADER_LENGTH)
    try {
      return decodeHttpInferResponse(
        res.body,
        length === undefined ? undefined : Number(length),
        sharedMemoryOutputNames(spec),
      )
    } catch (e) {
      if (e instanceof TritonError) throw e
      throw new TritonError(
        'model-error',
        `bad response to ${operation}: ${(e as Error).message}`,
        'check the model outputs',
      )
    }
  }

  async waitForReady(timeoutMs = this.connection.timeoutMs): Promise<void> {
    if (!(await this.serverLive({ timeoutMs }))) {
      throw new TritonError(
        'unreachable',
        `${this.target} answers but says it is not live`,
        'the server is starting or shutting down; try again shortly',
      )
    }
  }

  close(): void {
    this.connection.close()
  }
}
