import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import {
  constants,
  createSecureServer,
  createServer,
  type Http2Server,
  type Http2Session,
  type Http2SecureServer,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2'
import { createServer as createTcpServer, connect as connectTcp, type Socket } from 'node:net'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelInferRequest__Output } from '../../src/main/triton/generated/inference/ModelInferRequest'
import type { ModelStreamInferResponse } from '../../src/main/triton/generated/inference/ModelStreamInferResponse'
import type { InferRequestSpec } from '../../src/main/triton/infer-messages'
import type { ConnectionOptions } from '../../src/main/triton/connection-options'
import { loadTritonProto } from '../../src/main/triton/proto-loader'
import { resolveConnection } from '../../src/main/triton/connection-options'
import {
  GrpcHttp2Connection,
  type ConnectionCall,
} from '../../src/main/triton/grpc-http2-connection'
import { proxyFor } from '../../src/main/triton/grpc-http2-proxy'
import { RequestBuffers } from '../../src/main/triton/request-buffers'
import { StreamCall } from '../../src/main/triton/stream-call'
import { TritonClient } from '../../src/main/triton/triton-client'
import type { TritonError } from '../../src/main/triton/triton-error'
import { connectProxy, withProxyEnv } from '../fixtures/connect-proxy'
import { makeTestCertificates, type TestCertificates } from '../fixtures/doctor-certs'

/**
 * ModelStreamInfer framed by the project itself on node:http2, against node:http2 servers that
 * cut, batch, refuse, reset and go away on purpose: what reaches the server, how answers are
 * read back whatever their DATA frames, and how each way a call can end reads to the user.
 */

const service = loadTritonProto().inference.GRPCInferenceService.service
const method = service.ModelStreamInfer

function framed(bytes: Buffer): Buffer {
  const prefix = Buffer.alloc(5)
  prefix.writeUInt32BE(bytes.length, 1)
  return Buffer.concat([prefix, bytes])
}

const answerBytes = (msg: ModelStreamInferResponse): Buffer => framed(method.responseSerialize(msg))

/** An answer whose one FP32 output holds `values`. */
function answer(id: string, values: Float32Array): Buffer {
  return answerBytes({
    infer_response: {
      id,
      model_name: 'm',
      model_version: '1',
      outputs: [{ name: 'y', datatype: 'FP32', shape: [values.length] }],
      raw_output_contents: [Buffer.from(values.buffer, values.byteOffset, values.byteLength)],
    },
  })
}

/** The requests of a call, parsed as they complete (a test's own reader, not the client's). */
function onRequests(
  stream: ServerHttp2Stream,
  each: (request: ModelInferRequest__Output, index: number) => void,
): void {
  let pending = Buffer.alloc(0)
  let n = 0
  stream.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    while (pending.length >= 5 && pending.length >= 5 + pending.readUInt32BE(1)) {
      const length = pending.readUInt32BE(1)
      each(method.requestDeserialize(pending.subarray(5, 5 + length)), n++)
      pending = pending.subarray(5 + length)
    }
  })
}

const respond = (stream: ServerHttp2Stream): void =>
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true })

type Handler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void

interface TestServer {
  url: string
  sessions: ServerHttp2Session[]
  /** The server's next connection, once it arrives. */
  nextSession(): Promise<ServerHttp2Session>
  close(): Promise<void>
}

async function serve(
  handler: Handler,
  server: Http2Server | Http2SecureServer = createServer(),
  host = '127.0.0.1',
): Promise<TestServer> {
  const sessions: ServerHttp2Session[] = []
  server.on('session', (s: ServerHttp2Session) => {
    sessions.push(s)
    s.on('error', () => undefined)
  })
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    stream.on('error', () => undefined)
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }))
    handler(stream, headers)
  })
  await new Promise<void>((r) => server.listen(0, host, r))
  const port = (server.address() as { port: number }).port
  return {
    url: `${host}:${port}`,
    sessions,
    nextSession: async () => ((await once(server, 'session')) as [ServerHttp2Session])[0],
    close: () =>
      new Promise<void>((r) => {
        for (const s of sessions) s.destroy()
        server.close(() => r())
      }),
  }
}

