import { EventEmitter } from 'node:events'
import { performance } from 'node:perf_hooks'
import type * as grpc from '@grpc/grpc-js'
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
import { MessageBuffers, serializeInferRequest } from './infer-request-writer'
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

/** Requests go out as the bytes `serializeInferRequest` made; answers come back decoded. */
type DuplexCall = grpc.ClientDuplexStream<Buffer, ModelStreamInferResponse__Output>

let callCounter = 0

/**
 * One ModelStreamInfer call, as an InferChannel. Every request gets an id and responses are
 * matched by id only (several per request for decoupled models, ending at
 * `triton_final_response`); a response with no id or an id it did not send is counted as
 * unmatched and never credited to a request. A failed request comes back as `error_message`
 * and rejects only that request; the stream stays open. A request past its deadline means the
 * ordered stream is stalled: the call ends with a 'timeout' error and everything pending
 * rejects, so nothing waits forever. A stream-level failure rejects everything pending.
 */
export class StreamCall implements InferChannel {
  readonly ordered = true
  private readonly call: DuplexCall
  private readonly target: string
  private readonly decoupled: boolean
  private readonly prefix: string
  private readonly onUnmatched: ((r: UnmatchedResponse) => void) | undefined
  private readonly pending = new Map<string, Pending>()
  private readonly events = new EventEmitter()
  private readonly buffers = new MessageBuffers()
  private counter = 0
  private drain: Promise<void> | undefined
  private closedWith: TritonError | null | undefined
  private cancelled = false
  private deadlineTimer: NodeJS.Timeout | undefined
  private deadlineTimerAt = Infinity
  private readonly closedSignal = new Promise<void>((resolve) =>
    this.events.once('close', () => resolve()),
  )

  constructor(call: DuplexCall, target: string, options: StreamCallOptions = {}) {
    this.call = call
    this.target = target
    this.decoupled = Boolean(options.decoupled)
    this.prefix = options.idPrefix ?? `c${++callCounter}`
    this.onUnmatched = options.onUnmatched
    call.on('data', (msg: ModelStreamInferResponse__Output) => this.onData(msg))
    call.on('error', (err: unknown) => this.finish(toTritonError(err, target, 'ModelStreamInfer')))
    call.on('end', () => this.finish(null))
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

  /** Sends one request and resolves with all its responses once the final one arrives. */
  async infer(spec: InferRequestSpec, opts: ChannelRequestOptions = {}): Promise<InferAnswer> {
    this.throwIfClosed()
    // No 'drain' comes once the call is closed, so wait for whichever happens first.
    if (this.drain) await Promise.race([this.drain, this.closedSignal])
    this.throwIfClosed()
    const id = spec.id || `${this.prefix}-${++this.counter}`
    if (this.pending.has(id)) throw new Error(`request id '${id}' is already in flight`)
    const parameters = { ...(spec.parameters ?? {}) }
    if (this.decoupled) parameters.triton_enable_empty_final_response = true
    // Serialized here, once the stream has room: the tensors are read now and never again.
    const request = serializeInferRequest({ ...spec, id, parameters }, this.buffers)
    return new Promise<InferAnswer>((resolve, reject) => {
      const sentAt = performance.now()
      const deadlineAt = opts.deadlineMs ? sentAt + opts.deadlineMs : Infinity
      this.pending.set(id, {
        id,
        model: spec.model,
        sentAt,
        deadlineAt,
        responses: [],
        placed: sharedMemoryOutputNames(spec),
        onResponse: opts.onResponse,
        resolve,
        reject,
      })
      if (deadlineAt < this.deadlineTimerAt) this.armDeadline(deadlineAt)
      // Called once grpc-js has framed the message into its own buffer: ours is free again.
      const ok = this.call.write(request, () => this.buffers.give(request))
      if (!ok && !this.drain) {
        // Respect HTTP/2 flow control: the next request waits until the socket drains.
        this.drain = new Promise<void>((res) =>
          this.call.once('drain', () => {
            this.drain = undefined
            res()
          }),
        )
      }
    })
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
