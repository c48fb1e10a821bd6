// Side-by-side throughput of one 640x640 FP32 frame (4.9 MB) over every transport, against the
// demo endpoint in a separate process (so client and server do not share one event loop).
// Nothing here asserts a time: it prints req/s per transport with its ratio to the gRPC stream.
//   npx tsx scripts/bench-transports.ts [--requests N] [--json-requests N] [--only 'label part']
import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { startDemoEndpoint } from '../src/main/demo-endpoint/demo-server'
import { DEMO_MODELS, type DemoModel } from '../src/main/demo-endpoint/demo-models'
import { LatencyRecorder } from '../src/main/metrics/latency-histogram'
import { createTransport, type TransportChoice } from '../src/main/transport/create-transport'
import { KServeHttpClient } from '../src/main/transport/http/kserve-http-client'
import type { InferRequestSpec } from '../src/main/triton/infer-messages'
import type { TritonApi } from '../src/main/triton/triton-api'
import { TritonClient } from '../src/main/triton/triton-client'

/** Takes the frame and answers one number: the transport's cost without a model's. */
const frameSink: DemoModel = {
  name: 'frame-sink',
  platform: 'demo',
  backend: 'triton-live-demo',
  maxBatchSize: 1,
  inputs: [{ name: 'images', datatype: 'FP32', dims: [3, 640, 640] }],
  outputs: [{ name: 'mean', datatype: 'FP32', dims: [1] }],
  execute(inputs) {
    const x = inputs.get('images')?.data as Float32Array
    return [{ name: 'mean', datatype: 'FP32', shape: [1, 1], data: new Float32Array([x[0]]) }]
  },
}

async function serve(): Promise<void> {
  const demo = await startDemoEndpoint({
    port: 0,
    httpPort: 0,
    metricsPort: null,
    models: [...DEMO_MODELS, frameSink],
  })
  process.stdout.write(`${JSON.stringify({ grpc: demo.url, http: demo.httpUrl })}\n`)
  process.once('SIGTERM', () => void demo.close().then(() => process.exit(0)))
}

function startServer(): Promise<{ urls: { grpc: string; http: string }; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) =>
      resolve({ urls: JSON.parse(d.toString()), stop: () => child.kill('SIGTERM') }),
    )
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)))
  })
}

interface Route {
  label: string
  api: () => TritonApi
  choice: TransportChoice
  json?: boolean
}

async function measure(route: Route, spec: InferRequestSpec, requests: number, inFlight: number) {
  const transport = createTransport(route.api(), route.choice)
  const channel = transport.open()
  const rec = new LatencyRecorder()
  await channel.infer(spec) // warm-up: connection, metadata, region registration
  const pending = new Set<Promise<void>>()
  const t = performance.now()
  for (let i = 0; i < requests; i++) {
    const p = channel.infer(spec).then((a) => rec.record(a.latencyMs))
    pending.add(p)
    void p.finally(() => pending.delete(p))
    if (pending.size >= inFlight) await Promise.race(pending)
  }
  await Promise.all(pending)
  const wall = (performance.now() - t) / 1000
  if (transport.fallbackReason) throw new Error(`${route.label}: ${transport.fallbackReason}`)
  await channel.end()
  await transport.close()
  return { rps: requests / wall, p50: rec.percentile(50) }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'boolean' },
      requests: { type: 'string' },
      'json-requests': { type: 'string' },
      only: { type: 'string' },
    },
  })
  if (values.serve) return serve()
  const requests = Number(values.requests ?? 200)
  const jsonRequests = Number(values['json-requests'] ?? 10)
  const server = await startServer()
  const apis: TritonApi[] = []
  const keep = <T extends TritonApi>(a: T): T => (apis.push(a), a)
  const grpc = () => keep(new TritonClient({ url: server.urls.grpc }))
  const http = (tensorFormat: 'binary' | 'json') =>
    keep(new KServeHttpClient({ url: server.urls.http }, { tensorFormat }))
  const routes: Route[] = [
    { label: 'gRPC stream', api: grpc, choice: { mode: 'stream' } },
    { label: 'gRPC unary', api: grpc, choice: { mode: 'unary' } },
    { label: 'HTTP binary tensors', api: () => http('binary'), choice: {} },
    { label: 'HTTP JSON tensors', api: () => http('json'), choice: {}, json: true },
    {
      label: 'gRPC stream + system shm',
      api: grpc,
      choice: { mode: 'stream', sharedMemory: 'system' },
    },
    {
      label: 'gRPC unary + system shm',
      api: grpc,
      choice: { mode: 'unary', sharedMemory: 'system' },
    },
    { label: 'HTTP + system shm', api: () => http('binary'), choice: { sharedMemory: 'system' } },
  ]
  const only = values.only?.toLowerCase()
  const chosen = only
    ? routes.filter((r, i) => i === 0 || r.label.toLowerCase().includes(only))
    : routes
  const frame = new Float32Array(3 * 640 * 640).map((_, i) => (i % 255) / 255)
  const spec = (model: string): InferRequestSpec => ({
    model,
    inputs: [{ name: 'images', datatype: 'FP32', shape: [1, 3, 640, 640], data: frame }],
  })
  console.log(
    `one 1x3x640x640 FP32 frame (4,915,200 bytes) per request, loopback, demo endpoint in its own process;` +
      ` ${requests} requests per cell (${jsonRequests} for JSON)\n`,
  )
  for (const model of ['frame-sink', 'color-box-detector-e2e']) {
    console.log(
      `${model === 'frame-sink' ? 'frame-sink (answers one number: the transport alone)' : 'color-box-detector-e2e (finds boxes, answers [1,300,6])'}`,
    )
    console.log(
      `${'transport'.padEnd(26)} ${'1 in flight'.padStart(12)} ${'ratio'.padStart(6)} ${'p50 ms'.padStart(8)}   ${'4 in flight'.padStart(12)} ${'ratio'.padStart(6)}`,
    )
    let base1 = 0
    let base4 = 0
    for (const route of chosen) {
      const n = route.json ? jsonRequests : requests
      const one = await measure(route, spec(model), n, 1)
      const four = await measure(route, spec(model), n, 4)
      if (!base1) [base1, base4] = [one.rps, four.rps]
      console.log(
        `${route.label.padEnd(26)} ${`${one.rps.toFixed(1)} req/s`.padStart(12)} ${`${(one.rps / base1).toFixed(2)}x`.padStart(6)} ${one.p50.toFixed(1).padStart(8)}   ${`${four.rps.toFixed(1)} req/s`.padStart(12)} ${`${(four.rps / base4).toFixed(2)}x`.padStart(6)}`,
      )
    }
    console.log('')
  }
  for (const a of apis) a.close()
  server.stop()
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exit(1)
})
