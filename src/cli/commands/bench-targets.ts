/**
 * What `bench` measures: the endpoint of --url over the transport its flags choose, and each
 * --compare beside it. The forms --compare takes are listed once, here; the parser, the help
 * and the targets derive from COMPARE_FORMS.
 */
import type { ModelProfile } from '../../shared/model-profile'
import { labelOf, type MeasureTarget } from '../../main/bench/bench-measure'
import {
  buildBenchWorkload,
  planBenchModel,
  type BenchModelPlan,
  type BenchWorkload,
} from '../../main/bench/bench-workload'
import { defaultMetricsUrl } from '../../main/metrics/prometheus-metrics'
import { DEFAULT_SAMPLE_RATE } from '../../main/models/model-introspection'
import {
  createTransport,
  type EndpointTransport,
  type TransportChoice,
} from '../../main/transport/create-transport'
import { OpenAiTranscriptionClient } from '../../main/transport/openai/openai-transcription-client'
import { OpenAiTransport } from '../../main/transport/openai/openai-transport'
import { resolveEndpoint, type ConnectionOptions } from '../../main/triton/connection-options'
import { CliUsageError } from '../cli-error'
import { plaintextCredentialWarning } from '../../shared/credential-exposure'

/** One --compare, as the user wrote it. */
export type CompareForm =
  | { kind: 'model'; model: string }
  | { kind: 'endpoint'; url: string }
  | { kind: 'transport'; change: TransportWord }
  | { kind: 'openai'; url: string }

/** The words that name another transport of the --url endpoint. */
const TRANSPORT_WORDS = ['shm', 'unary', 'stream'] as const
type TransportWord = (typeof TRANSPORT_WORDS)[number]

/** Every form --compare takes, with its help line: the one list. */
export const COMPARE_FORMS: ReadonlyArray<readonly [string, string]> = [
  ['host:port, grpc://…, grpcs://…', 'another endpoint, or the same server over gRPC'],
  ['http://…, https://…', 'the same model over KServe v2 HTTP, or another HTTP endpoint'],
  ['shm', 'the --url endpoint with --shared-memory system'],
  ['unary', 'the --url endpoint (gRPC) with one call per request'],
  ['stream', 'the --url endpoint (gRPC) over one bidirectional stream'],
  ['openai:URL', 'an OpenAI-API /v1/audio/transcriptions service: same audio window, same rate'],
  ['model:NAME, NAME', 'another model on the --url endpoint'],
]

/** host:port, [v6]:port or anything with a scheme names an endpoint; anything else a model. */
export function looksLikeEndpoint(text: string): boolean {
  const t = text.trim()
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(t) ||
    /^dns:/i.test(t) ||
    /^\[[0-9a-f:.]+\](:\d+)?$/i.test(t) ||
    /^[^\s/:]+:\d+$/.test(t)
  )
}

export function parseCompare(text: string): CompareForm {
  const t = text.trim()
  const prefixed = /^(openai|model):(.*)$/is.exec(t)
  if (prefixed) {
    const rest = prefixed[2].trim()
    if (!rest) throw new CliUsageError(`--compare ${t} names nothing after '${prefixed[1]}:'`)
    return prefixed[1].toLowerCase() === 'openai'
      ? { kind: 'openai', url: rest }
      : { kind: 'model', model: rest }
  }
  if ((TRANSPORT_WORDS as readonly string[]).includes(t))
    return { kind: 'transport', change: t as TransportWord }
  if (looksLikeEndpoint(t)) return { kind: 'endpoint', url: t }
  if (!t)
    throw new CliUsageError(
      '--compare needs a model, an endpoint, shm, unary, stream or openai:URL',
    )
  return { kind: 'model', model: t }
}

export interface TargetSettings {
  /** --url and the other connection flags. */
  connection: ConnectionOptions
  transport: TransportChoice
  model: string
  compares: readonly CompareForm[]
  profile?: ModelProfile
  file?: string
  labels: readonly (string | undefined)[]
  metrics: { disabled: boolean; a?: string; b?: string }
  /**
   * `apiKey` from --openai-api-key goes wherever openai:URL points; `envApiKey`
   * (OPENAI_API_KEY, usually a key for OpenAI itself) only to api.openai.com.
   */
  openai: { model?: string; apiKey?: string; envApiKey?: string }
  signal: AbortSignal
  /** A line for the person watching (stderr). */
  say(line: string): void
}

