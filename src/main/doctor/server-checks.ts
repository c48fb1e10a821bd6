import { inspectModel } from '../models/model-facts'
import { fetchMetricsText, parseTritonMetrics } from '../metrics/prometheus-metrics'
import type { TritonApi } from '../triton/triton-api'
import { TritonError } from '../triton/triton-error'
import type { CheckRunner } from './check-runner'

/**
 * The server rungs of the doctor, over gRPC or the HTTP/REST API alike: live, ready,
 * extensions, the metrics page, round trip and bandwidth, and each model's metadata, config
 * and preset.
 */

const ROUND_TRIPS = 5
const PROBE_BYTES = 1024 * 1024
/** A model name no repository has: the server reads the whole request, then says "unknown model". */
const PROBE_MODEL = 'triton-live-doctor-bandwidth-probe'
const MAX_MODELS = 50

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

const ms = (v: number): string => `${v.toFixed(1)} ms`

export async function checkServer(runner: CheckRunner, client: TritonApi): Promise<void> {
  await runner.check('ServerLive', async () => {
    const live = await client.serverLive()
    return live
      ? { status: 'ok', detail: 'live' }
      : {
          status: 'fail',
          fatal: true,
          detail: 'the server says it is not live',
          hint: 'look at the Triton server log',
        }
  })
  await runner.check(
    'ServerReady',
    async () =>
      (await client.serverReady())
        ? { status: 'ok', detail: 'ready' }
        : {
            status: 'fail',
            detail: 'live but not ready (models still loading, or one failed)',
            hint: 'wait, or look at the Triton server log for a model that failed to load',
          },
    false,
  )
  await runner.check(
    'extensions',
    async () => {
      const meta = await client.serverMetadata()
      const detail = `${meta.name} ${meta.version}: ${meta.extensions.join(', ') || 'none'}`
      return meta.extensions.includes('model_configuration')
        ? { status: 'ok', detail }
        : {
            status: 'warn',
            detail,
            hint: 'without model_configuration the app sees only metadata; give model profiles',
          }
    },
    false,
  )
}

export async function checkMetrics(runner: CheckRunner, url: string): Promise<void> {
  await runner.check('metrics page', async () => {
    try {
      const snap = parseTritonMetrics(await fetchMetricsText(url, { timeoutMs: 5000 }), Date.now())
      const gpus =
        snap.gpus.length > 0
          ? `${snap.gpus.length} GPU${snap.gpus.length > 1 ? 's' : ''}`
          : 'no GPU lines (a CPU-only server)'
      return { status: 'ok', detail: `${url}: ${snap.models.length} model series, ${gpus}` }
    } catch (e) {
      // The page is optional: the app still works, only the metrics panel stays empty.
      return {
        status: 'warn',
        detail: e instanceof Error ? e.message : String(e),
        hint: 'pass --metrics-url if the metrics port is not 8002 on the same host',
      }
    }
  })
}

export async function checkLinkSpeed(runner: CheckRunner, client: TritonApi): Promise<void> {
  let rtt = 0
  await runner.check(
    'round trip',
    async () => {
      const times: number[] = []
      for (let i = 0; i < ROUND_TRIPS; i++) {
        const t0 = performance.now()
        await client.serverLive()
        times.push(performance.now() - t0)
      }
      rtt = median(times)
      return {
        status: 'ok',
        detail: `median ${ms(rtt)} over ${ROUND_TRIPS} ServerLive calls (min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))})`,
      }
    },
    false,
  )
  await runner.check(
    'bandwidth',
    async () => {
      const t0 = performance.now()
      const answer = await client
        .infer({
          model: PROBE_MODEL,
          inputs: [
            {
              name: 'PROBE',
              datatype: 'UINT8',
              shape: [PROBE_BYTES],
              data: new Uint8Array(PROBE_BYTES),
            },
          ],
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      const elapsed = performance.now() - t0
      if (
        answer instanceof TritonError &&
        answer.kind !== 'not-found' &&
        answer.kind !== 'invalid-argument'
      ) {
        return { status: 'warn', detail: `not measured: ${answer.message}` }
      }
      const seconds = Math.max(elapsed - rtt, 0.01) / 1000
      const mbps = PROBE_BYTES / seconds / 1e6
      return {
        status: 'ok',
        detail: `about ${mbps >= 100 ? mbps.toFixed(0) : mbps.toFixed(1)} MB/s up (1 MiB in ${ms(elapsed)}, round trip taken off)`,
      }
    },
    false,
  )
}

export async function checkModels(runner: CheckRunner, client: TritonApi): Promise<void> {
  const index = await client.repositoryIndex(true).catch((e: unknown) => e)
  if (!Array.isArray(index)) {
    await runner.check(
      'models',
      async () => ({
        status: 'warn',
        detail: index instanceof Error ? index.message : String(index),
        hint: 'the repository index needs the model_repository extension; name models with --model',
      }),
      false,
    )
    return
  }
  if (index.length === 0) {
    await runner.check(
      'models',
      async () => ({
        status: 'warn',
        detail: 'no model is ready',
        hint: 'load a model, or check the repository path of the server',
      }),
      false,
    )
    return
  }
  for (const m of index.slice(0, MAX_MODELS)) {
    await runner.check(
      `model ${m.name}`,
      async () => {
        const d = await inspectModel(client, m.name, undefined, m.version)
        const kind = d.kind + (d.detectionForm ? `/${d.detectionForm}` : '')
        // Read fine; the app just cannot feed it on its own (a text or custom model).
        if (!d.profile)
          return {
            status: 'ok',
            detail: `${kind}; metadata and config read; needs a profile to stream`,
          }
        return {
          status: 'ok',
          detail: `${kind}; ${d.preset ? `preset: ${d.preset.summary}` : 'no preset (generic rules)'}`,
        }
      },
      false,
    )
  }
}