function spec(data: Float32Array, id?: string): InferRequestSpec {
  return { model: 'm', id, inputs: [{ name: 'x', datatype: 'FP32', shape: [data.length], data }] }
}

async function withClient<T>(
  server: TestServer,
  options: Partial<ConnectionOptions>,
  run: (client: TritonClient) => Promise<T>,
): Promise<T> {
  const client = new TritonClient({ url: server.url, timeoutMs: 3000, ...options })
  try {
    return await run(client)
  } finally {
    client.close()
    await server.close()
  }
}

/** The error of a request that must fail. */
const failure = (p: Promise<unknown>): Promise<TritonError> =>
  p.then(
    () => {
      throw new Error('the request succeeded')
    },
    (e: TritonError) => e,
  )

const outputOf = (a: { responses: { outputs: Map<string, { data: unknown }> }[] }) =>
  a.responses[0].outputs.get('y')?.data as Float32Array

describe('requests on the wire', () => {
  it("writes gRPC messages with the channel's headers, each tensor byte for byte", async () => {
    let headers: IncomingHttpHeaders = {}
    const got: ModelInferRequest__Output[] = []
    const server = await serve((stream, h) => {
      headers = h
      respond(stream)
      onRequests(stream, (r) => {
        got.push(r)
        stream.write(answer(r.id, new Float32Array([got.length])))
      })
      stream.on('end', () => stream.end())
    })
    const big = Float32Array.from({ length: 300_000 }, (_, i) => i % 977)
    const small = new Float32Array([1.5, -2])
    await withClient(
      server,
      { authority: 'triton.example', bearerToken: 'tok-1234567890', headers: { 'x-team': 'a' } },
      async (client) => {
        const stream = client.openStream()
        const answers = await Promise.all([stream.infer(spec(big)), stream.infer(spec(small))])
        expect(answers.map((a) => Array.from(outputOf(a)))).toEqual([[1], [2]])
        await stream.end()
      },
    )
    expect(headers).toMatchObject({
      ':method': 'POST',
      ':path': '/inference.GRPCInferenceService/ModelStreamInfer',
      ':authority': 'triton.example',
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-accept-encoding': 'identity',
      authorization: 'Bearer tok-1234567890',
      'x-team': 'a',
    })
    expect(headers['user-agent']).toMatch(/^triton-live /)
    expect(got.map((r) => r.inputs[0].shape.map(Number))).toEqual([[300_000], [2]])
    expect(Buffer.from(got[0].raw_input_contents[0]).equals(Buffer.from(big.buffer))).toBe(true)
    expect(Buffer.from(got[1].raw_input_contents[0]).equals(Buffer.from(small.buffer))).toBe(true)
  })
})

