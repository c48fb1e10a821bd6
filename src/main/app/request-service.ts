import { basename } from 'node:path'
import {
  MAX_RESPONSES_KEPT,
  type RequestInput,
  type ResponseView,
  type RequestResponseEvent,
  type SingleRequest,
  type SingleRequestResult,
} from '../../shared/single-request'
import { readRequestFile } from '../requests/request-file'
import type { InputDraft } from '../requests/request-inputs'
import { DEFAULT_REQUEST_DEADLINE_MS, sendSingleRequest } from '../requests/single-request'
import { TritonError } from '../triton/triton-error'
import type { EndpointService } from './endpoint-service'

export interface RequestServiceDeps {
  endpoints: EndpointService
  /** Responses as they arrive, in batches, for the window. */
  onResponse(event: RequestResponseEvent): void
}

/** Requests of one window in flight at once; a stuck model cannot pile up more. */
const MAX_IN_FLIGHT = 4
/** Streamed responses go to the window at most this often, as one batch. */
const FLUSH_EVERY_MS = 50

/**
 * Batches a request's streamed responses for the window: one message per FLUSH_EVERY_MS, and
 * none past MAX_RESPONSES_KEPT (the final answer counts the rest), so a model that answers a
 * token at a time cannot flood the window.
 */
class ResponseForwarder {
  private pending: ResponseView[] = []
  private sent = 0
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly requestId: string,
    private readonly send: (event: RequestResponseEvent) => void,
  ) {}

  add(response: ResponseView): void {
    if (this.sent + this.pending.length >= MAX_RESPONSES_KEPT) return
    this.pending.push(response)
    this.timer ??= setTimeout(() => this.flush(), FLUSH_EVERY_MS)
  }

  flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.pending.length === 0) return
    this.sent += this.pending.length
    this.send({ requestId: this.requestId, responses: this.pending })
    this.pending = []
  }
}

/**
 * The app's Request view: one request to any model over the endpoint's own transport and
 * answer deadline, its responses streamed to the window, each request cancellable by its id.
 */
export class RequestService {
  private readonly running = new Map<string, AbortController>()

  constructor(private readonly deps: RequestServiceDeps) {}

  async send(req: SingleRequest): Promise<SingleRequestResult> {
    if (this.running.size >= MAX_IN_FLIGHT) {
      throw new TritonError(
        'invalid-argument',
        `${MAX_IN_FLIGHT} requests are still waiting for their answers`,
        'cancel one, or wait for them to finish',
      )
    }
    const abort = new AbortController()
    this.running.get(req.requestId)?.abort()
    this.running.set(req.requestId, abort)
    const forward = new ResponseForwarder(req.requestId, this.deps.onResponse)
    try {
      const { endpoints } = this.deps
      const client = await endpoints.client(req.endpointId)
      const inputs = await Promise.all(req.inputs.map((i) => this.draft(i)))
      const outcome = await sendSingleRequest(
        client,
        { model: req.model, version: req.version, inputs, outputs: req.outputs },
        {
          transport: await endpoints.store.transportChoice(req.endpointId),
          deadlineMs:
            (await endpoints.store.answerDeadline(req.endpointId)) ?? DEFAULT_REQUEST_DEADLINE_MS,
          timeoutHint: "raise the endpoint's Answer deadline in its settings, or check the server",
          signal: abort.signal,
          onResponse: (response) => forward.add(response),
        },
      )
      forward.flush()
      return {
        requestId: req.requestId,
        model: outcome.details.name,
        transport: outcome.transport,
        decoupled: outcome.details.decoupled,
        responses: outcome.responses,
        responseCount: outcome.responseCount,
        latencyMs: outcome.latencyMs,
        firstResponseMs: outcome.firstResponseMs,
        sentShapes: outcome.sentShapes,
      }
    } finally {
      forward.flush()
      if (this.running.get(req.requestId) === abort) this.running.delete(req.requestId)
    }
  }

  /** Gives up on a request still waiting; one already answered is left alone. */
  cancel(requestId: string): void {
    this.running.get(requestId)?.abort()
  }

  /** Every request still waiting ends as cancelled (the app is quitting). */
  dispose(): void {
    for (const abort of this.running.values()) abort.abort()
  }

  /** A file input is read here, in main; the core let only a granted path through. */
  private async draft(input: RequestInput): Promise<InputDraft> {
    const { name, shape, datatype, value } = input
    if (value.kind !== 'file') return { name, shape, datatype, value }
    const source = basename(value.path)
    const read = await readRequestFile(value.path)
    if (read.kind === 'missing') {
      throw new TritonError(
        'invalid-argument',
        `cannot read the file for input '${name}': ${source} is gone`,
        'choose the file again',
      )
    }
    if (read.kind === 'too-large') {
      throw new TritonError('too-large', `${source} has ${read.problem}`, 'choose a smaller file')
    }
    return { name, shape, datatype, value: { kind: 'bytes', bytes: read.bytes, source } }
  }
}
