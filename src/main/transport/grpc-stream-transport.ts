import type { TritonClient } from '../triton/triton-client'
import type { InferTransport } from './infer-channel'

/** The default transport: one ModelStreamInfer call per channel, requests kept in order. */
export function grpcStreamTransport(client: TritonClient): InferTransport {
  return {
    label: 'gRPC stream',
    target: client.target,
    open: (options) => client.openStream(options),
    ready: (timeoutMs) => client.waitForReady(timeoutMs),
  }
}
