import { EventEmitter } from 'node:events'
import { performance } from 'node:perf_hooks'
import type * as grpc from '@grpc/grpc-js'
import type { ModelInferRequest } from './generated/inference/ModelInferRequest'
import type { ModelStreamInferResponse__Output } from './generated/inference/ModelStreamInferResponse'
import {
  buildInferRequest,
  parseInferResponse,
  sharedMemoryOutputNames,
  type InferRequestSpec,
  type InferResult,
} from './infer-messages'
import { TritonError, toTritonError } from './triton-error'

export interface StreamCallOptions {
  /**
   * The model may answer a request with 0..N responses. We then ask Triton for the empty
   * final response (`triton_enable_empty_final_response`) so every request has a known end.
   */
  decoupled?: boolean
  idPrefix?: string
  /**
   * If the oldest unanswered request waits longer than this, the link is taken as dead: the
   * call is cancelled and everything pending fails with a 'timeout' error (a live session then
   * reconnects). Off when absent.
   */
  answerTimeoutMs?: number
}

export interface StreamOutcome {
  id: string
  responses: InferResult[]
  /** From the write of the request to its final response. */
  latencyMs: number
  /** From the write to the first response (decoupled models answer in parts). */
  firstResponseMs: number
}

export interface StreamInferOptions {
  onResponse?: (result: InferResult, final: boolean) => void
}

interface Pending {
  id: string
  model: string
  sentAt: number
  firstAt?: number
  responses: InferResult[]
  /** Outputs the server writes into shared memory: the response carries only their shapes. */
  placed: ReadonlySet<string>
  onResponse?: StreamInferOptions['onResponse']
  resolve: (o: StreamOutcome) => void
  reject: (e: TritonError) => void
}

type DuplexCall = grpc.ClientDuplexStream<ModelInferRequest, ModelStreamInferResponse__Output>

let callCounter = 0

/**
 * One ModelStreamInfer call. Every request gets an id; responses are matched by id (several
 * per request for decoupled models, ending at `triton_final_response`). A failed request comes
 * back as `error_message` and rejects only that request; the stream stays open. A stream-level
 * failure rejects everything pending and closes the session.
 */
export class StreamCall {
  private readonly call: DuplexCall
  private readonly target: string
  private readonly decoupled: boolean
  private readonly prefix: string
  private readonly pending = new Map<string, Pending>()
  private readonly events = new EventEmitter()
  private counter = 0
  private drain: Promise<void> | undefined
  private closedWith: TritonError | null | undefined
  private cancelled = false
  private watchdog: NodeJS.Timeout | undefined
  private readonly answerTimeoutMs: number | undefined
  private readonly closedSignal = new Promise<void>((resolve) =>
    this.events.once('close', () => resolve()),
  )

  constructor(call: DuplexCall, target: string, options: StreamCallOptions = {}) {
    this.call = call
    this.target = target
    this.decoupled = Boolean(options.decoupled)
    this.prefix = options.idPrefix ?? `c${++callCounter}`
    this.answerTimeoutMs = options.answerTimeoutMs
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
  async infer(spec: InferRequestSpec, opts: StreamInferOptions = {}): Promise<StreamOutcome> {
    this.throwIfClosed()
    // No 'drain' comes once the call is closed, so wait for whichever happens first.
    if (this.drain) await Promise.race([this.drain, this.closedSignal])
    this.throwIfClosed()
    const id = spec.id || `${this.prefix}-${++this.counter}`
    const parameters = { ...(spec.parameters ?? {}) }
    if (this.decoupled) parameters.triton_enable_empty_final_response = true
    const request = buildInferRequest({ ...spec, id, parameters })
    return new Promise<StreamOutcome>((resolve, reject) => {
      this.pending.set(id, {
        id,
        model: spec.model,
        sentAt: performance.now(),
        responses: [],
        placed: sharedMemoryOutputNames(spec),
        onResponse: opts.onResponse,
        resolve,
        reject,
      })
      this.armWatchdog()
      const ok = this.call.write(request)
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

  private armWatchdog(): void {
    const limit = this.answerTimeoutMs
    if (!limit || this.watchdog) return
    this.watchdog = setInterval(
      () => {
        const oldest = this.pending.values().next().value
        if (!oldest) return
        const waited = performance.now() - oldest.sentAt
        if (waited <= limit) return
        this.finish(
          new TritonError(
            'timeout',
            `${this.target} has not answered for ${(waited / 1000).toFixed(1)} s`,
            'the link or the server is stalled; the session reconnects if it can',
          ),
        )
        this.call.cancel()
      },
      Math.min(1000, limit / 4),
    )
    this.watchdog.unref()
  }

  private throwIfClosed(): void {
    if (this.closedWith !== undefined) {
      throw (
        this.closedWith ??
        new TritonError('cancelled', 'the stream is closed', 'start a new session')
      )
    }
  }

  private take(id: string): Pending | undefined {
    const byId = this.pending.get(id)
    if (byId) return byId
    // A server that does not echo ids answers non-decoupled requests in order.
    if (!id && !this.decoupled) return this.pending.values().next().value
    return undefined
  }

  private onData(msg: ModelStreamInferResponse__Output): void {
    const id = msg.infer_response?.id ?? ''
    const p = this.take(id)
    if (!p) return
    if (msg.error_message) {
      this.pending.delete(p.id)
      p.reject(
        new TritonError(
          'model-error',
          `model '${msg.infer_response?.model_name || p.model}' rejected request ${p.id}: ${msg.error_message}`,
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
      this.pending.delete(p.id)
      p.reject(
        new TritonError(
          'model-error',
          `bad response to ${p.id}: ${(e as Error).message}`,
          'check the model outputs',
        ),
      )
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
    if (this.watchdog) clearInterval(this.watchdog)
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
    for (const p of this.pending.values()) {
      p.reject(reason ?? new TritonError('internal', 'the stream ended', 'retry'))
    }
    this.pending.clear()
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

  /** Cancels the call; pending requests reject with kind 'cancelled', which callers treat as normal. */
  cancel(): void {
    if (this.closedWith !== undefined) return
    this.cancelled = true
    this.call.cancel()
  }
}
