import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTransport } from '../../../src/main/transport/create-transport'
import { KServeHttpClient } from '../../../src/main/transport/http/kserve-http-client'
import type { InferRequestSpec } from '../../../src/main/triton/infer-messages'
import { TritonError } from '../../../src/main/triton/triton-error'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

const json =
  (status: number, body: unknown): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
const text =
  (status: number, body: string, type = 'text/html'): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': type })
    res.end(body)
  }

/** What a misbehaving server or a proxy in front of Triton answers, by model name. */
const MODELS: Record<string, Handler> = {
  rejects: json(400, {
    error: "unexpected shape for input 'WAV' for model 'rejects'. Expected [-1,-1], got [3]",
  }),
  missing: json(404, { error: "Request for unknown model: 'missing' is not found" }),
  locked: json(401, { error: 'token expired' }),
  huge: text(413, '<html><body><h1>413 Request Entity Too Large</h1></body></html>'),
  gateway: text(
    502,
    '<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>',
  ),
  starting: json(503, { error: 'Server not ready' }),
  slowproxy: text(504, '<h1>504 Gateway Time-out</h1>'),
  crashes: json(500, { error: "model 'crashes' failed: division by zero" }),
  streamer: json(501, {
    error: "HTTP end point doesn't support models with decoupled transaction policy",
  }),
  garbage: text(200, 'hello, this is not KServe', 'text/plain'),
  liar: (_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': '9999',
    })
    res.end('{"outputs":[]}')
  },
  short: (_req, res) => {
    const header = JSON.stringify({
      outputs: [{ name: 'Y', datatype: 'FP32', shape: [4], parameters: { binary_data_size: 16 } }],
    })
    res.writeHead(200, { 'inference-header-content-length': String(header.length) })
    res.end(Buffer.concat([Buffer.from(header), Buffer.alloc(8)]))
  },
  mixup: json(200, { id: 'someone-else', outputs: [] }),
  hangs: () => undefined,
  resets: (req) => req.socket.destroy(),
}

let server: Server
let base: string
const seenHeaders: IncomingMessage['headers'][] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    seenHeaders.push(req.headers)
    const m = /^\/v2\/models\/([^/]+)\/infer$/.exec(req.url ?? '')
    if (req.url === '/v2')
      return json(200, { name: 'odd', version: '1', extensions: ['binary_tensor_data'] })(req, res)
    if (req.url === '/v2/health/live') return text(400, '')(req, res)
    const handler = m ? MODELS[m[1]] : undefined
    if (!handler) return text(404, '<h1>Not Found</h1>')(req, res)
    req.resume()
    req.on('end', () => handler(req, res))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

const spec = (model: string): InferRequestSpec => ({
  model,
  inputs: [{ name: 'X', datatype: 'FP32', shape: [3], data: new Float32Array([1, 2, 3]) }],
})

async function failure(model: string): Promise<TritonError> {
  const client = new KServeHttpClient({ url: base, timeoutMs: 2000 })
  try {
    await client.infer(spec(model))
  } catch (e) {
    return e as TritonError
  } finally {
    client.close()
  }
  throw new Error(`${model} did not fail`)
}