describe("requests' memory used again", () => {
  it('uses the memory of a request again only once node:http2 wrote it: a server that stops reading still gets every request byte for byte', async () => {
    const got: ModelInferRequest__Output[] = []
    let paused: ServerHttp2Stream | undefined
    const server = await serve((stream) => {
      respond(stream)
      onRequests(stream, (r, i) => {
        got.push(r)
        stream.write(answer(r.id, new Float32Array([i])))
        // After the first, the server stops reading: the client's writes wait on flow control.
        if (i === 0) {
          paused = stream
          stream.pause()
        }
      })
      stream.on('end', () => stream.end())
    })
    // 8 kB tensors, under INLINE_BELOW: each is copied into its request's memory.
    const chunk = (k: number) => spec(new Float32Array(2000).fill(k), `r${k}`)
    const connection = new GrpcHttp2Connection(resolveConnection({ url: server.url }).http2)
    const buffers = new RequestBuffers()
    try {
      const call = new StreamCall(connection, server.url, {}, buffers)
      // Answered, so the call is past its response headers. (Its memory is never used again: it
      // was written before them, when the call keeps it to send again on a refused stream.)
      await call.infer(chunk(0))
      // 160 kB more than the stream's 64 kB window: most wait unwritten until the server reads.
      const burst = Array.from({ length: 20 }, (_, k) => call.infer(chunk(k + 1)))
      expect(buffers.made).toBe(21)
      // A few turns of the event loop later, with most of those still waiting, ten more: they
      // may take the memory of ones the window let out (two spares at most), never of another.
      for (let turn = 0; turn < 3; turn++) await new Promise((r) => setImmediate(r))
      const more = Array.from({ length: 10 }, (_, k) => call.infer(chunk(k + 21)))
      const made = buffers.made
      expect(made).toBeGreaterThanOrEqual(29)
      paused?.resume()
      await Promise.all([...burst, ...more])
      // One at a time now: each takes the memory of one written before it.
      for (let k = 31; k <= 50; k++) await call.infer(chunk(k))
      expect(buffers.made).toBe(made)
      await call.end()
    } finally {
      connection.close()
      await server.close()
    }
    expect(got.map((r) => r.id)).toEqual(Array.from({ length: 51 }, (_, k) => `r${k}`))
    const wrong = got.filter(
      (r, k) =>
        !Buffer.from(r.raw_input_contents[0]).equals(
          Buffer.from(new Float32Array(2000).fill(k).buffer),
        ),
    )
    expect(wrong.map((r) => r.id)).toEqual([])
  })
})

describe('requests keep their order under flow control', () => {
  it('writes a request made the moment the stream drains after the ones that were waiting for it', async () => {
    const got: string[] = []
    const server = await serve((stream) => {
      respond(stream)
      onRequests(stream, (r) => {
        got.push(r.id)
        stream.write(answer(r.id, new Float32Array([got.length])))
      })
      stream.on('end', () => stream.end())
    })
    const settings = resolveConnection({ url: server.url }).http2
    let call: StreamCall | undefined
    const late: Promise<unknown>[] = []
    // Something else in the tick the stream drains in (an answer handled, a chunk pushed) asks
    // for the next request: it must go after those already waiting, as a sequence needs.
    class Watched extends GrpcHttp2Connection {
      override request(path: string, c: ConnectionCall) {
        const made = super.request(path, c)
        made.stream.once('drain', () =>
          queueMicrotask(() => late.push(call!.infer(spec(new Float32Array(4), 'late')))),
        )
        return made
      }
    }
    const connection = new Watched(settings)
    try {
      call = new StreamCall(connection, server.url)
      // Each request fills the stream's write buffer: the later ones wait for 'drain'.
      const waiting = ['a', 'b', 'c'].map((id) => call!.infer(spec(new Float32Array(8192), id)))
      await Promise.all(waiting)
      await Promise.all(late)
      await call.end()
    } finally {
      connection.close()
      await server.close()
    }
    expect(got).toEqual(['a', 'b', 'c', 'late'])
  })
})

