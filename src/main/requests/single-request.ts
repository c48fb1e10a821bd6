import { performance } from 'node:perf_hooks'
import type { ModelDetails } from '../../shared/ipc-contract'
import { MAX_RESPONSES_KEPT, type ResponseView } from '../../shared/single-request'
import { inspectModel } from '../models/model-facts'
import { createTransport, type TransportChoice } from '../transport/create-transport'
import { endWithin } from '../transport/infer-channel'
import type { TritonApi } from '../triton/triton-api'
import { TritonError } from '../triton/triton-error'
import { responseView } from './output-view'
import { buildInputTensors, type InputDraft } from './request-inputs'

/**
 * One request to any model, with every response it brings (a decoupled model answers in parts,
 * the last flagged final): what the app's Request view and `triton-live infer` both send. It
 * reads the model's metadata and config, builds the inputs against them, sends over the
 * transport the URL picks (a gRPC stream by default, HTTP for http:// URLs) and hands each
 * response over as it arrives.
 */

export interface SingleRequestSpec {
  model: string
  version?: string
  inputs: InputDraft[]
  /** Outputs to return; all of them when absent. */
  outputs?: string[]
}

export interface SingleRequestOptions {
  transport?: TransportChoice
  /** The final response must arrive this long after the write; default 60 s. */
  deadlineMs?: number
  /** Each response as it arrives, before the request's final answer. */
  onResponse?(response: ResponseView): void
  /** Values per output kept in each response view (the CLI's --json keeps them all). */
  maxValues?: number
  /** What the model was found to be, before anything is sent. */
  onDetails?(details: ModelDetails): void
  /** What to do about a timeout, in the caller's words (a CLI flag, an app setting). */
  timeoutHint?: string
  /** Gives up on the request: it ends as cancelled and its stream is closed. */
  signal?: AbortSignal
}

export interface SingleRequestOutcome {
  details: ModelDetails
  transport: string
  /** The responses that carry outputs (a decoupled model's empty final one is not listed). */
  responses: ResponseView[]
  /** Every such response, kept or not. */
  responseCount: number
  latencyMs: number
  firstResponseMs: number
  sentShapes: Record<string, number[]>
}

export const DEFAULT_REQUEST_DEADLINE_MS = 60_000

function checkOutputs(details: ModelDetails, wanted: readonly string[] | undefined): void {
  for (const name of wanted ?? []) {
    if (!details.outputs.some((o) => o.name === name)) {
      throw new TritonError(
        'invalid-argument',
        `'${details.name}' has no output '${name}'; its outputs are ${details.outputs.map((o) => o.name).join(', ') || 'none in its metadata'}`,
        'name one of those outputs, or ask for none to get them all',
      )
    }
  }
}

/** A stream's timeout speaks of sessions reconnecting; for one request, say what to do instead. */
function explained(e: unknown, deadlineMs: number, hint: string): unknown {
  if (e instanceof TritonError && e.kind === 'timeout') {
    return new TritonError(
      'timeout',
      `no final response within ${(deadlineMs / 1000).toFixed(1)} s: ${e.message}`,
      `the model may be slow or stuck; ${hint}`,
    )
  }
  return e
}

function cancelled(model: string): TritonError {
  return new TritonError('cancelled', `the request to '${model}' was cancelled`, '')
}

export async function sendSingleRequest(
  api: TritonApi,
  spec: SingleRequestSpec,
  options: SingleRequestOptions = {},
): Promise<SingleRequestOutcome> {
  const details = await inspectModel(api, spec.model, undefined, spec.version ?? '')
  const optional = new Set(details.optionalInputs ?? [])
  const inputs = buildInputTensors(
    details.name,
    details.inputs.map((i) => ({ ...i, optional: optional.has(i.name) })),
    spec.inputs,
  )
  checkOutputs(details, spec.outputs)
  options.onDetails?.(details)
  const deadlineMs = options.deadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS
  const transport = createTransport(api, options.transport)
  const responses: ResponseView[] = []
  let responseCount = 0
  const signal = options.signal
  if (signal?.aborted) throw cancelled(spec.model)
  try {
    const channel = transport.open({ decoupled: details.decoupled, idPrefix: 'request' })
    const onAbort = (): void => channel.cancel()
    signal?.addEventListener('abort', onAbort, { once: true })
    const sentAt = performance.now()
    const answer = await channel
      .infer(
        {
          model: spec.model,
          version: spec.version,
          inputs,
          outputs: spec.outputs?.length ? spec.outputs : undefined,
        },
        {
          deadlineMs,
          onResponse: (result, final) => {
            // A decoupled model's last response may be an empty "final" marker: not a result.
            if (final && details.decoupled && result.outputs.size === 0) return
            responseCount++
            const view = responseView(
              result,
              responseCount,
              final,
              performance.now() - sentAt,
              options.maxValues,
            )
            if (responses.length < MAX_RESPONSES_KEPT) responses.push(view)
            options.onResponse?.(view)
          },
        },
      )
      .catch((e: unknown) => {
        channel.cancel()
        if (signal?.aborted) throw cancelled(spec.model)
        throw explained(
          e,
          deadlineMs,
          options.timeoutHint ?? 'allow more time, or check the server',
        )
      })
      .finally(() => signal?.removeEventListener('abort', onAbort))
    // Every answer is in; a server that never closes the call must not hold the request.
    await endWithin(channel)
    // The empty final marker is not listed, so the last response listed is the final one.
    const last = responses.at(-1)
    if (last && responses.length === responseCount) last.final = true
    return {
      details,
      transport: transport.label,
      responses,
      responseCount,
      latencyMs: answer.latencyMs,
      firstResponseMs: answer.firstResponseMs,
      sentShapes: Object.fromEntries(inputs.map((t) => [t.name, t.shape])),
    }
  } finally {
    await transport.close()
  }
}
