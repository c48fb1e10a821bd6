import { EventEmitter } from 'node:events'
import { performance } from 'node:perf_hooks'
import type { CallOptions } from '../triton/triton-api'
import type { InferRequestSpec, InferResult } from '../triton/infer-messages'
import { TritonError } from '../triton/triton-error'
import type {
  ChannelOptions,
  ChannelRequestOptions,
  InferAnswer,
  InferChannel,
} from './infer-channel'

/** One request, one answer: a unary gRPC ModelInfer or an HTTP POST .../infer. */
export type UnarySender = (spec: InferRequestSpec, opts: CallOptions) => Promise<InferResult>

/** Failures of the link rather than of one request: the channel ends and the session reconnects. */
const LINK_KINDS = new Set(['unreachable', 'tls', 'auth'])

interface Pending {
  abort: AbortController
  /** Set when the channel ends under the request: it rejects with this instead of its own error. */
  closedWith?: TritonError
}

let channelCounter = 0

/**
 * A channel that is a group of independent requests (unary gRPC or HTTP). Requests may overtake
 * each other on the server, so `ordered` is false and sequences need one request in flight at a
 * time. A link failure on any request ends the channel and fails the rest with the same error,
 * as a broken stream does, so the session's replay works the same on every transport.
 */
export class RequestGroupChannel implements InferChannel {
  readonly ordered = false
  private readonly pending = new Map<string, Pending>()
  private readonly events = new EventEmitter()
  private readonly prefix: string
  private counter = 0
  private closedWith: TritonError | null | undefined

  constructor(
    private readonly send: UnarySender,
    private readonly describe: { label: string; target: string },
    private readonly options: ChannelOptions = {},
  ) {
    this.prefix = options.idPrefix ?? `u${++channelCounter}`
  }

  get inFlight(): number {
    return this.pending.size
  }

  get closed(): boolean {
    return this.closedWith !== undefined
  }

  onDidClose(listener: (error: TritonError | null) => void): () => void {
    if (this.closedWith !== undefined) {
      listener(this.closedWith)
      return () => undefined
    }
    this.events.once('close', listener)
    return () => this.events.off('close', listener)
  }

  async infer(spec: InferRequestSpec, options: ChannelRequestOptions = {}): Promise<InferAnswer> {
    if (this.closedWith !== undefined) {
      throw (
        this.closedWith ??
        new TritonError('cancelled', 'the channel is closed', 'start a new session')
      )
    }
    if (this.options.decoupled) {
      throw new TritonError(
        'unsupported',
        `model '${spec.model}' is decoupled and answers only over a gRPC stream, not over ${this.describe.label}`,
        'use a grpc:// URL without --unary for this model',
      )
    }
    const id = spec.id || `${this.prefix}-${++this.counter}`
    const entry: Pending = { abort: new AbortController() }
    this.pending.set(id, entry)
    const sentAt = performance.now()
    try {
      const result = await this.send(
        { ...spec, id },
        { timeoutMs: options.deadlineMs ?? Infinity, signal: entry.abort.signal },
      )
      if (entry.closedWith) throw entry.closedWith
      if (result.id && result.id !== id) {
        this.options.onUnmatched?.({ id: result.id, reason: 'unknown-id' })
        throw new TritonError(
          'internal',
          `${this.describe.target} answered request ${id} with the id '${result.id}'`,
          'the server or a proxy mixes up answers; check what sits between the app and Triton',
        )
      }
      const latencyMs = performance.now() - sentAt
      options.onResponse?.(result, true)
      return { id, responses: [result], latencyMs, firstResponseMs: latencyMs }
    } catch (e) {
      const error = entry.closedWith ?? toError(e)
      if (LINK_KINDS.has(error.kind)) this.finish(error)
      throw error
    } finally {
      this.pending.delete(id)
      if (this.pending.size === 0) this.events.emit('idle')
    }
  }

  private finish(error: TritonError | null): void {
    if (this.closedWith !== undefined) return
    this.closedWith = error
    for (const p of this.pending.values()) {
      p.closedWith = error ?? new TritonError('cancelled', 'the channel was closed', '')
      p.abort.abort()
    }
    this.events.emit('close', error)
  }

  async end(): Promise<void> {
    if (this.closedWith !== undefined) return
    if (this.pending.size > 0) await new Promise<void>((r) => this.events.once('idle', r))
    this.finish(null)
  }

  cancel(): void {
    this.finish(new TritonError('cancelled', 'the channel was cancelled', ''))
  }
}

function toError(e: unknown): TritonError {
  if (e instanceof TritonError) return e
  return new TritonError('internal', e instanceof Error ? e.message : String(e), '')
}
