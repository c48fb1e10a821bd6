import type { InferParameter__Output } from '../triton/generated/inference/InferParameter'
import type { ModelInferRequest__Output } from '../triton/generated/inference/ModelInferRequest'
import type { ModelInferResponse } from '../triton/generated/inference/ModelInferResponse'
import { encodeTensor, type Tensor } from '../triton/tensor-codec'
import type { DemoModel } from './demo-models'
import { DemoInferError } from './demo-inference-error'
import type { SharedMemoryRegistry } from './shared-memory-registry'

type RequestedOutput = ModelInferRequest__Output['outputs'][number]

function numberParam(p: InferParameter__Output | undefined): number | undefined {
  if (!p?.parameter_choice) return undefined
  return Number(p[p.parameter_choice])
}

/** Triton refuses a request naming an output the model does not have, before running it. */
export function checkRequestedOutputs(model: DemoModel, req: ModelInferRequest__Output): void {
  for (const o of req.outputs ?? []) {
    if (!model.outputs.some((s) => s.name === o.name)) {
      throw new DemoInferError(
        'INVALID_ARGUMENT',
        `unexpected inference output '${o.name}' for model '${model.name}'`,
      )
    }
  }
}

/**
 * One response as Triton's gRPC frontend builds it: only the requested outputs when some are
 * named, each with a raw entry; an output placed in shared memory is written into its region
 * and leaves an empty placeholder (server/src/grpc/infer_handler.cc ResponseAllocatorHelper).
 */
export function buildResponse(
  model: DemoModel,
  req: ModelInferRequest__Output,
  tensors: Tensor[],
  shm: SharedMemoryRegistry | undefined,
): ModelInferResponse {
  const requested = req.outputs ?? []
  const chosen = requested.length
    ? tensors.filter((t) => requested.some((o) => o.name === t.name))
    : tensors
  const raw = chosen.map((t) =>
    place(
      t,
      requested.find((o) => o.name === t.name),
      shm,
    ),
  )
  return {
    model_name: model.name,
    model_version: '1',
    id: req.id,
    outputs: chosen.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape })),
    raw_output_contents: raw,
  }
}

function place(tensor: Tensor, out: RequestedOutput | undefined, shm?: SharedMemoryRegistry) {
  const bytes = encodeTensor(tensor)
  const region = out?.parameters?.shared_memory_region
  if (!region?.parameter_choice) return bytes
  const name = String(region[region.parameter_choice])
  const room = numberParam(out?.parameters?.shared_memory_byte_size) ?? 0
  const offset = numberParam(out?.parameters?.shared_memory_offset) ?? 0
  if (bytes.byteLength > room) {
    throw new DemoInferError(
      'INTERNAL',
      `shared memory size specified with the request for output '${tensor.name}' (${room} bytes) should be at least ${bytes.byteLength} bytes to hold the results`,
      'OTHER',
    )
  }
  if (!shm)
    throw new DemoInferError('INVALID_ARGUMENT', 'shared memory is not enabled on this server')
  try {
    shm.write(name, offset, bytes)
  } catch (e) {
    throw new DemoInferError('INVALID_ARGUMENT', (e as Error).message)
  }
  return Buffer.alloc(0)
}
