import { readFile, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import {
  MAX_REQUEST_FILE_BYTES,
  type RequestInput,
  type RequestResponseEvent,
  type SingleRequest,
  type SingleRequestResult,
} from '../../shared/single-request'
import type { InputDraft } from '../requests/request-inputs'
import { sendSingleRequest } from '../requests/single-request'
import { TritonError } from '../triton/triton-error'
import type { EndpointService } from './endpoint-service'

export interface RequestServiceDeps {
  endpoints: EndpointService
  /** Each response as it arrives, for the window. */
  onResponse(event: RequestResponseEvent): void
}

/** Requests of one window in flight at once; a stuck model cannot pile up more. */
const MAX_IN_FLIGHT = 4

/** The app's Request view: one request to any model, its responses streamed to the window. */
export class RequestService {
  private inFlight = 0

  constructor(private readonly deps: RequestServiceDeps) {}

  async send(req: SingleRequest): Promise<SingleRequestResult> {
    if (this.inFlight >= MAX_IN_FLIGHT) {
      throw new TritonError(
        'invalid-argument',
        `${MAX_IN_FLIGHT} requests are still waiting for their answers`,
        'wait for them to finish (each gives up after 60 s)',
      )
    }
    this.inFlight++
    try {
      const client = await this.deps.endpoints.client(req.endpointId)
      const inputs = await Promise.all(req.inputs.map((i) => this.draft(i)))
      const outcome = await sendSingleRequest(
        client,
        { model: req.model, version: req.version, inputs, outputs: req.outputs },
        { onResponse: (response) => this.deps.onResponse({ requestId: req.requestId, response }) },
      )
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
      this.inFlight--
    }
  }

  /** A file input is read here, in main; the core let only a granted path through. */
  private async draft(input: RequestInput): Promise<InputDraft> {
    const { name, shape, datatype, value } = input
    if (value.kind !== 'file') return { name, shape, datatype, value }
    const info = await stat(value.path).catch(() => undefined)
    if (!info?.isFile()) {
      throw new TritonError(
        'invalid-argument',
        `cannot read the file for input '${name}': ${basename(value.path)} is gone`,
        'choose the file again',
      )
    }
    if (info.size > MAX_REQUEST_FILE_BYTES) {
      throw new TritonError(
        'too-large',
        `${basename(value.path)} has ${info.size} bytes, more than the ${MAX_REQUEST_FILE_BYTES} an input may take`,
        'choose a smaller file',
      )
    }
    const bytes = await readFile(value.path)
    return { name, shape, datatype, value: { kind: 'bytes', bytes, source: basename(value.path) } }
  }
}
