import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as grpc from '@grpc/grpc-js'
import { datatypeToConfigType } from '../../shared/tensor-types'
import type { GRPCInferenceServiceHandlers } from '../triton/generated/inference/GRPCInferenceService'
import type { ModelConfig } from '../triton/generated/inference/ModelConfig'
import type { ModelStreamInferResponse } from '../triton/generated/inference/ModelStreamInferResponse'
import { loadTritonProto } from '../triton/proto-loader'
import { DemoInference, DemoInferError } from './demo-inference'
import { DemoMetricsPage } from './demo-metrics-page'
import { DEMO_MODELS, fullShape, type DemoModel } from './demo-models'
import { durationMessage } from './model-statistics-store'
import { SharedMemoryRegistry } from './shared-memory-registry'

export const DEMO_SERVER_NAME = 'triton-live-demo'
export const DEMO_SERVER_VERSION = '2.61.0-demo'
export const DEMO_EXTENSIONS = [
  'classification',
  'sequence',
  'sequence(string_id)',
  'model_repository',
  'model_repository(unload_dependents)',
  'model_configuration',
  'system_shared_memory',
  'binary_tensor_data',
  'parameters',
  'statistics',
]

export function modelConfigOf(model: DemoModel): ModelConfig {
  const base: ModelConfig = {
    name: model.name,
    platform: model.platform,
    backend: model.backend,
    max_batch_size: model.maxBatchSize,
    input: model.inputs.map((i) => ({
      name: i.name,
      data_type: datatypeToConfigType(i.datatype) as ModelConfig['input'] extends
        (infer T)[] | undefined
        ? T extends { data_type?: infer D }
          ? D
          : never
        : never,
      dims: i.dims,
      optional: Boolean(i.optional),
      format: i.name === 'images' ? 'FORMAT_NCHW' : 'FORMAT_NONE',
    })),
    output: model.outputs.map((o) => ({
      name: o.name,
      data_type: datatypeToConfigType(o.datatype) as never,
      dims: o.dims,
    })),
    instance_group: [{ name: `${model.name}_0`, kind: 'KIND_CPU', count: 1 }],
    parameters: Object.fromEntries(
      Object.entries(model.parameters ?? {}).map(([k, v]) => [k, { string_value: v }]),
    ),
    model_transaction_policy: { decoupled: Boolean(model.decoupled) },
  }
  if (model.sequence) {
    base.sequence_batching = {
      max_sequence_idle_microseconds: model.sequence.idleMicroseconds,
      oldest: {
        max_candidate_sequences: 64,
        preferred_batch_size: [1],
        max_queue_delay_microseconds: 0,
      },
      control_input: [
        { name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', fp32_false_true: [0, 1] }] },
        { name: 'READY', control: [{ kind: 'CONTROL_SEQUENCE_READY', fp32_false_true: [0, 1] }] },
        { name: 'END', control: [{ kind: 'CONTROL_SEQUENCE_END', fp32_false_true: [0, 1] }] },
        {
          name: 'CORRID',
          control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_UINT64' }],
        },
      ],
    }
  } else if (model.dynamicBatching) {
    base.dynamic_batching = { max_queue_delay_microseconds: 100 }
  }
  return base
}

function statusOf(e: unknown): { code: grpc.status; details: string } {
  if (e instanceof DemoInferError) return { code: grpc.status[e.code], details: e.message }
  return { code: grpc.status.INTERNAL, details: e instanceof Error ? e.message : String(e) }
}

function fail(callback: (err: Partial<grpc.ServiceError>) => void, e: unknown): void {
  callback(statusOf(e))
}

/** The endpoint could not open its port; `service` says which of its two. */
export class ListenError extends Error {
  constructor(
    readonly service: 'gRPC' | 'metrics',
    readonly address: string,
    readonly code: string | undefined,
    cause: string,
  ) {
    super(
      code === 'EADDRINUSE'
        ? `cannot serve ${service} on ${address}: the port is already in use (another demo endpoint, or a Triton?)`
        : `cannot serve ${service} on ${address}: ${cause}`,
    )
    this.name = 'ListenError'
  }
}

/** grpc-js reports a bind failure as one sentence with the socket error inside it. */
function socketCode(message: string): string | undefined {
  return /\b(EADDRINUSE|EACCES|EADDRNOTAVAIL)\b/.exec(message)?.[1]
}

export interface DemoEndpointOptions {
  host?: string
  /** 0 picks a free port. */
  port?: number
  /** Port of the Prometheus page; 0 picks a free port, null disables it. */
  metricsPort?: number | null
  models?: readonly DemoModel[]
  /** Serve gRPC over TLS with this PEM certificate and key; with `clientCa`, require client certificates (mTLS). */
  tls?: { cert: Buffer; key: Buffer; clientCa?: Buffer }
  /**
   * Every request takes this much longer inside its model's one instance, so a model serves at
   * most 1000 / delayMs requests per second: a slow model whose limit is known exactly.
   */
  delayMs?: number
}

export interface DemoEndpoint {
  url: string
  port: number
  metricsUrl?: string
  inference: DemoInference
  close(): Promise<void>
}

function handlers(
  inference: DemoInference,
  shm: SharedMemoryRegistry,
): GRPCInferenceServiceHandlers {
  const unimplemented =
    (name: string) =>
    <Req, Res>(_call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>): void =>
      cb({
        code: grpc.status.UNIMPLEMENTED,
        details: `${name} is not supported by the demo endpoint`,
      })
  return {
    ServerLive: (_c, cb) => cb(null, { live: true }),
    ServerReady: (_c, cb) => cb(null, { ready: true }),
    ServerMetadata: (_c, cb) =>
      cb(null, {
        name: DEMO_SERVER_NAME,
        version: DEMO_SERVER_VERSION,
        extensions: DEMO_EXTENSIONS,
      }),
    ModelReady: (call, cb) => {
      try {
        inference.get(call.request.name, call.request.version)
        cb(null, { ready: true })
      } catch {
        cb(null, { ready: false })
      }
    },
    ModelMetadata: (call, cb) => {
      try {
        const m = inference.get(call.request.name, call.request.version)
        cb(null, {
          name: m.name,
          versions: ['1'],
          platform: m.platform || m.backend,
          inputs: m.inputs.map((i) => ({
            name: i.name,
            datatype: i.datatype,
            shape: fullShape(m, i),
          })),
          outputs: m.outputs.map((o) => ({
            name: o.name,
            datatype: o.datatype,
            shape: fullShape(m, o),
          })),
        })
      } catch (e) {
        fail(cb, e)
      }
    },
    ModelConfig: (call, cb) => {
      try {
        cb(null, { config: modelConfigOf(inference.get(call.request.name, call.request.version)) })
      } catch (e) {
        fail(cb, e)
      }
    },
    ModelStatistics: (call, cb) => {
      try {
        const names = call.request.name
          ? [inference.get(call.request.name, call.request.version).name]
          : inference
              .list()
              .filter((x) => x.ready)
              .map((x) => x.model.name)
        cb(null, {
          model_stats: names.map((name) => {
            const c = inference.counters.get(name)
            if (!c) throw new DemoInferError('NOT_FOUND', `requested model '${name}' is not found`)
            return {
              name,
              version: '1',
              last_inference: c.lastInferenceMs,
              inference_count: c.inferenceCount.toString(),
              execution_count: c.executionCount.toString(),
              inference_stats: {
                success: durationMessage(c.success),
                fail: durationMessage(c.fail),
                queue: durationMessage(c.queue),
                compute_input: durationMessage(c.computeInput),
                compute_infer: durationMessage(c.computeInfer),
                compute_output: durationMessage(c.computeOutput),
                cache_hit: { count: 0, ns: 0 },
                cache_miss: { count: 0, ns: 0 },
              },
            }
          }),
        })
      } catch (e) {
        fail(cb, e)
      }
    },
    RepositoryIndex: (call, cb) =>
      cb(null, {
        models: inference
          .list()
          .filter((x) => !call.request.ready || x.ready)
          .map(({ model, ready }) => ({
            name: model.name,
            version: '1',
            state: ready ? 'READY' : 'UNAVAILABLE',
            reason: ready ? '' : 'unloaded',
          })),
      }),
    RepositoryModelLoad: (call, cb) => {
      try {
        inference.setLoaded(call.request.model_name, true)
        cb(null, {})
      } catch (e) {
        fail(cb, e)
      }
    },
    RepositoryModelUnload: (call, cb) => {
      try {
        inference.setLoaded(call.request.model_name, false)
        cb(null, {})
      } catch (e) {
        fail(cb, e)
      }
    },
    SystemSharedMemoryRegister: (call, cb) => {
      const r = call.request
      try {
        shm.register({
          name: r.name,
          key: r.key,
          offset: Number(r.offset),
          byteSize: Number(r.byte_size),
        })
        cb(null, {})
      } catch (e) {
        const msg = (e as Error).message
        cb({
          code: msg.includes('already') ? grpc.status.ALREADY_EXISTS : grpc.status.INVALID_ARGUMENT,
          details: msg,
        })
      }
    },
    SystemSharedMemoryUnregister: (call, cb) => {
      shm.unregister(call.request.name)
      cb(null, {})
    },
    SystemSharedMemoryStatus: (call, cb) => {
      try {
        const regions = shm.status(call.request.name)
        cb(null, {
          regions: Object.fromEntries(
            regions.map((r) => [
              r.name,
              { name: r.name, key: r.key, offset: r.offset, byte_size: r.byteSize },
            ]),
          ),
        })
      } catch (e) {
        cb({ code: grpc.status.NOT_FOUND, details: (e as Error).message })
      }
    },
    CudaSharedMemoryRegister: unimplemented('CUDA shared memory'),
    CudaSharedMemoryUnregister: unimplemented('CUDA shared memory'),
    CudaSharedMemoryStatus: unimplemented('CUDA shared memory'),
    TraceSetting: unimplemented('TraceSetting'),
    LogSettings: unimplemented('LogSettings'),
    ModelInfer: (call, cb) => {
      inference.execute(call.request, 'unary').then(
        (r) => cb(null, r.responses[0]),
        (e: unknown) => fail(cb, e),
      )
    },
    ModelStreamInfer: (call) => {
      // Requests on one stream answer in the order they arrived, as Triton guarantees.
      let chain = Promise.resolve()
      let open = true
      call.on('cancelled', () => (open = false))
      call.on('data', (req) => {
        chain = chain.then(async () => {
          const write = (msg: ModelStreamInferResponse): void => {
            if (open) call.write(msg)
          }
          try {
            const { responses, emptyFinal } = await inference.execute(req, 'stream')
            const decoupled = inference.get(req.model_name).decoupled
            responses.forEach((r, i) => {
              const final = !decoupled && i === responses.length - 1
              write({
                error_message: '',
                infer_response: {
                  ...r,
                  parameters: { triton_final_response: { bool_param: final } },
                },
              })
            })
            if (decoupled && emptyFinal) {
              write({
                error_message: '',
                infer_response: {
                  id: req.id,
                  model_name: req.model_name,
                  model_version: '1',
                  parameters: { triton_final_response: { bool_param: true } },
                },
              })
            }
          } catch (e) {
            write({
              error_message: statusOf(e).details,
              infer_response: {
                id: req.id,
                model_name: req.model_name,
                model_version: req.model_version || '1',
              },
            })
          }
        })
      })
      call.on('end', () => {
        void chain.then(() => {
          if (open) call.end()
        })
      })
    },
  }
}

function serverCredentials(tls: DemoEndpointOptions['tls']): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure()
  return grpc.ServerCredentials.createSsl(
    tls.clientCa ?? null,
    [{ cert_chain: tls.cert, private_key: tls.key }],
    Boolean(tls.clientCa),
  )
}