describe('answers read from DATA frames', () => {
  it('reads an answer cut across frames (its prefix too) and several answers in one frame', async () => {
    const large = Float32Array.from({ length: 100_000 }, (_, i) => i / 7)
    const server = await serve((stream) => {
      respond(stream)
      const ids: string[] = []
      onRequests(stream, async (r) => {
        ids.push(r.id)
        if (ids.length < 3) return
        const first = answer(ids[0], large)
        // Each write waits for the last to leave, so the pieces travel as frames of their own:
        // the prefix cut in two, its rest with the head, the tensor in two.
        const write = (b: Buffer) => new Promise((done) => stream.write(b, done))
        for (const [from, to] of [
          [0, 2],
          [2, 400],
          [400, 70_001],
          [70_001, first.length],
        ])
          await write(first.subarray(from, to))
        await write(
          Buffer.concat([
            answer(ids[1], new Float32Array([2])),
            answer(ids[2], new Float32Array([3, 3])),
          ]),
        )
        stream.end()
      })
    })
    await withClient(server, {}, async (client) => {
      const stream = client.openStream()
      const x = new Float32Array(4)
      const answers = await Promise.all([1, 2, 3].map(() => stream.infer(spec(x))))
      const [y1, y2, y3] = answers.map(outputOf)
      expect(y1).toEqual(large)
      // Copied once out of the frames, placed so the tensor is read in place, not copied again.
      expect(y1.byteOffset % 8).toBe(0)
      expect(y1.buffer.byteLength).toBeGreaterThan(y1.byteLength)
      expect(Array.from(y2)).toEqual([2])
      expect(Array.from(y3)).toEqual([3, 3])
    })
  })

  it('ends the call as too-large on an answer over the maximum, and resets the stream', async () => {
    let closed: (rstCode: number) => void = () => undefined
    const rstCode = new Promise<number>((resolve) => (closed = resolve))
    const server = await serve((stream) => {
      respond(stream)
      stream.on('close', () => closed(stream.rstCode))
      onRequests(stream, (r) => stream.write(answer(r.id, new Float32Array(20_000))))
    })
    await withClient(server, { maxMessageBytes: 64 * 1024 }, async (client) => {
      const stream = client.openStream()
      const err = await failure(stream.infer(spec(new Float32Array(1))))
      expect(err.kind).toBe('too-large')
      expect(err.message).toMatch(
        /^ModelStreamInfer: Received message larger than max \(800\d\d vs 65536\)$/,
      )
      expect(err.hint).toBe('raise the maximum message size for this endpoint')
      expect(stream.closed).toBe(true)
      expect(await rstCode).toBe(constants.NGHTTP2_CANCEL)
    })
  })
})

