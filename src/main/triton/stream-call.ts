import { EventEmitter } from 'node:events'
import { performance } from 'node:perf_hooks'
import type { ModelStreamInferResponse__Output } from './generated/inference/ModelStreamInferResponse'
import type {
  ChannelOptions,
  ChannelRequestOptions,
  InferAnswer,
  InferChannel,
  UnmatchedResponse,
} from '../transport/infer-channel'
import {
  parseInferResponse,
  sharedMemoryOutputNames,
  type InferRequestSpec,
  type InferResult,
} from './infer-messages'
import { safeLine } from '../../shared/safe-text'
import { GrpcHttp2Call, serviceError, Status } from './grpc-http2-call'
import type { GrpcHttp2Connection } from './grpc-http2-connection'
import { inferRequestParts, type RequestParts, type RequestWriting } from './infer-request-writer'
import { readStreamInferResponse } from './infer-response-reader'
import { RequestBuffers } from './request-buffers'
import { loadTritonProto } from './proto-loader'
import { firstRawOutputOffset } from './stream-response-layout'
import { TritonError, toTritonError } from './triton-error'

export type StreamCallOptions = ChannelOptions

interface Pending {
  id: string
  model: string
  sentAt: number
  /** performance.now() after which the call is taken as stalled. */
  deadlineAt: number
  firstAt?: number
  responses: InferResult[]
  /** Outputs the server writes into shared memory: the response carries only their shapes. */
  placed: ReadonlySet<string>
  onResponse?: ChannelRequestOptions['onResponse']
  resolve: (o: InferAnswer) => void
  /** A TritonError, or a plain Error when the answer could not be parsed (a decode error). */
  reject: (e: Error) => void
}

/** A request made and not yet written, with the deadline it gets once written. */
interface Outgoing {
  pending: Pending
  request: RequestParts
  deadlineMs: number | undefined
}

/** ModelStreamInfer's path; proto/ loads with the first stream. */
const modelStreamInferPath = () =>
  loadTritonProto().inference.GRPCInferenceService.service.ModelStreamInfer.path

let callCounter = 0

/**
 * One ModelStreamInfer call, as an InferChannel. Every request gets an id and responses are
 * matched by id only (several per request for decoupled models, ending at
 * `triton_final_response`); a response with no id or an id it did not send is counted as
 * unmatched and never credited to a request. A failed request comes back as `error_message`
 * and rejects only that request; the stream stays open. A request past its deadline means the
 * ordered stream is stalled: the call ends with a 'timeout' error and everything pending
 * rejects, so nothing waits forever. A stream-level failure rejects everything pending.
 *
 * The call runs on node:http2 (grpc-http2-call.ts): each request is written as the request
 * writer's pieces, its tensors straight from their memory, and each answer is copied once out
 * of the DATA frames, placed so its first tensor can be read in place, and read into its
 * object by infer-response-reader.ts.
 */
export class StreamCall implements InferChannel {
  readonly ordered = true
  private readonly call: GrpcHttp2Call
  private readonly target: string
  private readonly decoupled: boolean
  private readonly prefix: string
  private readonly onUnmatched: ((r: UnmatchedResponse) => void) | undefined
  private readonly pending = new Map<string, Pending>()
  private readonly events = new EventEmitter()
  private counter = 0
  /** Requests made while the stream waits for 'drain', oldest first. */
  private readonly outbox: Outgoing[] = []
  private waitingForDrain = false
  private closedWith: TritonError | null | undefined
  private cancelled = false
  private deadlineTimer: NodeJS.Timeout | undefined
  private deadlineTimerAt = Infinity
  private readonly writing: RequestWriting = { alloc: (size) => this.buffers.take(size) }

  constructor(
    connection: GrpcHttp2Connection,
    target: string,
    options: StreamCallOptions = {},
    /** Where its requests are copied; a test passes its own to count what is made. */
    private readonly buffers = new RequestBuffers(),
  ) {
    this.target = target
    this.decoupled = Boolean(options.decoupled)
    this.prefix = options.idPrefix ?? `c${++callCounter}`
    this.onUnmatched = options.onUnmatched
    this.call = new GrpcHttp2Call(
      connection,
      modelStreamInferPath(),
      {
        onMessage: (m) => this.onMessage(m),
        onStatus: (status) =>
          this.finish(
            status.code === Status.OK
              ? null
              : toTritonError(serviceError(status), target, 'ModelStreamInfer'),
          ),
      },
      { maxMessageBytes: connection.settings.maxMessageBytes, placeAt: firstRawOutputOffset },
    )
  }

