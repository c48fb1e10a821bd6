import * as grpc from '@grpc/grpc-js'
import type { GRPCInferenceServiceHandlers } from '../triton/generated/inference/GRPCInferenceService'
import type { ModelStreamInferResponse } from '../triton/generated/inference/ModelStreamInferResponse'
import {
  modelConfigOf,
  modelMetadataMessage,
  modelStatisticsMessages,
  repositoryIndexMessage,
  serverMetadataMessage,
  type DemoSharedMemory,
} from './demo-control'
import type { DemoInference } from './demo-inference'
import { DemoInferError } from './demo-inference-error'

export function grpcStatusOf(e: unknown): { code: grpc.status; details: string } {
  if (e instanceof DemoInferError) return { code: grpc.status[e.code], details: e.message }
  return { code: grpc.status.INTERNAL, details: e instanceof Error ? e.message : String(e) }
}

/** Runs a control call and answers with its message or Triton's status for its failure. */
function answer<Res>(cb: grpc.sendUnaryData<Res>, run: () => Res): void {
  let res: Res
  try {
    res = run()
  } catch (e) {
    cb(grpcStatusOf(e))
    return
  }
  cb(null, res)
}

function streamInfer(inference: DemoInference): GRPCInferenceServiceHandlers['ModelStreamInfer'] {
  return (call) => {
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
            error_message: grpcStatusOf(e).details,
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
  }
}

/** The GRPCInferenceService of the demo endpoint, on the shared control messages and inference. */
export function grpcHandlers(
  inference: DemoInference,
  shm: DemoSharedMemory,
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
    ServerMetadata: (_c, cb) => cb(null, serverMetadataMessage()),
    ModelReady: (call, cb) => {
      try {
        inference.get(call.request.name, call.request.version)
        cb(null, { ready: true })
      } catch {
        cb(null, { ready: false })
      }
    },
    ModelMetadata: (call, cb) =>
      answer(cb, () =>
        modelMetadataMessage(inference.get(call.request.name, call.request.version)),
      ),
    ModelConfig: (call, cb) =>
      answer(cb, () => ({
        config: modelConfigOf(inference.get(call.request.name, call.request.version)),
      })),
    ModelStatistics: (call, cb) =>
      answer(cb, () => ({
        model_stats: modelStatisticsMessages(inference, call.request.name, call.request.version),
      })),
    RepositoryIndex: (call, cb) => cb(null, repositoryIndexMessage(inference, call.request.ready)),
    RepositoryModelLoad: (call, cb) =>
      answer(cb, () => (inference.setLoaded(call.request.model_name, true), {})),
    RepositoryModelUnload: (call, cb) =>
      answer(cb, () => (inference.setLoaded(call.request.model_name, false), {})),
    SystemSharedMemoryRegister: (call, cb) =>
      answer(cb, () => {
        const r = call.request
        shm.register({
          name: r.name,
          key: r.key,
          offset: Number(r.offset),
          byteSize: Number(r.byte_size),
        })
        return {}
      }),
    SystemSharedMemoryUnregister: (call, cb) =>
      answer(cb, () => (shm.unregister(call.request.name), {})),
    SystemSharedMemoryStatus: (call, cb) =>
      answer(cb, () => ({
        regions: Object.fromEntries(
          shm
            .status(call.request.name)
            .map((r) => [
              r.name,
              { name: r.name, key: r.key, offset: r.offset, byte_size: r.byteSize },
            ]),
        ),
      })),
    CudaSharedMemoryRegister: unimplemented('CUDA shared memory'),
    CudaSharedMemoryUnregister: unimplemented('CUDA shared memory'),
    CudaSharedMemoryStatus: unimplemented('CUDA shared memory'),
    TraceSetting: unimplemented('TraceSetting'),
    LogSettings: unimplemented('LogSettings'),
    ModelInfer: (call, cb) => {
      inference.execute(call.request, 'unary').then(
        (r) => cb(null, r.responses[0]),
        (e: unknown) => cb(grpcStatusOf(e)),
      )
    },
    ModelStreamInfer: streamInfer(inference),
  }
}
