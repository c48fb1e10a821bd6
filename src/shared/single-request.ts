import { z } from 'zod'
import {
  MAX_NAME_CHARS,
  MAX_PATH_CHARS,
  MAX_TENSOR_ELEMENTS,
  MAX_TENSOR_RANK,
  MAX_TENSORS_PER_MODEL,
} from './limits'
import { TRITON_DATATYPES, type TritonDatatype } from './tensor-types'

/**
 * One request to any model, as in an API client's request tab: the inputs the user typed or
 * picked, and every response the model sends back (several for a decoupled model). The app's
 * Request view and `triton-live infer` both send through the same core (src/main/requests).
 */

/** The JSON or text of one input: about a million numbers. */
export const MAX_REQUEST_VALUE_CHARS = 16 * 2 ** 20
/** All inputs of one request together, as typed text. */
export const MAX_REQUEST_TOTAL_CHARS = 32 * 2 ** 20
/** A file sent as an input's raw bytes: 256 MiB, the largest tensor (2^26 FP32 elements). */
export const MAX_REQUEST_FILE_BYTES = 256 * 2 ** 20
/** Values of one output that cross to the window; the rest are counted, not sent. */
export const MAX_OUTPUT_VALUES_SHOWN = 10_000
/** Characters of one BYTES element shown; a longer one is cut with "… (N more)". */
export const MAX_OUTPUT_TEXT_CHARS = 100_000
/** Responses of one decoupled request kept for the view; later ones are counted only. */
export const MAX_RESPONSES_KEPT = 1000

/**
 * How the user gives an input's value:
 * - `json`: a JSON array (nested or flat) or a scalar; a scalar fills the whole shape (for a
 *   BYTES input, anything but a JSON array is one element, the text as typed);
 * - `text`: for BYTES inputs, the text as it is (one element, filling the shape);
 * - `file`: the file's bytes: a .npy array (its dtype and shape), else the tensor's raw
 *   little-endian contents (for a BYTES input, the whole file is one element).
 */
export const requestValueSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('json'), text: z.string().max(MAX_REQUEST_VALUE_CHARS) }),
  z.object({ kind: z.literal('text'), text: z.string().max(MAX_REQUEST_VALUE_CHARS) }),
  z.object({ kind: z.literal('file'), path: z.string().min(1).max(MAX_PATH_CHARS) }),
])
export type RequestValue = z.infer<typeof requestValueSchema>

const tensorName = z.string().min(1).max(MAX_NAME_CHARS)

export const requestInputSchema = z.object({
  name: tensorName,
  value: requestValueSchema,
  /** Overrides the shape from metadata; -1 is resolved from the value. */
  shape: z.array(z.number().int().min(-1).max(MAX_TENSOR_ELEMENTS)).max(MAX_TENSOR_RANK).optional(),
  /** Overrides the datatype from metadata. */
  datatype: z.enum(TRITON_DATATYPES).optional(),
})
export type RequestInput = z.infer<typeof requestInputSchema>

const typedChars = (inputs: readonly RequestInput[]): number =>
  inputs.reduce(
    (n, i) => n + (i.value.kind === 'file' ? i.value.path.length : i.value.text.length),
    0,
  )

export const singleRequestSchema = z
  .object({
    endpointId: z.string().min(1).max(64),
    model: z.string().min(1).max(200),
    version: z.string().max(MAX_NAME_CHARS).optional(),
    /** Chosen by the window, so it can tell this request's responses from an older one's. */
    requestId: z.string().min(8).max(64),
    inputs: z.array(requestInputSchema).max(MAX_TENSORS_PER_MODEL),
    /** Outputs to return; all when absent. */
    outputs: z.array(tensorName).max(MAX_TENSORS_PER_MODEL).optional(),
  })
  .refine((r) => typedChars(r.inputs) <= MAX_REQUEST_TOTAL_CHARS, {
    message: `the inputs together must stay under ${MAX_REQUEST_TOTAL_CHARS} characters; send large values as a file`,
    path: ['inputs'],
  })
export type SingleRequest = z.infer<typeof singleRequestSchema>

/** One output of one response, as the window shows it. */
export interface OutputView {
  name: string
  datatype: TritonDatatype
  shape: number[]
  /** Elements in the tensor. */
  count: number
  /**
   * The first elements in row-major order: numbers (64-bit integers beyond 2^53 as decimal
   * strings), text for BYTES (UTF-8; other bytes as \xNN), booleans for BOOL.
   */
  values: Array<number | string | boolean>
  /** True when `values` holds fewer than `count` elements. */
  truncated: boolean
}

export interface ResponseView {
  /** 1 for the first response of the request. */
  index: number
  /** The last response of the request (always true for a model that is not decoupled). */
  final: boolean
  /** From the write of the request to this response, in ms. */
  atMs: number
  outputs: OutputView[]
  /** Response parameters other than the final flag, as text. */
  parameters: Record<string, string>
}

/**
 * Main to window, as responses arrive, before the request's final answer: a batch of the newest
 * ones (a decoupled model may answer thousands of times), never more than MAX_RESPONSES_KEPT
 * in all for one request.
 */
export interface RequestResponseEvent {
  requestId: string
  responses: ResponseView[]
}

export interface SingleRequestResult {
  requestId: string
  model: string
  /** How the request travelled: 'gRPC stream', 'HTTP', ... */
  transport: string
  decoupled: boolean
  /** Every response kept (the first MAX_RESPONSES_KEPT), in order. */
  responses: ResponseView[]
  /** All responses, kept or not. */
  responseCount: number
  /** From the write of the request to its final response. */
  latencyMs: number
  /** From the write to the first response. */
  firstResponseMs: number
  /** The shape each input was sent with, after -1 was resolved. */
  sentShapes: Record<string, number[]>
}