describe('HTTP failures become the TritonError kinds gRPC gives, in one line with a hint', () => {
  it.each([
    ['rejects', 'invalid-argument', /rejected: unexpected shape for input 'WAV'/],
    ['missing', 'not-found', /Request for unknown model: 'missing' is not found/],
    [
      'locked',
      'auth',
      /refused ModelInfer\(locked\) \(HTTP 401\) without credentials: token expired/,
    ],
    ['huge', 'too-large', /too large .*HTTP 413/],
    ['gateway', 'unreachable', /not available .*\(HTTP 502\): 502 Bad Gateway nginx$/],
    ['starting', 'unreachable', /HTTP 503\): Server not ready/],
    ['slowproxy', 'timeout', /no answer in time \(HTTP 504\)/],
    ['crashes', 'internal', /HTTP 500\): model 'crashes' failed: division by zero/],
    ['streamer', 'unsupported', /decoupled transaction policy/],
    ['garbage', 'internal', /not JSON \(it starts 'hello, this is not KServe'\)/],
    ['liar', 'model-error', /JSON header is 9999 bytes but the body has 14/],
    ['short', 'model-error', /output 'Y' claims 16 bytes but only 8 remain/],
    [
      'no-such-route',
      'not-found',
      /has no ModelInfer\(no-such-route\) endpoint \(HTTP 404: Not Found\)/,
    ],
    [
      'resets',
      'unreachable',
      /cannot reach Triton at http:\/\/127\.0\.0\.1:\d+: the server closed the connection/,
    ],
  ])('%s answers as %s', async (model, kind, message) => {
    const err = await failure(model)
    expect(err).toBeInstanceOf(TritonError)
    expect(err.kind).toBe(kind)
    expect(err.message).toMatch(message)
    expect(err.toUserString()).not.toMatch(/\n|<\//)
  })

  it('gives decoupled and proxy failures a hint that says what to do', async () => {
    expect((await failure('streamer')).hint).toMatch(/gRPC stream; use a grpc:\/\/ URL/)
    expect((await failure('no-such-route')).hint).toMatch(/HTTP port \(default 8000\)/)
  })

  it('fails a request that gets no answer at its deadline, on a channel that stays open', async () => {
    const transport = createTransport({ url: base, timeoutMs: 2000 })
    const channel = transport.open()
    const err = await channel
      .infer(spec('hangs'), { deadlineMs: 150 })
      .catch((e: unknown) => e as TritonError)
    expect(err).toMatchObject({ kind: 'timeout' })
    expect(channel.closed).toBe(false)
    expect(channel.inFlight).toBe(0)
    await channel.end()
    await transport.close()
  })

  it('counts an answer with another request id as unmatched and never attributes it', async () => {
    const transport = createTransport({ url: base })
    const unmatched: unknown[] = []
    const channel = transport.open({ onUnmatched: (u) => unmatched.push(u) })
    const err = await channel.infer(spec('mixup')).catch((e: unknown) => e as TritonError)
    expect(err).toMatchObject({ kind: 'internal' })
    expect(unmatched).toEqual([{ id: 'someone-else', reason: 'unknown-id' }])
    await transport.close()
  })

  it('ends the channel with the link error when the server is gone, so the session reconnects', async () => {
    const dead = createServer()
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`
    await new Promise<void>((r) => dead.close(() => r()))
    const transport = createTransport({ url })
    const channel = transport.open()
    const closed = new Promise((r) => channel.onDidClose(r))
    const err = (await channel.infer(spec('any')).catch((e: unknown) => e)) as TritonError
    expect(err).toMatchObject({ kind: 'unreachable' })
    expect(err.message).toMatch(/connection refused/)
    expect(await closed).toBe(err)
    expect(channel.closed).toBe(true)
    await transport.close()
  })

  it('sends the auth and custom headers of the endpoint, and reads 400 on health as not live', async () => {
    const client = new KServeHttpClient({
      url: base,
      bearerToken: 'secret-token',
      apiKey: 'key-1',
      headers: { 'X-Tenant': 'field-7' },
    })
    seenHeaders.length = 0
    expect(await client.serverLive()).toBe(false)
    client.close()
    expect(seenHeaders[0]).toMatchObject({
      authorization: 'Bearer secret-token',
      'x-api-key': 'key-1',
      'x-tenant': 'field-7',
    })
  })

  it('sends --authority as the Host of every call, so an ingress can route by host over HTTP too', async () => {
    const routed = new KServeHttpClient({ url: base, authority: 'asr.models.example.com' })
    const plain = new KServeHttpClient({ url: base })
    seenHeaders.length = 0
    await routed.serverLive()
    await routed.serverMetadata()
    await plain.serverLive()
    routed.close()
    plain.close()
    expect(seenHeaders.map((h) => h.host)).toEqual([
      'asr.models.example.com',
      'asr.models.example.com',
      base.replace('http://', ''),
    ])
  })
})