describe('how a call ends', () => {
  it.each([
    ['16', 'bad%20token', 'auth', /refused ModelStreamInfer: bad token$/],
    ['12', 'not here', 'unsupported', /does not support ModelStreamInfer: not here$/],
    ['14', 'draining', 'unreachable', /^cannot reach Triton at 127\.0\.0\.1:\d+: draining$/],
  ])(
    'reads a trailers-only grpc-status %s as kind of its own',
    async (status, message, kind, words) => {
      const server = await serve((stream) =>
        stream.respond(
          {
            ':status': 200,
            'content-type': 'application/grpc',
            'grpc-status': status,
            'grpc-message': message,
          },
          { endStream: true },
        ),
      )
      await withClient(server, {}, async (client) => {
        const err = await failure(client.openStream().infer(spec(new Float32Array(1))))
        expect(err.kind).toBe(kind)
        expect(err.message).toMatch(words)
      })
    },
  )

  it("reads a proxy's HTTP error page as a proxy in the way, not as a broken message", async () => {
    const server = await serve((stream) => {
      stream.respond({ ':status': 404, 'content-type': 'text/html' })
      stream.end('<html><body>no route</body></html>'.repeat(200))
    })
    await withClient(server, {}, async (client) => {
      const err = await failure(client.openStream().infer(spec(new Float32Array(1))))
      expect(err.kind).toBe('unreachable')
      expect(err.message).toMatch(/answered HTTP 404 instead of gRPC to ModelStreamInfer/)
    })
  })

  it.each([
    [constants.NGHTTP2_REFUSED_STREAM, 'unreachable', /: Stream refused by server$/],
    [constants.NGHTTP2_ENHANCE_YOUR_CALM, 'too-large', /Bandwidth exhausted or memory limit/],
    [constants.NGHTTP2_INTERNAL_ERROR, 'internal', /RST_STREAM with code 2 \(Internal server/],
  ])('reads RST_STREAM %i mid-call as its meaning', async (code, kind, words) => {
    let streams = 0
    const server = await serve((stream) => {
      streams++
      respond(stream)
      onRequests(stream, () => stream.close(code))
    })
    await withClient(server, {}, async (client) => {
      const stream = client.openStream()
      const err = await failure(stream.infer(spec(new Float32Array(1))))
      expect(err.kind).toBe(kind)
      expect(err.message).toMatch(words)
      expect(stream.closed).toBe(true)
      // The server answered before it reset the call: nothing is sent again.
      expect(streams).toBe(1)
    })
  })

  it('opens a call again on a new connection when GOAWAY shows the server never took it', async () => {
    // Each request as the server saw it: connection number, then request id.
    const seen: string[] = []
    const server: TestServer = await serve((stream) => {
      const connection = server.sessions.indexOf(stream.session as ServerHttp2Session) + 1
      // A server closing its first connection (as proxies do at their maximum age): the call
      // running on it may finish, the one just opened is above the GOAWAY's last stream id.
      if (connection === 1 && (stream.id ?? 0) > 1) {
        stream.session?.goaway(constants.NGHTTP2_NO_ERROR, 1)
        return
      }
      respond(stream)
      onRequests(stream, (r) => {
        seen.push(`${connection}:${r.id}`)
        stream.write(answer(r.id, new Float32Array([connection])))
      })
      stream.on('end', () => stream.end())
    })
    const connection = new GrpcHttp2Connection(resolveConnection({ url: server.url }).http2)
    const unmatched: string[] = []
    const onUnmatched = (u: { id: string }) => unmatched.push(u.id)
    try {
      const running = new StreamCall(connection, server.url, { onUnmatched })
      expect(Array.from(outputOf(await running.infer(spec(new Float32Array(1), 'a1'))))).toEqual([
        1,
      ])
      const refused = new StreamCall(connection, server.url, { onUnmatched })
      // The large one fills the stream's buffer, so the other waits for 'drain' meanwhile.
      const large = Float32Array.from({ length: 300_000 }, (_, i) => i % 613)
      const answers = await Promise.all([
        refused.infer(spec(large, 'b1')),
        refused.infer(spec(new Float32Array(2), 'b2')),
      ])
      expect(answers.map((a) => [a.id, a.responses.length, ...outputOf(a)])).toEqual([
        ['b1', 1, 2],
        ['b2', 1, 2],
      ])
      expect(Array.from(outputOf(await running.infer(spec(new Float32Array(1), 'a2'))))).toEqual([
        1,
      ])
      await Promise.all([running.end(), refused.end()])
    } finally {
      connection.close()
      await server.close()
    }
    expect(seen).toEqual(['1:a1', '2:b1', '2:b2', '1:a2'])
    expect(unmatched).toEqual([])
    expect(server.sessions).toHaveLength(2)
  })

  it.each([
    ['answers on the second stream when the first was refused', 1],
    ['fails as refused when the second stream is refused too', Infinity],
  ])('opens a call refused before any answer once more: it %s', async (_, refusals) => {
    let streams = 0
    const seen: string[] = []
    const server = await serve((stream) => {
      const n = ++streams
      if (n <= refusals) return void stream.close(constants.NGHTTP2_REFUSED_STREAM)
      respond(stream)
      onRequests(stream, (r) => {
        seen.push(`${n}:${r.id}`)
        stream.write(answer(r.id, new Float32Array([n])))
      })
    })
    await withClient(server, {}, async (client) => {
      const stream = client.openStream()
      const request = stream.infer(spec(new Float32Array(1), 'r1'))
      if (refusals === Infinity) {
        const err = await failure(request)
        expect(err.kind).toBe('unreachable')
        expect(err.message).toMatch(/: Stream refused by server$/)
      } else {
        const got = await request
        expect([got.id, got.responses.length, ...outputOf(got)]).toEqual(['r1', 1, 2])
        stream.cancel()
      }
    })
    expect(streams).toBe(2)
    expect(seen).toEqual(refusals === Infinity ? [] : ['2:r1'])
  })

  it('finishes a call running through GOAWAY and starts the next call on a new connection', async () => {
    const server = await serve((stream) => {
      respond(stream)
      onRequests(stream, (r, i) => {
        // The first request of the first call: the server is going away, but answers it all.
        if (i === 0 && stream.session) stream.session.goaway(constants.NGHTTP2_NO_ERROR, stream.id)
        stream.write(answer(r.id, new Float32Array([i])))
      })
      stream.on('end', () => stream.end())
    })
    await withClient(server, {}, async (client) => {
      const first = client.openStream()
      expect(Array.from(outputOf(await first.infer(spec(new Float32Array(1)))))).toEqual([0])
      expect(Array.from(outputOf(await first.infer(spec(new Float32Array(1)))))).toEqual([1])
      await first.end()
      const second = client.openStream()
      expect(Array.from(outputOf(await second.infer(spec(new Float32Array(1)))))).toEqual([0])
      await second.end()
      expect(server.sessions).toHaveLength(2)
    })
  })

  it('fails what is pending as unreachable when the connection goes after GOAWAY, then dials again', async () => {
    let calls = 0
    let going: Http2Session | undefined
    const server = await serve((stream) => {
      respond(stream)
      const call = ++calls
      onRequests(stream, (r) => {
        if (call > 1) return void stream.write(answer(r.id, new Float32Array([7])))
        // The server took the call and is going away; it drops the link once the client knows.
        going = stream.session
        going?.goaway(constants.NGHTTP2_NO_ERROR, stream.id)
      })
    })
    class Watched extends GrpcHttp2Connection {
      override request(path: string, c: ConnectionCall) {
        const made = super.request(path, c)
        made.link.session.once('goaway', () => going?.destroy())
        return made
      }
    }
    const connection = new Watched(resolveConnection({ url: server.url }).http2)
    try {
      const first = new StreamCall(connection, server.url)
      const err = await failure(first.infer(spec(new Float32Array(1))))
      expect(err.kind).toBe('unreachable')
      expect(err.message).toMatch(/^cannot reach Triton at 127\.0\.0\.1:\d+: Connection dropped$/)
      expect(await connection.ready(Date.now() + 3000)).toBeUndefined()
      const again = new StreamCall(connection, server.url)
      expect(Array.from(outputOf(await again.infer(spec(new Float32Array(1)))))).toEqual([7])
      again.cancel()
      expect(server.sessions).toHaveLength(2)
    } finally {
      connection.close()
      await server.close()
    }
  })
})

describe('keepalive during calls', () => {
  /** Resolves at the `n`th ping the server receives on `session`. */
  const pinged = (session: ServerHttp2Session, n: number) =>
    new Promise<void>((resolve) => {
      let pings = 0
      session.on('ping', () => ++pings === n && resolve())
    })

  it('pings while a call waits, and ends it as unreachable when the pings go unanswered', async () => {
    const server = await serve((stream) => {
      respond(stream)
      onRequests(stream, () => undefined)
    })
    // A relay that can stop passing the server's bytes: the link goes quiet, the socket stays.
    let frozen = false
    const relay = createTcpServer((client: Socket) => {
      const upstream = connectTcp(Number(server.url.split(':')[1]), '127.0.0.1')
      client.on('data', (d) => upstream.write(d))
      upstream.on('data', (d) => frozen || client.write(d))
      const close = () => (client.destroy(), upstream.destroy())
      client.on('error', close).on('close', close)
      upstream.on('error', close).on('close', close)
    })
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r))
    const url = `127.0.0.1:${(relay.address() as { port: number }).port}`
    // Answered pings keep the call: the next ping goes only once the last one was answered, so
    // a third ping means two answers came back; the timeout is long enough for any busy machine.
    const patient = new TritonClient({ url, keepaliveMs: 50, keepaliveTimeoutMs: 60_000 })
    // Unanswered pings end the call, here soon after the relay stops passing the answers.
    const strict = new TritonClient({ url, keepaliveMs: 50, keepaliveTimeoutMs: 100 })
    try {
      let session = server.nextSession()
      const kept = patient.openStream()
      const waiting = failure(kept.infer(spec(new Float32Array(1))))
      await pinged(await session, 3)
      expect(kept.closed).toBe(false)
      kept.cancel()
      expect((await waiting).kind).toBe('cancelled')

      session = server.nextSession()
      const stream = strict.openStream()
      const pending = failure(stream.infer(spec(new Float32Array(1))))
      // The first ping says the link is up; from here on the server's bytes stop at the relay.
      await pinged(await session, 1)
      frozen = true
      const err = await pending
      expect(err.kind).toBe('unreachable')
      expect(err.message).toMatch(/Connection dropped$/)
    } finally {
      patient.close()
      strict.close()
      relay.close()
      await server.close()
    }
  })
})