  get inFlight(): number {
    return this.pending.size
  }

  get closed(): boolean {
    return this.closedWith !== undefined
  }

  /** Called once when the stream ends: `null` for a clean end, the error otherwise. */
  onDidClose(listener: (error: TritonError | null) => void): () => void {
    if (this.closedWith !== undefined) {
      listener(this.closedWith)
      return () => undefined
    }
    this.events.once('close', listener)
    return () => this.events.off('close', listener)
  }

  /**
   * Sends one request and resolves with all its responses once the final one arrives. Requests
   * go out in the order infer was called: the requests of a sequence must reach the server in
   * order, so one made while others wait for the stream to drain waits behind them.
   */
  async infer(spec: InferRequestSpec, opts: ChannelRequestOptions = {}): Promise<InferAnswer> {
    this.throwIfClosed()
    const id = spec.id || `${this.prefix}-${++this.counter}`
    if (this.pending.has(id)) throw new Error(`request id '${id}' is already in flight`)
    const parameters = this.decoupled
      ? { ...spec.parameters, triton_enable_empty_final_response: true }
      : spec.parameters
    // Large tensors are read from their memory as they go out; the rest is copied into memory
    // used again once written.
    const request = inferRequestParts({ ...spec, id, parameters }, this.writing)
    return new Promise<InferAnswer>((resolve, reject) => {
      const p: Pending = {
        id,
        model: spec.model,
        sentAt: performance.now(),
        deadlineAt: Infinity,
        responses: [],
        placed: sharedMemoryOutputNames(spec),
        onResponse: opts.onResponse,
        resolve,
        reject,
      }
      this.pending.set(id, p)
      const outgoing = { pending: p, request, deadlineMs: opts.deadlineMs }
      if (this.waitingForDrain) this.outbox.push(outgoing)
      else this.send(outgoing)
    })
  }

  /** Writes one request; its time and deadline count from here, as the server's wait does. */
  private send({ pending: p, request, deadlineMs }: Outgoing): void {
    p.sentAt = performance.now()
    p.deadlineAt = deadlineMs ? p.sentAt + deadlineMs : Infinity
    if (p.deadlineAt < this.deadlineTimerAt) this.armDeadline(p.deadlineAt)
    if (this.call.write(request.parts, request.length, () => this.buffers.give(request.own))) return
    // Respect HTTP/2 flow control: the next requests wait, in order, until the stream drains.
    this.waitingForDrain = true
    this.call.onceDrain(() => this.sendWaiting())
  }

  private sendWaiting(): void {
    this.waitingForDrain = false
    while (!this.waitingForDrain && this.closedWith === undefined) {
      const next = this.outbox.shift()
      if (!next) return
      // Given up on while it waited (its call ended, or Stop): nothing to send.
      if (this.pending.get(next.pending.id) === next.pending) this.send(next)
    }
  }

