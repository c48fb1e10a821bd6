import { parseArgs } from 'node:util'
import type { ResponseView } from '../../shared/single-request'
import { isTritonDatatype, TRITON_DATATYPES, type TritonDatatype } from '../../shared/tensor-types'
import { readRequestFile } from '../../main/requests/request-file'
import type { InputDraft, InputSource } from '../../main/requests/request-inputs'
import { sendSingleRequest } from '../../main/requests/single-request'
import { createTritonApi } from '../../main/triton/create-triton-api'
import { CliUsageError } from '../cli-error'
import {
  CONNECTION_FLAGS,
  connectionFromFlags,
  TRANSPORT_FLAGS,
  TRANSPORT_HELP,
  transportFromFlags,
} from '../connection-flags'
import { jsonLine, type Output } from '../output'
import { outputLine, WHOLE_TENSOR_VALUES } from '../../shared/tensor-text'

export const INFER_HELP = `triton-live infer --url U --model M --input NAME=VALUE ... [--shape NAME=D1,D2] [--datatype NAME=DT] [--output NAME]... [--json]
  Sends one request to any model and prints what comes back: each output as one line (a text
  element as the text, a small tensor nested by its shape, a large one as its first values and
  a count), then the number of responses and the latency. A decoupled model's responses are
  printed as they arrive, numbered, until its final one. Inputs are checked against the model's
  metadata first: a wrong name lists the model's inputs. Exits 1 when the request fails.
  --input NAME=VALUE  one per input (optional inputs may be left out). VALUE is
                  a JSON array, nested by shape or flat: [[1, 2, 3]] or [1, 2, 3]
                  a JSON scalar, which fills the whole shape: 0, 0.5, true
                  for a BYTES input, anything but a JSON array is one element sent exactly
                  as typed: --input TEXT='hello world', --input REQUEST='{"prompt": "hi"}'
                  @FILE, the file's bytes: a .npy array (its dtype must match; its shape is
                  used), or else the tensor's raw little-endian contents (for a BYTES input,
                  the whole file is one element)
  --shape NAME=D1,D2  the shape to send, overriding the metadata's (where -1 means "any", the
                  value decides: a nested array keeps its dims, a flat one fills the last -1,
                  a scalar makes each -1 a 1)
  --datatype NAME=DT  the datatype to send (${TRITON_DATATYPES.join(', ')}), when the metadata's
                  is wrong or missing
  --output NAME   return only this output; repeatable (default: all)
  --model-version V  the model version (default: the server's choice)
  --timeout MS    also the deadline for the final response (default 60000 for the request)
  --json          one JSON object per response (every value; numbers to 6 significant
                  digits), then a summary object

${TRANSPORT_HELP}`

/** Splits 'NAME=VALUE' at the first '='; names may not be empty. */
function pair(flag: string, text: string): [string, string] {
  const at = text.indexOf('=')
  if (at <= 0) throw new CliUsageError(`${flag} takes NAME=VALUE, got '${text}'`)
  return [text.slice(0, at), text.slice(at + 1)]
}

async function fileValue(name: string, path: string): Promise<InputSource> {
  const read = await readRequestFile(path)
  if (read.kind === 'missing') throw new CliUsageError(`--input ${name}=@${path}: no such file`)
  if (read.kind === 'too-large')
    throw new CliUsageError(`--input ${name}=@${path}: ${read.problem}`)
  return { kind: 'bytes', bytes: read.bytes, source: path }
}

function shapeOf(name: string, text: string): number[] {
  const dims = text.split(',').map((d) => d.trim())
  if (dims.some((d) => !/^(-1|\d+)$/.test(d))) {
    throw new CliUsageError(`--shape ${name}=${text}: give sizes separated by commas, like 1,3`)
  }
  return dims.map(Number)
}