describe('TLS on the stream connection', () => {
  let dir: string
  let certs: TestCertificates
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'triton-live-h2-tls-'))
    certs = makeTestCertificates(dir)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('negotiates h2 with the given CA and server name, and names a wrong CA as the cause', async () => {
    const tlsServer = () =>
      createSecureServer({
        cert: readFileSync(certs.named.cert),
        key: readFileSync(certs.named.key),
      })
    const echo: Handler = (stream) => {
      respond(stream)
      onRequests(stream, (r) => stream.write(answer(r.id, new Float32Array([42]))))
    }
    const ok = await serve(echo, tlsServer())
    await withClient(
      ok,
      { url: `grpcs://${ok.url}`, tls: { caFile: certs.caFile, serverName: 'triton.internal' } },
      async (client) => {
        const stream = client.openStream()
        expect(Array.from(outputOf(await stream.infer(spec(new Float32Array(1)))))).toEqual([42])
        stream.cancel()
      },
    )
    // Through a forward proxy: TLS to the server inside the CONNECT tunnel, names checked alike.
    const proxy = await connectProxy()
    const tunnelled = await serve(echo, tlsServer())
    await withProxyEnv({ grpc_proxy: proxy.url }, () =>
      withClient(
        tunnelled,
        {
          url: `grpcs://${tunnelled.url}`,
          tls: { caFile: certs.caFile, serverName: 'triton.internal' },
        },
        async (client) => {
          const stream = client.openStream()
          expect(Array.from(outputOf(await stream.infer(spec(new Float32Array(1)))))).toEqual([42])
          stream.cancel()
        },
      ),
    ).finally(() => proxy.close())
    expect(proxy.tunnels).toEqual([tunnelled.url])
    const wrong = await serve(echo, tlsServer())
    await withClient(
      wrong,
      {
        url: `grpcs://${wrong.url}`,
        tls: { caFile: certs.otherCaFile, serverName: 'triton.internal' },
      },
      async (client) => {
        const err = await failure(client.openStream().infer(spec(new Float32Array(1))))
        expect(err.kind).toBe('tls')
        expect(err.message).toMatch(/is not signed by a CA this client trusts \(unable to verify/)
      },
    )
  })
})