  /** One timer, for the earliest deadline; it re-arms for the next one when it fires. */
  private armDeadline(at: number): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer)
    this.deadlineTimerAt = at
    this.deadlineTimer = setTimeout(
      () => this.checkDeadlines(),
      Math.max(0, at - performance.now()),
    )
    this.deadlineTimer.unref?.()
  }

  private checkDeadlines(): void {
    this.deadlineTimer = undefined
    this.deadlineTimerAt = Infinity
    const now = performance.now()
    let next = Infinity
    for (const p of this.pending.values()) {
      if (p.deadlineAt <= now) {
        const waited = (now - p.sentAt) / 1000
        this.finish(
          new TritonError(
            'timeout',
            `${this.target} did not answer request ${p.id} within ${waited.toFixed(1)} s`,
            'the server or the link is stalled; the session reconnects if it can',
          ),
        )
        this.call.cancel()
        return
      }
      next = Math.min(next, p.deadlineAt)
    }
    if (next < Infinity) this.armDeadline(next)
  }

  private throwIfClosed(): void {
    if (this.closedWith !== undefined) {
      throw (
        this.closedWith ??
        new TritonError('cancelled', 'the stream is closed', 'start a new session')
      )
    }
  }

  private onMessage(bytes: Buffer): void {
    let msg: ModelStreamInferResponse__Output
    try {
      msg = readStreamInferResponse(bytes)
    } catch (e) {
      // As grpc-js ends a call whose answer it cannot parse.
      const why = e instanceof Error ? e.message : String(e)
      this.finish(
        toTritonError(
          serviceError({
            code: Status.INTERNAL,
            details: `Response message parsing error: ${why}`,
          }),
          this.target,
          'ModelStreamInfer',
        ),
      )
      this.call.cancel()
      return
    }
    this.onData(msg)
  }

  private onData(msg: ModelStreamInferResponse__Output): void {
    const id = msg.infer_response?.id ?? ''
    const p = id ? this.pending.get(id) : undefined
    if (!p) {
      this.onUnmatched?.({ id, reason: id ? 'unknown-id' : 'no-id' })
      return
    }
    if (msg.error_message) {
      this.pending.delete(p.id)
      p.reject(
        new TritonError(
          'model-error',
          `model '${safeLine(msg.infer_response?.model_name || p.model, 200)}' rejected request ${p.id}: ${safeLine(msg.error_message)}`,
          'the stream is still open; fix the input or the model profile and continue',
        ),
      )
      return
    }
    if (!msg.infer_response) return
    const now = performance.now()
    let result: InferResult
    try {
      result = parseInferResponse(msg.infer_response, p.placed)
    } catch (e) {
      // Not a TritonError: the session counts it as a decode error of this request.
      this.pending.delete(p.id)
      p.reject(e instanceof Error ? e : new Error(String(e)))
      return
    }
    p.firstAt ??= now
    const flag = result.parameters.triton_final_response
    const final = flag === undefined ? !this.decoupled : flag === true
    const empty = result.outputs.size === 0
    if (!(empty && final && this.decoupled)) p.responses.push(result)
    p.onResponse?.(result, final)
    if (final) {
      this.pending.delete(p.id)
      p.resolve({
        id: p.id,
        responses: p.responses,
        latencyMs: now - p.sentAt,
        firstResponseMs: p.firstAt - p.sentAt,
      })
    }
  }

  private finish(error: TritonError | null): void {
    if (this.closedWith !== undefined) return
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer)
    // CANCELLED that we did not ask for is the server going away (shutdown, restart, proxy).
    const serverCancelled = !this.cancelled && error?.kind === 'cancelled'
    const reason = this.cancelled
      ? new TritonError('cancelled', 'the stream was cancelled', '')
      : serverCancelled
        ? new TritonError(
            'unreachable',
            `${this.target} ended the stream`,
            'the server may be restarting or shutting down; check it and try again',
          )
        : (error ??
          (this.pending.size
            ? new TritonError(
                'internal',
                `${this.target} closed the stream with requests unanswered`,
                'retry',
              )
            : null))
    this.closedWith = reason
    this.outbox.length = 0
    const pending = [...this.pending.values()]
    this.pending.clear()
    for (const p of pending) {
      p.reject(reason ?? new TritonError('internal', 'the stream ended', 'retry'))
    }
    this.events.emit('close', reason)
  }

  /** Half-closes the stream after everything pending has answered. */
  async end(): Promise<void> {
    if (this.closedWith !== undefined) return
    const all = [...this.pending.values()].map(
      (p) =>
        new Promise<void>((res) => {
          const { resolve, reject } = p
          p.resolve = (o) => (resolve(o), res())
          p.reject = (e) => (reject(e), res())
        }),
    )
    await Promise.all(all)
    if (this.closedWith !== undefined) return
    await new Promise<void>((res) => {
      this.onDidClose(() => res())
      this.call.end()
    })
  }

  /**
   * Cancels the call at once: pending requests reject with kind 'cancelled' before this
   * returns (callers treat that as normal), so no late answer can arrive after it.
   */
  cancel(): void {
    if (this.closedWith !== undefined) return
    this.cancelled = true
    this.finish(null)
    this.call.cancel()
  }
}
