import { appendFileSync } from 'node:fs'
import { createServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as grpc from '@grpc/grpc-js'
import { requireBearerToken } from './demo-auth'
import { loadTritonProto } from '../triton/proto-loader'
import { DemoSharedMemory } from './demo-control'
import { grpcHandlers } from './demo-grpc-handlers'
import { createDemoHttpServer, DemoHttpApi } from './demo-http-server'
import { DemoInference } from './demo-inference'
import { DemoMetricsPage } from './demo-metrics-page'
import { DEMO_MODELS, type DemoModel } from './demo-models'
import { createOpenAiServer, OpenAiTranscriptions } from './openai-transcriptions'
import { SharedMemoryRegistry } from './shared-memory-registry'

export {
  DEMO_EXTENSIONS,
  DEMO_SERVER_NAME,
  DEMO_SERVER_VERSION,
  modelConfigOf,
} from './demo-control'

/** The endpoint could not open its port; `service` says which of its two. */
export class ListenError extends Error {
  constructor(
    /** What could not listen: 'gRPC', 'metrics', 'KServe HTTP', 'the OpenAI API'. */
    readonly service: string,
    readonly address: string,
    readonly code: string | undefined,
    cause: string,
  ) {
    super(
      code === 'EADDRINUSE'
        ? `cannot serve ${service} on ${address}: the port is already in use (another demo endpoint, or a Triton?)`
        : `cannot serve ${service} on ${address}: ${cause}`,
    )
    this.name = 'ListenError'
  }
}

/** grpc-js reports a bind failure as one sentence with the socket error inside it. */
function socketCode(message: string): string | undefined {
  return /\b(EADDRINUSE|EACCES|EADDRNOTAVAIL)\b/.exec(message)?.[1]
}

export interface DemoEndpointOptions {
  host?: string
  /** gRPC port; 0 picks a free port. */
  port?: number
  /** Port of the Prometheus page; 0 picks a free port, null disables it. */
  metricsPort?: number | null
  /** KServe v2 HTTP/REST port (Triton's default is 8000); 0 picks a free port; off when absent. */
  httpPort?: number | null
  /** OpenAI-compatible POST /v1/audio/transcriptions for the transcriber; off when absent. */
  openaiPort?: number | null
  /** Triton 26.04+ refuses client shared memory unless started with --allow-client-shm=true. Default true. */
  allowClientShm?: boolean
  /** Where the server looks for shm objects; another folder acts like a server on another host. */
  shmDir?: string
  models?: readonly DemoModel[]
  /**
   * Appends one JSON line per completed sequence (model, sequence id, samples, text) to this
   * file, written before the answer goes out, so a test can count at the server what survived
   * a kill -9.
   */
  sequenceLog?: string
  /** Serve gRPC over TLS with this PEM certificate and key; with `clientCa`, require client certificates (mTLS). */
  tls?: { cert: Buffer; key: Buffer; clientCa?: Buffer }
  /** Refuse every call without `authorization: Bearer <token>`, as an auth proxy would. */
  bearerToken?: string
  /**
   * Every request takes this much longer inside its model's one instance, so a model serves at
   * most 1000 / delayMs requests per second: a slow model whose limit is known exactly.
   */
  delayMs?: number
}

export interface DemoEndpoint {
  /** The gRPC address (grpcs:// with TLS). */
  url: string
  port: number
  metricsUrl?: string
  /** http://host:port of the KServe v2 REST API, when served. */
  httpUrl?: string
  /** http://host:port of the OpenAI-compatible API (POST /v1/audio/transcriptions), when served. */
  openaiUrl?: string
  inference: DemoInference
  close(): Promise<void>
}

function serverCredentials(tls: DemoEndpointOptions['tls']): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure()
  return grpc.ServerCredentials.createSsl(
    tls.clientCa ?? null,
    [{ cert_chain: tls.cert, private_key: tls.key }],
    Boolean(tls.clientCa),
  )
}

async function listen(
  server: HttpServer,
  host: string,
  port: number,
  what: string,
): Promise<string> {
  const shown = host.includes(':') ? `[${host}]` : host
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new ListenError(what, `${shown}:${port}`, e.code, e.message)),
    )
    server.listen(port, host, () => resolve())
  })
  return `http://${shown}:${(server.address() as AddressInfo).port}`
}

async function stopHttp(server: HttpServer): Promise<void> {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}

/** Starts the demo endpoint: gRPC, and as asked the /metrics page, KServe HTTP and the OpenAI API. */
export async function startDemoEndpoint(options: DemoEndpointOptions = {}): Promise<DemoEndpoint> {
  const host = options.host ?? '127.0.0.1'
  const registry = new SharedMemoryRegistry(options.shmDir)
  const shm = new DemoSharedMemory(registry, options.allowClientShm ?? true)
  const log = options.sequenceLog
  const inference = new DemoInference(options.models ?? DEMO_MODELS, registry, {
    delayMs: options.delayMs,
    onSequenceEnd: log ? (entry) => appendFileSync(log, JSON.stringify(entry) + '\n') : undefined,
  })
  const server = new grpc.Server({
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  })
  const service = grpcHandlers(inference, shm)
  server.addService(
    loadTritonProto().inference.GRPCInferenceService.service,
    options.bearerToken ? requireBearerToken(service, options.bearerToken) : service,
  )
  const bindHost = host.includes(':') ? `[${host}]` : host
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${bindHost}:${options.port ?? 0}`,
      serverCredentials(options.tls),
      (err, p) =>
        err
          ? reject(
              new ListenError(
                'gRPC',
                `${bindHost}:${options.port ?? 0}`,
                socketCode(err.message),
                err.message,
              ),
            )
          : resolve(p),
    ),
  )
  const https: HttpServer[] = []
  const serve = async (s: HttpServer, p: number, what: string): Promise<string> => {
    https.push(s)
    return listen(s, host, p, what)
  }
  const close = async (): Promise<void> => {
    // Let answers in flight finish briefly, then cut open streams as a stopping server does.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 500)
      server.tryShutdown(() => {
        clearTimeout(timer)
        resolve()
      })
    })
    server.forceShutdown()
    await Promise.all(https.map(stopHttp))
  }
  try {
    const endpoint: DemoEndpoint = {
      url: `${options.tls ? 'grpcs://' : ''}${bindHost}:${port}`,
      port,
      inference,
      close,
    }
    if (options.metricsPort !== null) {
      const page = new DemoMetricsPage(inference)
      const metrics = createServer((req, res) => {
        if (req.url === '/metrics' || req.url?.startsWith('/metrics?')) {
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
          res.end(page.render())
        } else {
          res.writeHead(404, { 'content-type': 'text/plain' })
          res.end('not found; metrics are at /metrics\n')
        }
      })
      endpoint.metricsUrl = `${await serve(metrics, options.metricsPort ?? 0, 'metrics')}/metrics`
    }
    if (options.httpPort != null) {
      const http = createDemoHttpServer(
        new DemoHttpApi(inference, shm),
        options.tls,
        options.bearerToken,
      )
      const url = await serve(http, options.httpPort, 'KServe HTTP')
      endpoint.httpUrl = options.tls ? url.replace(/^http:/, 'https:') : url
    }
    if (options.openaiPort != null) {
      const openai = createOpenAiServer(new OpenAiTranscriptions(inference))
      endpoint.openaiUrl = await serve(openai, options.openaiPort, 'the OpenAI API')
    }
    return endpoint
  } catch (e) {
    await close()
    throw e
  }
}