/** Starts the demo endpoint: the gRPC service and, unless disabled, the /metrics page. */
export async function startDemoEndpoint(options: DemoEndpointOptions = {}): Promise<DemoEndpoint> {
  const host = options.host ?? '127.0.0.1'
  const shm = new SharedMemoryRegistry()
  const inference = new DemoInference(options.models ?? DEMO_MODELS, shm, {
    delayMs: options.delayMs,
  })
  const proto = loadTritonProto()
  const server = new grpc.Server({
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  })
  server.addService(proto.inference.GRPCInferenceService.service, handlers(inference, shm))
  const bindHost = host.includes(':') ? `[${host}]` : host
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${bindHost}:${options.port ?? 0}`,
      serverCredentials(options.tls),
      (err, p) =>
        err
          ? reject(
              new ListenError(
                'gRPC',
                `${bindHost}:${options.port ?? 0}`,
                socketCode(err.message),
                err.message,
              ),
            )
          : resolve(p),
    ),
  )
  let http: HttpServer | undefined
  let metricsUrl: string | undefined
  if (options.metricsPort !== null) {
    const page = new DemoMetricsPage(inference)
    http = createServer((req, res) => {
      if (req.url === '/metrics' || req.url?.startsWith('/metrics?')) {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
        res.end(page.render())
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' })
        res.end('not found; metrics are at /metrics\n')
      }
    })
    const h = http
    try {
      await new Promise<void>((resolve, reject) => {
        h.once('error', (e: NodeJS.ErrnoException) =>
          reject(
            new ListenError(
              'metrics',
              `${bindHost}:${options.metricsPort ?? 0}`,
              e.code,
              e.message,
            ),
          ),
        )
        h.listen(options.metricsPort ?? 0, host, () => resolve())
      })
    } catch (e) {
      // The gRPC port is already open: give it back rather than leave it held.
      server.forceShutdown()
      throw e
    }
    metricsUrl = `http://${bindHost}:${(h.address() as AddressInfo).port}/metrics`
  }
  return {
    url: `${options.tls ? 'grpcs://' : ''}${bindHost}:${port}`,
    port,
    metricsUrl,
    inference,
    close: async () => {
      // Let answers in flight finish briefly, then cut open streams as a stopping server does.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500)
        server.tryShutdown(() => {
          clearTimeout(timer)
          resolve()
        })
      })
      server.forceShutdown()
      if (http) {
        http.closeAllConnections()
        await new Promise<void>((resolve) => http.close(() => resolve()))
      }
    },
  }
}