describe('TLS through a forward proxy', () => {
  let dir: string
  let certs: TestCertificates
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'triton-live-h2-proxy-tls-'))
    certs = makeTestCertificates(dir)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("checks the certificate against the server's address, never the proxy's", async () => {
    // The certificate is for 127.0.0.1, where the proxy listens; the server is dialled as
    // 127.0.0.2. A check against the proxy's host would let the proxy stand in for Triton.
    const echo: Handler = (stream) => {
      respond(stream)
      onRequests(stream, (r) => stream.write(answer(r.id, new Float32Array([7]))))
    }
    const secure = createSecureServer({
      cert: readFileSync(certs.server.cert),
      key: readFileSync(certs.server.key),
    })
    const server = await serve(echo, secure, '127.0.0.2')
    const proxy = await connectProxy()
    const err = await withProxyEnv({ grpc_proxy: proxy.url }, () =>
      withClient(server, { url: `grpcs://${server.url}`, tls: { caFile: certs.caFile } }, (c) =>
        failure(c.openStream().infer(spec(new Float32Array(1)))),
      ),
    ).finally(() => proxy.close())
    expect(proxy.tunnels).toEqual([server.url])
    expect(err.kind).toBe('tls')
    expect(err.message).toContain('127.0.0.2')
  })
})

