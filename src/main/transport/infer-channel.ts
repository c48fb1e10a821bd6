import type { InferRequestSpec, InferResult } from '../triton/infer-messages'
import type { TritonError } from '../triton/triton-error'

/** Every request's answer: all its responses (several for a decoupled model) and its timing. */
export interface InferAnswer {
  id: string
  responses: InferResult[]
  /** From the write of the request to its final response. */
  latencyMs: number
  /** From the write to the first response (decoupled models answer in parts). */
  firstResponseMs: number
}

export interface ChannelRequestOptions {
  /** Called for every response as it arrives; `final` on the last one. */
  onResponse?: (result: InferResult, final: boolean) => void
  /**
   * The request fails with a TritonError of kind 'timeout' when its final response has not
   * arrived this long after it was written. No deadline when absent.
   */
  deadlineMs?: number
}

/** A response the channel could not pair with a request it sent: counted, never attributed. */
export interface UnmatchedResponse {
  /** The id the server sent ('' when it sent none). */
  id: string
  reason: 'no-id' | 'unknown-id'
}

export interface ChannelOptions {
  /** The model may answer one request with 0..N responses, the last flagged final. */
  decoupled?: boolean
  /** Prefix of the request ids this channel generates, so logs tell channels apart. */
  idPrefix?: string
  onUnmatched?: (response: UnmatchedResponse) => void
}

/**
 * One attempt at talking to a server for a session: a gRPC ModelStreamInfer call, or a group of
 * unary gRPC or HTTP requests. A session opens a new channel after a link failure and replays
 * what was not answered on it. Requests are matched to answers by id only.
 */
export interface InferChannel {
  /** True when requests reach the model in the order they were sent (one gRPC stream). */
  readonly ordered: boolean
  /** Requests written and not yet finally answered. */
  readonly inFlight: number
  readonly closed: boolean
  /**
   * Sends one request; resolves with every response once the final one arrives. A stream sends
   * large tensors straight from their memory, possibly after this returns (flow control): the
   * caller must leave the tensors' bytes unchanged until the promise settles.
   */
  infer(spec: InferRequestSpec, options?: ChannelRequestOptions): Promise<InferAnswer>
  /** Called once when the channel ends: `null` for a clean end, the error otherwise. */
  onDidClose(listener: (error: TritonError | null) => void): () => void
  /** Waits for every request in flight, then closes cleanly. */
  end(): Promise<void>
  /** Abandons the channel; requests in flight reject with kind 'cancelled'. */
  cancel(): void
}

/** How a session reaches one endpoint: it opens channels and says how the bytes travel. */
export interface InferTransport {
  /** For messages and reports: 'gRPC stream', 'gRPC unary', 'HTTP', with '+ shm' when used. */
  readonly label: string
  /** Where requests go, for messages: 'grpc://host:8001'. */
  readonly target: string
  open(options?: ChannelOptions): InferChannel
  /**
   * Resolves as soon as the endpoint can take requests, or rejects (with the reason) once
   * `timeoutMs` has passed without that. Sessions wait on it between reconnect attempts, so
   * they are back the moment the server is.
   */
  ready(timeoutMs: number): Promise<void>
  /** Releases what the transport holds for its session (shared-memory regions); idempotent. */
  close(): Promise<void>
}

/** How long a channel whose answers are all in waits for the server to close its side. */
export const END_GRACE_MS = 2000

/**
 * Ends `channel` cleanly, or abandons it when the server has not closed its side within
 * END_GRACE_MS: every answer is in by then, so a server that never ends the call must not
 * hold the caller. Resolves true for a clean end.
 */
export async function endWithin(channel: InferChannel, graceMs = END_GRACE_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const clean = await Promise.race([
    channel.end().then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
  ])
  clearTimeout(timer)
  if (!clean) channel.cancel()
  return clean
}