/** Where one target's requests go, decided before anything is opened. */
export type LegPlan =
  | {
      kind: 'triton'
      url: string
      choice: TransportChoice
      /** Another model on the --url endpoint; --model otherwise. */
      model?: string
      /** The --url endpoint (its metrics page and --metrics-url apply). */
      sameEndpoint: boolean
    }
  | { kind: 'openai'; url: string }

/** The same URL and flags with one thing changed, refused when that changes nothing. */
function changedChoice(
  word: TransportWord,
  a: TransportChoice,
  protocol: 'grpc' | 'http',
): TransportChoice {
  if (word === 'shm') {
    if (a.sharedMemory === 'system')
      throw new CliUsageError(
        '--compare shm is what --url already uses (--shared-memory system); drop one of them',
      )
    return { ...a, sharedMemory: 'system' }
  }
  if (protocol === 'http')
    throw new CliUsageError(
      `--compare ${word}: an http(s):// endpoint has one request per call and no stream; give the server's grpc:// URL to compare gRPC ${word === 'unary' ? 'unary calls' : 'streams'}`,
    )
  const now = a.mode ?? 'stream'
  if (now === word)
    throw new CliUsageError(
      `--compare ${word} is what --url already uses (gRPC ${now}); compare ${word === 'stream' ? 'unary' : 'stream'} instead`,
    )
  return { ...a, mode: word }
}

/**
 * The --url target first, then one per --compare. Refuses, before any connection, a form that
 * changes nothing or cannot apply (a stream to an HTTP endpoint).
 */
export function planLegs(
  s: Pick<TargetSettings, 'connection' | 'transport' | 'compares'>,
): LegPlan[] {
  const url = s.connection.url
  const protocol = resolveEndpoint(s.connection).protocol
  const first: LegPlan = { kind: 'triton', url, choice: s.transport, sameEndpoint: true }
  return [
    first,
    ...s.compares.map((form): LegPlan => {
      switch (form.kind) {
        case 'model':
          return { ...first, model: form.model }
        case 'transport':
          return { ...first, choice: changedChoice(form.change, s.transport, protocol) }
        case 'endpoint': {
          const grpc = resolveEndpoint({ ...s.connection, url: form.url }).protocol === 'grpc'
          // Shared memory carries over; a gRPC mode means nothing to an HTTP endpoint.
          const choice: TransportChoice = {
            sharedMemory: s.transport.sharedMemory,
            ...(grpc && s.transport.mode ? { mode: s.transport.mode } : {}),
          }
          return { kind: 'triton', url: form.url, choice, sameEndpoint: false }
        }
        case 'openai':
          if (resolveEndpoint({ url: form.url }).protocol !== 'http')
            throw new CliUsageError(
              `--compare openai:${form.url}: the service is reached over HTTP; give http://host:port or https://host`,
            )
          return { kind: 'openai', url: form.url }
      }
    }),
  ]
}

interface Leg {
  transport: EndpointTransport | OpenAiTransport
  model: string
  label?: string
  metricsUrl?: string
  profile?: ModelProfile
}