describe('a forward proxy from the environment', () => {
  const echo: Handler = (stream) => {
    respond(stream)
    onRequests(stream, (r) => stream.write(answer(r.id, new Float32Array([5]))))
  }

  it('tunnels the stream through grpc_proxy with CONNECT, and goes direct for a no_proxy host', async () => {
    const proxy = await connectProxy()
    try {
      const server = await serve(echo)
      await withProxyEnv({ grpc_proxy: proxy.url }, () =>
        withClient(server, {}, async (client) => {
          const stream = client.openStream()
          expect(Array.from(outputOf(await stream.infer(spec(new Float32Array(1)))))).toEqual([5])
          stream.cancel()
        }),
      )
      expect(proxy.tunnels).toEqual([server.url])
      const direct = await serve(echo)
      await withProxyEnv({ http_proxy: proxy.url, no_proxy: 'example.com,127.0.0.0/8' }, () =>
        withClient(direct, {}, async (client) => {
          const stream = client.openStream()
          expect(Array.from(outputOf(await stream.infer(spec(new Float32Array(1)))))).toEqual([5])
          stream.cancel()
        }),
      )
      expect(proxy.tunnels).toEqual([server.url])
    } finally {
      await proxy.close()
    }
  })

  it('names the proxy when it refuses the tunnel', async () => {
    const proxy = await connectProxy(true)
    try {
      const server = await serve(echo)
      const err = await withProxyEnv({ https_proxy: proxy.url }, () =>
        withClient(server, {}, (client) =>
          failure(client.openStream().infer(spec(new Float32Array(1)))),
        ),
      )
      expect(err.kind).toBe('unreachable')
      expect(err.message).toBe(
        `cannot reach Triton at ${server.url}: proxy ${proxy.url.slice(7)} answered 403 to CONNECT ${server.url}`,
      )
    } finally {
      await proxy.close()
    }
  })

  it('reads the variables by the rules grpc-js reads them with', () => {
    const host = (h: string) => ({ host: h })
    const env = (vars: Record<string, string>) => vars as NodeJS.ProcessEnv
    expect(proxyFor(host('triton.lan'), env({}))).toBeUndefined()
    // grpc_proxy first, then https_proxy, then http_proxy; port 80 by default.
    expect(
      proxyFor(host('triton.lan'), env({ grpc_proxy: 'http://g:1', http_proxy: 'http://h:2' })),
    ).toEqual({ address: 'g:1', host: 'g', port: 1 })
    expect(
      proxyFor(host('triton.lan'), env({ https_proxy: 'http://s', http_proxy: 'http://h:2' })),
    ).toEqual({ address: 's:80', host: 's', port: 80 })
    expect(proxyFor(host('triton.lan'), env({ http_proxy: 'http://u:p%40ss@h:2' }))).toEqual({
      address: 'h:2',
      host: 'h',
      port: 2,
      credentials: 'u:p@ss',
    })
    // Credentials that are not valid percent-encoding are taken as typed, never a crash.
    expect(proxyFor(host('triton.lan'), env({ http_proxy: 'http://u:p%E0ss@h:2' }))).toEqual({
      address: 'h:2',
      host: 'h',
      port: 2,
      credentials: 'u:p%E0ss',
    })
    // Only http:// proxies; anything else (or no URL) means none, as grpc-js logs and goes direct.
    expect(proxyFor(host('triton.lan'), env({ grpc_proxy: 'https://h:2' }))).toBeUndefined()
    expect(proxyFor(host('triton.lan'), env({ grpc_proxy: 'h:2:x' }))).toBeUndefined()
    // no_grpc_proxy first, else no_proxy: host suffixes and IPv4 CIDR ranges; loopback is proxied.
    const p = { grpc_proxy: 'http://h:2' }
    expect(proxyFor(host('127.0.0.1'), env(p))).toBeDefined()
    expect(
      proxyFor(host('a.triton.lan'), env({ ...p, no_proxy: 'x.com,triton.lan' })),
    ).toBeUndefined()
    expect(proxyFor(host('10.1.2.3'), env({ ...p, no_proxy: '10.0.0.0/8' }))).toBeUndefined()
    expect(proxyFor(host('11.1.2.3'), env({ ...p, no_proxy: '10.0.0.0/8' }))).toBeDefined()
    expect(
      proxyFor(host('triton.lan'), env({ ...p, no_grpc_proxy: 'other', no_proxy: 'triton.lan' })),
    ).toBeDefined()
  })
})
