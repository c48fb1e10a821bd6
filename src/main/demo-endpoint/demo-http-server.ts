import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import {
  modelConfigOf,
  modelMetadataMessage,
  modelStatisticsMessages,
  repositoryIndexMessage,
  serverMetadataMessage,
  type DemoSharedMemory,
} from './demo-control'
import { bearerRefusal } from './demo-auth'
import type { DemoInference } from './demo-inference'
import { DemoInferError } from './demo-inference-error'
import { parseHttpInfer, renderHttpInfer } from './kserve-http-request'
import { tritonJson } from './triton-json'

/** Triton's --http-max-input-size default (HTTP_DEFAULT_MAX_INPUT_SIZE = 1 << 26). */
const MAX_BODY = 64 * 1024 * 1024

const HTTP_STATUS: Record<DemoInferError['code'], number> = {
  INVALID_ARGUMENT: 400,
  ALREADY_EXISTS: 400,
  NOT_FOUND: 404,
  UNAVAILABLE: 503,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

interface Reply {
  status?: number
  json?: unknown
  body?: Buffer
  headers?: Record<string, string>
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.byteLength
      if (size > MAX_BODY) {
        reject(new HttpFailure(400, `request size exceeds the maximum of ${MAX_BODY} bytes`))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function jsonBody(body: Buffer): Record<string, unknown> {
  if (body.byteLength === 0) return {}
  try {
    return JSON.parse(body.toString('utf8')) as Record<string, unknown>
  } catch (e) {
    throw new DemoInferError(
      'INVALID_ARGUMENT',
      `failed to parse the request JSON buffer: ${(e as Error).message}`,
    )
  }
}

const MODEL_ROUTE =
  /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(?:\/(ready|config|stats|infer))?$/
const SHM_ROUTE = /^\/v2\/systemsharedmemory(?:\/region\/([^/]+))?\/(status|register|unregister)$/
const REPO_ROUTE = /^\/v2\/repository\/models\/([^/]+)\/(load|unload)$/

/** KServe v2 REST routes of the demo endpoint, on the same inference and control code as gRPC. */
export class DemoHttpApi {
  constructor(
    private readonly inference: DemoInference,
    private readonly shm: DemoSharedMemory,
  ) {}

  async route(method: string, path: string, req: IncomingMessage): Promise<Reply> {
    const want = (m: 'GET' | 'POST'): void => {
      if (method !== m) throw new HttpFailure(405, 'Method Not Allowed')
    }
    if (path === '/v2/health/live' || path === '/v2/health/ready') return (want('GET'), {})
    if (path === '/v2')
      return (want('GET'), { json: tritonJson('ServerMetadata', serverMetadataMessage()) })
    if (path === '/v2/models/stats') return (want('GET'), { json: this.stats('', '') })
    if (path === '/v2/repository/index') {
      want('POST')
      const ready = jsonBody(await readBody(req)).ready === true
      const index = tritonJson('RepositoryIndex', repositoryIndexMessage(this.inference, ready))
      return { json: (index as { models?: unknown[] }).models ?? [] }
    }
    let m = REPO_ROUTE.exec(path)
    if (m) {
      want('POST')
      this.inference.setLoaded(decodeURIComponent(m[1]), m[2] === 'load')
      return {}
    }
    m = SHM_ROUTE.exec(path)
    if (m) return this.sharedMemory(method, m[1] ? decodeURIComponent(m[1]) : '', m[2], req)
    m = MODEL_ROUTE.exec(path)
    if (m)
      return this.model(
        method,
        decodeURIComponent(m[1]),
        m[2] ? decodeURIComponent(m[2]) : '',
        m[3],
        req,
      )
    throw new HttpFailure(404, 'Not Found')
  }

  private stats(name: string, version: string): unknown {
    const model_stats = modelStatisticsMessages(this.inference, name, version)
    return tritonJson('ModelStatistics', { model_stats })
  }

  private async model(
    method: string,
    name: string,
    version: string,
    action: string | undefined,
    req: IncomingMessage,
  ): Promise<Reply> {
    if (action === 'infer') {
      if (method !== 'POST') throw new HttpFailure(405, 'Method Not Allowed')
      return this.infer(name, version, req)
    }
    if (method !== 'GET') throw new HttpFailure(405, 'Method Not Allowed')
    if (action === 'ready') {
      let ready = true
      try {
        this.inference.get(name, version)
      } catch {
        ready = false
      }
      return { status: ready ? 200 : 400 }
    }
    if (action === 'stats') return { json: this.stats(name, version) }
    const model = this.inference.get(name, version)
    if (action === 'config') {
      const { config } = tritonJson('ModelConfig', { config: modelConfigOf(model) }) as {
        config: unknown
      }
      return { json: config }
    }
    return { json: tritonJson('ModelMetadata', modelMetadataMessage(model)) }
  }

  private async infer(name: string, version: string, req: IncomingMessage): Promise<Reply> {
    const length = req.headers['inference-header-content-length']
    const body = await readBody(req)
    const parsed = parseHttpInfer(
      name,
      version,
      body,
      length === undefined ? undefined : Number(length),
    )
    const { responses } = await this.inference.execute(parsed.request, 'http')
    const inShm = new Set(
      parsed.request.outputs.filter((o) => o.parameters.shared_memory_region).map((o) => o.name),
    )
    const out = renderHttpInfer(responses[0], parsed, (n) => inShm.has(n))
    return out.headerLength === undefined
      ? { body: out.body, headers: { 'content-type': 'application/json' } }
      : {
          body: out.body,
          headers: {
            'content-type': 'application/octet-stream',
            'inference-header-content-length': String(out.headerLength),
          },
        }
  }

  private async sharedMemory(
    method: string,
    region: string,
    action: string,
    req: IncomingMessage,
  ): Promise<Reply> {
    if (action === 'status') {
      if (method !== 'GET') throw new HttpFailure(405, 'Method Not Allowed')
      return {
        json: this.shm
          .status(region)
          .map((r) => ({ name: r.name, key: r.key, offset: r.offset, byte_size: r.byteSize })),
      }
    }
    if (method !== 'POST') throw new HttpFailure(405, 'Method Not Allowed')
    const body = jsonBody(await readBody(req))
    if (action === 'unregister') return (this.shm.unregister(region), {})
    if (!region) {
      throw new DemoInferError(
        'INVALID_ARGUMENT',
        "'region name' is necessary to register system shared memory region",
      )
    }
    if (typeof body.key !== 'string') {
      throw new DemoInferError(
        'INVALID_ARGUMENT',
        "Shared memory register request has no 'key' field",
      )
    }
    if (body.byte_size === undefined) {
      throw new DemoInferError(
        'INVALID_ARGUMENT',
        "Shared memory register request has no 'byte_size' field",
      )
    }
    this.shm.register({
      name: region,
      key: body.key,
      offset: Number(body.offset ?? 0),
      byteSize: Number(body.byte_size),
    })
    return {}
  }

  /** Answers one request; every failure is Triton's {"error": "..."} with its status. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply
    try {
      const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/'
      reply = await this.route(req.method ?? 'GET', path, req)
    } catch (e) {
      const status =
        e instanceof HttpFailure
          ? e.status
          : e instanceof DemoInferError
            ? HTTP_STATUS[e.code]
            : 500
      reply = { status, json: { error: e instanceof Error ? e.message : String(e) } }
    }
    const body =
      reply.body ??
      (reply.json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(reply.json)))
    res.writeHead(reply.status ?? 200, {
      'content-type': 'application/json',
      ...reply.headers,
      'content-length': String(body.byteLength),
    })
    res.end(body)
  }
}

/** Plain HTTP, or HTTPS (mTLS with `clientCa`) as a TLS proxy in front of Triton would serve it. */
export function createDemoHttpServer(
  api: DemoHttpApi,
  tls?: { cert: Buffer; key: Buffer; clientCa?: Buffer },
  bearerToken?: string,
): Server {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    // The same gate as the gRPC port's: an auth proxy in front of both.
    const refusal = bearerToken ? bearerRefusal(req.headers.authorization, bearerToken) : undefined
    if (!refusal) return void api.handle(req, res)
    res.writeHead(401, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: refusal }))
  }
  if (!tls) return createServer(handler)
  return createTlsServer(
    {
      cert: tls.cert,
      key: tls.key,
      ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
    },
    handler,
  )
}