/** Connects to every target and builds each one's requests before any load is sent. */
export async function prepareTargets(
  s: TargetSettings,
  owned: Array<{ close(): Promise<void> }>,
): Promise<MeasureTarget[]> {
  const [planA, ...compared] = planLegs(s)
  if (planA.kind !== 'triton') throw new Error('--url is a Triton endpoint')
  const open = (url: string, choice: TransportChoice): EndpointTransport => {
    const transport = createTransport(
      { ...s.connection, url },
      {
        ...choice,
        sharedMemoryOptions: { onFallback: (m) => s.say(`bench: note: ${url}: ${m}`) },
      },
    )
    owned.push(transport)
    return transport
  }
  const metricsFor = (target: string, flag: string | undefined): string | undefined =>
    s.metrics.disabled ? undefined : (flag ?? defaultMetricsUrl(target))

  const transportA = open(planA.url, planA.choice)
  const a: Leg = {
    transport: transportA,
    model: s.model,
    profile: s.profile,
    metricsUrl: metricsFor(transportA.target, s.metrics.a),
  }
  const modelPlanA = await plan(a, s)
  const workloadA = await workload(modelPlanA, s)
  const legs: Array<{ leg: Leg; work: BenchWorkload }> = [{ leg: a, work: workloadA }]
  for (const [i, p] of compared.entries()) {
    if (p.kind === 'openai') {
      legs.push({ leg: openAiLeg(p.url, modelPlanA, workloadA, s, owned), work: workloadA })
      continue
    }
    let leg: Leg
    if (p.model !== undefined) {
      // The profile describes model A; another model gets its own from its metadata.
      a.label ??= a.model
      leg = { transport: transportA, model: p.model, label: p.model, metricsUrl: a.metricsUrl }
    } else {
      const transport = open(p.url, p.choice)
      // Another port of the same host is the same server (Triton's HTTP and gRPC ports).
      const sameHost = resolveEndpoint({ url: p.url }).host === resolveEndpoint(s.connection).host
      const flagB = i === 0 ? s.metrics.b : undefined
      const metricsUrl =
        p.sameEndpoint || (sameHost && !flagB) ? a.metricsUrl : metricsFor(transport.target, flagB)
      leg = { transport, model: s.model, profile: s.profile, metricsUrl }
    }
    legs.push({ leg, work: await workload(await plan(leg, s), s) })
  }
  if (compared.length === 0) a.label ??= a.model
  const sameLabels = new Set(legs.map(({ leg }) => leg.transport.label)).size < legs.length
  const targets = legs.map(({ leg, work }, i): MeasureTarget => {
    const t = leg.transport
    const named = (): string => {
      const refused = 'fallbackReason' in t && t.fallbackReason ? ', shm refused' : ''
      return `${t.label}${refused}${sameLabels ? ` @ ${t.target}` : ''}`
    }
    return {
      transport: t,
      model: leg.model,
      // Read after the first request: '+ shm' only while shared memory is really in use.
      label: s.labels[i] ?? leg.label ?? named,
      workload: work,
      metricsUrl: leg.metricsUrl,
    }
  })
  for (const t of targets) s.say(`bench: ${labelOf(t)}: input ${t.workload.description}`)
  return targets
}

async function plan(leg: Leg, s: TargetSettings): Promise<BenchModelPlan> {
  if (!('api' in leg.transport)) throw new Error('only a Triton endpoint has models to plan')
  const { api } = leg.transport
  s.say(`bench: preparing ${leg.model} @ ${leg.transport.target} over ${leg.transport.label}`)
  return planBenchModel(api, leg.model, leg.profile)
}

function workload(p: BenchModelPlan, s: TargetSettings): Promise<BenchWorkload> {
  return buildBenchWorkload(p, { file: s.file, signal: s.signal })
}

/** The OpenAI-compatible service gets model A's requests: the same audio window, as a WAV. */
function openAiLeg(
  url: string,
  planA: BenchModelPlan,
  workloadA: BenchWorkload,
  s: TargetSettings,
  owned: Array<{ close(): Promise<void> }>,
): Leg {
  const profile = planA.profile
  const audio = profile?.inputs.find((i) => i.source === 'audio')
  if (!profile || !audio || profile.kind === 'detection' || workloadA.sequence) {
    const what = workloadA.sequence
      ? 'a streaming (sequence) model'
      : `a ${profile?.kind ?? planA.details.kind} model`
    throw new CliUsageError(
      `--compare openai: sends each request's audio window as one transcription, so --model must be an ASR model that takes a whole window per request; '${s.model}' is ${what}`,
    )
  }
  const apiKey = openAiApiKey(url, s.openai)
  const warning = plaintextCredentialWarning(url, false, apiKey ? 'the API key' : undefined)
  if (warning) s.say(`triton-live: warning: ${warning}`)
  const client = new OpenAiTranscriptionClient({
    url,
    timeoutMs: s.connection.timeoutMs,
    bearerToken: apiKey,
  })
  const model = s.openai.model ?? s.model
  const transport = new OpenAiTransport(client, {
    input: audio.name,
    sampleRate: profile.audio?.sampleRate ?? DEFAULT_SAMPLE_RATE,
    model,
  })
  owned.push(transport)
  return { transport, model }
}

/**
 * The key sent to an OpenAI-compatible service: the one given with --openai-api-key, or
 * OPENAI_API_KEY from the environment only when the service is OpenAI's own API (that key is
 * usually the user's OpenAI key, and a FastAPI box on the LAN must not receive it).
 */
export function openAiApiKey(
  url: string,
  keys: { apiKey?: string; envApiKey?: string },
): string | undefined {
  if (keys.apiKey) return keys.apiKey
  return URL.canParse(url) && new URL(url).hostname === 'api.openai.com'
    ? keys.envApiKey
    : undefined
}
