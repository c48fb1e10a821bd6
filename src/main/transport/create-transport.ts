import type { GrpcMode, SharedMemoryMode } from '../../shared/transport-choice'
import type { ConnectionOptions } from '../triton/connection-options'
import { createTritonApi } from '../triton/create-triton-api'
import type { TritonApi } from '../triton/triton-api'
import { TritonClient } from '../triton/triton-client'
import { TritonError } from '../triton/triton-error'
import type { ChannelOptions, InferChannel, InferTransport } from './infer-channel'
import { RequestGroupChannel } from './request-group-channel'
import {
  SharedMemoryTransport,
  type SharedMemoryOptions,
} from './shared-memory/shared-memory-transport'

export interface TransportChoice {
  /** Default 'stream' on gRPC; HTTP has no stream, so only 'unary' (or nothing) fits it. */
  mode?: GrpcMode
  sharedMemory?: SharedMemoryMode
  sharedMemoryOptions?: SharedMemoryOptions
}

/** A transport with the client it talks through and what it holds (regions, sockets) to release. */
export interface EndpointTransport extends InferTransport {
  readonly api: TritonApi
  /** Why shared memory was asked for but is not used; undefined otherwise. */
  readonly fallbackReason?: string
  /** Unregisters and unlinks shared memory, and closes the client if the factory made it. */
  close(): Promise<void>
}

/** One ModelStreamInfer call per channel: a StreamCall is itself the channel. */
class GrpcStreamTransport implements InferTransport {
  readonly label = 'gRPC stream'
  constructor(private readonly client: TritonClient) {}
  get target(): string {
    return this.client.target
  }
  open(options: ChannelOptions = {}): InferChannel {
    return this.client.openStream(options)
  }
  ready(timeoutMs: number): Promise<void> {
    return this.client.waitForStreamReady(timeoutMs)
  }
  async close(): Promise<void> {}
}

class UnaryTransport implements InferTransport {
  constructor(
    private readonly api: TritonApi,
    readonly label: string,
  ) {}
  get target(): string {
    return this.api.target
  }
  ready(timeoutMs: number): Promise<void> {
    return this.api.waitForReady(timeoutMs)
  }
  async close(): Promise<void> {}
  open(options: ChannelOptions = {}): InferChannel {
    return new RequestGroupChannel(
      (spec, opts) => this.api.infer(spec, opts),
      { label: this.label, target: this.api.target },
      options,
    )
  }
}

function baseTransport(api: TritonApi, mode: GrpcMode | undefined): InferTransport {
  if (api.protocol === 'http') {
    if (mode === 'stream') {
      throw new TritonError(
        'invalid-argument',
        `${api.target} is an HTTP endpoint, which has no streaming`,
        'use a grpc:// URL for streaming, or leave out --streaming',
      )
    }
    return new UnaryTransport(api, 'HTTP')
  }
  if (mode === 'unary') return new UnaryTransport(api, 'gRPC unary')
  if (!(api instanceof TritonClient)) {
    throw new TritonError('internal', 'a gRPC stream needs the gRPC client', '')
  }
  return new GrpcStreamTransport(api)
}

/**
 * The one way to reach an endpoint for inference: the URL picks gRPC or HTTP, `mode` picks a
 * gRPC stream or unary calls, `sharedMemory: 'system'` puts tensors in regions on the same host.
 * Give it connection options (it then owns and closes the client) or a client to share.
 */
export function createTransport(
  connection: ConnectionOptions | TritonApi,
  choice: TransportChoice = {},
): EndpointTransport {
  const owned = !('protocol' in connection)
  const api = owned ? createTritonApi(connection as ConnectionOptions) : (connection as TritonApi)
  let base: InferTransport
  try {
    base = baseTransport(api, choice.mode)
  } catch (e) {
    if (owned) api.close()
    throw e
  }
  const shm =
    choice.sharedMemory === 'system'
      ? new SharedMemoryTransport(api, base, choice.sharedMemoryOptions)
      : undefined
  const inner = shm ?? base
  return {
    api,
    get label() {
      return inner.label
    },
    get fallbackReason() {
      return shm?.fallbackReason
    },
    get target() {
      return inner.target
    },
    open: (options) => inner.open(options),
    ready: (timeoutMs) => inner.ready(timeoutMs),
    close: async () => {
      await shm?.close()
      if (owned) api.close()
    },
  }
}
