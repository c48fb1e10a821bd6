import type { InferRequestSpec } from '../triton/infer-messages'
import type { StreamCall } from '../triton/stream-call'
import { TritonError } from '../triton/triton-error'
import type { ChannelRequestOptions, InferAnswer, InferChannel } from './infer-channel'

/**
 * One ModelStreamInfer call as an InferChannel: requests keep their order on the server, and
 * each may carry its own deadline. A stream cannot withdraw one request, so a request past its
 * deadline fails here at once while its late answer, if any, is dropped by id.
 */
export class GrpcStreamChannel implements InferChannel {
  readonly ordered = true
  private waiting = 0
  private idle: Array<() => void> = []
  private abandoned = 0

  constructor(
    private readonly stream: StreamCall,
    private readonly target: string,
  ) {}

  get inFlight(): number {
    return this.waiting
  }

  get closed(): boolean {
    return this.stream.closed
  }

  onDidClose(listener: (error: TritonError | null) => void): () => void {
    return this.stream.onDidClose(listener)
  }

  async infer(spec: InferRequestSpec, options: ChannelRequestOptions = {}): Promise<InferAnswer> {
    const answer = this.stream.infer(spec, { onResponse: options.onResponse })
    this.waiting += 1
    let timer: NodeJS.Timeout | undefined
    try {
      if (options.deadlineMs === undefined) return await answer
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          this.abandoned += 1
          // The late answer, if it comes, settles a promise nobody waits for.
          answer.catch(() => undefined).finally(() => (this.abandoned -= 1))
          reject(
            new TritonError(
              'timeout',
              `${spec.model} on ${this.target} did not answer a request in ${options.deadlineMs} ms`,
              'the server or the link is slow; the stream stays open for the next requests',
            ),
          )
        }, options.deadlineMs)
      })
      return await Promise.race([answer, deadline])
    } finally {
      if (timer) clearTimeout(timer)
      this.waiting -= 1
      if (this.waiting === 0) for (const r of this.idle.splice(0)) r()
    }
  }

  async end(): Promise<void> {
    if (this.waiting > 0) await new Promise<void>((r) => this.idle.push(r))
    // Answers given up on may never come; half-closing would then wait for them forever.
    if (this.abandoned > 0) this.stream.cancel()
    else await this.stream.end()
  }

  cancel(): void {
    this.stream.cancel()
  }
}