function datatypeOf(name: string, text: string): TritonDatatype {
  const dt = text.trim().toUpperCase()
  if (!isTritonDatatype(dt)) {
    throw new CliUsageError(
      `--datatype ${name}=${text}: not a datatype; use one of ${TRITON_DATATYPES.join(', ')}`,
    )
  }
  return dt
}

/** The inputs from --input, --shape and --datatype; a --shape or --datatype needs its --input. */
export async function inputDrafts(
  inputs: readonly string[],
  shapes: readonly string[],
  datatypes: readonly string[],
): Promise<InputDraft[]> {
  const drafts = new Map<string, InputDraft>()
  for (const text of inputs) {
    const [name, value] = pair('--input', text)
    if (drafts.has(name)) throw new CliUsageError(`--input ${name} is given twice`)
    const source: InputSource = value.startsWith('@')
      ? await fileValue(name, value.slice(1))
      : { kind: 'json', text: value }
    drafts.set(name, { name, value: source })
  }
  const attach = (
    flag: string,
    list: readonly string[],
    set: (d: InputDraft, v: string) => void,
  ) => {
    for (const text of list) {
      const [name, value] = pair(flag, text)
      const draft = drafts.get(name)
      if (!draft) throw new CliUsageError(`${flag} names '${name}', which no --input gives`)
      set(draft, value)
    }
  }
  attach('--shape', shapes, (d, v) => (d.shape = shapeOf(d.name, v)))
  attach('--datatype', datatypes, (d, v) => (d.datatype = datatypeOf(d.name, v)))
  return [...drafts.values()]
}

export async function inferCommand(argv: string[], output: Output): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...CONNECTION_FLAGS,
      ...TRANSPORT_FLAGS,
      model: { type: 'string' },
      'model-version': { type: 'string' },
      input: { type: 'string', multiple: true },
      shape: { type: 'string', multiple: true },
      datatype: { type: 'string', multiple: true },
      output: { type: 'string', multiple: true },
      json: { type: 'boolean' },
    },
    strict: true,
  })
  const json = output.json || Boolean(values.json)
  if (!values.model)
    throw new CliUsageError('--model is required (list models with `triton-live models --url U`)')
  const inputs = await inputDrafts(values.input ?? [], values.shape ?? [], values.datatype ?? [])
  const connection = connectionFromFlags(values)
  const transport = transportFromFlags(values)
  const client = createTritonApi(connection)
  let decoupled = false
  const print = (r: ResponseView): void => {
    if (json) return output.write(jsonLine({ kind: 'response', ...r }))
    for (const o of r.outputs) output.write(outputLine(o, decoupled ? r.index : undefined))
    if (r.outputs.length === 0) output.write(`${decoupled ? `#${r.index} ` : ''}(no outputs)`)
  }
  try {
    const outcome = await sendSingleRequest(
      client,
      { model: values.model, version: values['model-version'], inputs, outputs: values.output },
      {
        transport,
        deadlineMs: connection.timeoutMs,
        timeoutHint: 'allow more time with --timeout MS, or check the server',
        maxValues: json ? Infinity : WHOLE_TENSOR_VALUES,
        onDetails: (d) => (decoupled = d.decoupled),
        onResponse: print,
      },
    )
    const n = outcome.responseCount
    if (json) {
      output.write(
        jsonLine({
          kind: 'summary',
          model: outcome.details.name,
          url: client.target,
          transport: outcome.transport,
          responses: n,
          latencyMs: outcome.latencyMs,
          firstResponseMs: outcome.firstResponseMs,
          sentShapes: outcome.sentShapes,
        }),
      )
    } else {
      const first = n > 1 ? ` (first after ${outcome.firstResponseMs.toFixed(2)} ms)` : ''
      output.write(
        `${n} response${n === 1 ? '' : 's'} in ${outcome.latencyMs.toFixed(2)} ms${first} over ${outcome.transport}`,
      )
    }
    return 0
  } finally {
    client.close()
  }
}
