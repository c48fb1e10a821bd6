// The bench's one common server that does no work, in its own process: gRPC (grpc-js, built from
// proto/) that answers every ModelInfer/ModelStreamInfer with the same bytes, plus a raw TCP sink
// on another port. Run by scripts/bench/run.ts; prints {"grpc": port, "tcp": port} when ready.
//
// It reads of a request only what it must (model, id; a request without tensor bytes whole, for
// shared memory) and answers with bytes prepared once, so the clients are what is measured. Every
// answer carries the parameter `server_ns`: the time from the request's arrival in the server's
// deserializer to its answer, which clients subtract to get the time they add themselves.
//
// Its HTTP/2 receive windows are 16 MiB, as Triton's gRPC core server grows them by BDP probing
// (grpc-js's server would keep Node's 64 KiB; that would measure the server, not the clients).
import { createRequire } from 'node:module'
import { createServer, type Socket } from 'node:net'
import * as grpc from '@grpc/grpc-js'
import { SharedMemoryRegistry } from '../../src/main/demo-endpoint/shared-memory-registry'
import type { ModelInferRequest__Output } from '../../src/main/triton/generated/inference/ModelInferRequest'
import { loadTritonProto } from '../../src/main/triton/proto-loader'
import { answerBytes, SINK_MODELS, type SinkModel } from './bench-models'
import { LEN, MessageWriter, scanFields, utf8, writeVarint, varintLength } from './proto-wire'

const WINDOW = Number(process.env.BENCH_SERVER_WINDOW ?? 16 * 1024 * 1024)

function widenServerWindows(): void {
  const http2 = createRequire(__filename)('node:http2') as typeof import('node:http2')
  const original = http2.createServer
  const patched = (options: import('node:http2').ServerOptions = {}) => {
    const server = original({
      ...options,
      settings: { ...options.settings, initialWindowSize: WINDOW },
      // A 16 MiB window lets a client have more unread bytes here than Node's 10 MB default.
      maxSessionMemory: Number.MAX_SAFE_INTEGER,
    })
    server.on('session', (s) => s.setLocalWindowSize(WINDOW))
    return server
  }
  ;(http2 as { createServer: unknown }).createServer = patched
}

interface Prepared {
  model: SinkModel
  /** The answer's fields after id and parameters: model name, version, output, raw contents. */
  tail: Buffer
  /** The same with an empty raw placeholder, for an output the server writes to shared memory. */
  shmTail: Buffer
  bytes: Buffer
}

function prepare(model: SinkModel): Prepared {
  const bytes = answerBytes(model)
  const output = new MessageWriter()
    .string(1, model.output.name)
    .string(2, model.output.datatype)
    .packed(3, model.output.shape)
  const head = new MessageWriter().string(1, model.name).string(2, '1').message(5, output)
  const tail = Buffer.concat([head.finish(), new MessageWriter().bytes(6, bytes).finish()])
  const shmTail = Buffer.concat([
    head.finish(),
    new MessageWriter().bytes(6, new Uint8Array(0)).finish(),
  ])
  return { model, tail, shmTail, bytes }
}

const prepared = new Map(SINK_MODELS.map((m) => [m.name, prepare(m)]))
const registry = new SharedMemoryRegistry()

/** What the sink reads of a request. */
interface Received {
  at: bigint
  model: string
  id: string
  /** The whole request, decoded only when it carries no tensor bytes (shared memory). */
  full?: ModelInferRequest__Output
}

const proto = loadTritonProto()
const service = proto.inference.GRPCInferenceService.service

function receive(buf: Buffer): Received {
  const at = process.hrtime.bigint()
  let model = ''
  let id = ''
  let raw = 0
  scanFields(buf, (f) => {
    if (f.field === 1 && f.wire === LEN) model = utf8(buf, f)
    else if (f.field === 3 && f.wire === LEN) id = utf8(buf, f)
    else if (f.field === 7) raw++
  })
  const full =
    raw === 0
      ? (service.ModelInfer.requestDeserialize(buf) as ModelInferRequest__Output)
      : undefined
  return { at, model, id, full }
}

/** Writes shared-memory outputs into their regions; true when the output went there. */
function placeOutputs(r: Received, p: Prepared): boolean {
  const out = r.full?.outputs.find((o) => o.name === p.model.output.name)
  const region = out?.parameters?.shared_memory_region?.string_param
  if (!out || !region) return false
  const offset = Number(out.parameters?.shared_memory_offset?.int64_param ?? 0)
  registry.write(region, offset, p.bytes)
  return true
}

function answer(r: Received, stream: boolean): Buffer {
  const p = prepared.get(r.model)
  if (!p) throw Object.assign(new Error(`no model '${r.model}'`), { code: grpc.status.NOT_FOUND })
  const tail = placeOutputs(r, p) ? p.shmTail : p.tail
  const ns = Number(process.hrtime.bigint() - r.at)
  const param = new MessageWriter().varint(2, ns)
  const entry = new MessageWriter().string(1, 'server_ns').message(2, param)
  const head = new MessageWriter().string(3, r.id).message(4, entry).finish()
  const innerLength = head.length + tail.length
  const prefix = stream ? 1 + varintLength(innerLength) : 0
  const out = Buffer.allocUnsafe(prefix + innerLength)
  if (stream) {
    out[0] = (2 << 3) | LEN // ModelStreamInferResponse.infer_response
    writeVarint(out, 1, innerLength)
  }
  head.copy(out, prefix)
  tail.copy(out, prefix + head.length)
  return out
}

function metadata(name: string) {
  const p = prepared.get(name)
  if (!p) return undefined
  const t = (x: { name: string; datatype: string; shape: number[] }) => ({
    name: x.name,
    datatype: x.datatype,
    shape: x.shape.map(String),
  })
  return {
    name,
    versions: ['1'],
    platform: 'bench-sink',
    inputs: p.model.inputs.map(t),
    outputs: [t(p.model.output)],
  }
}

type Callback = (e: grpc.ServiceError | null, r?: unknown) => void
type Unary = (call: { request: Record<string, unknown> }, cb: Callback) => void

function failWith(cb: Callback, e: unknown): void {
  const err = e as Error & { code?: number }
  cb(
    Object.assign(new Error(err.message), {
      code: err.code ?? grpc.status.INVALID_ARGUMENT,
      details: err.message,
      metadata: new grpc.Metadata(),
    }),
  )
}

function startGrpc(): Promise<number> {
  const definition: grpc.ServiceDefinition = {
    ...(service as unknown as grpc.ServiceDefinition),
    ModelInfer: {
      ...service.ModelInfer,
      requestDeserialize: receive,
      responseSerialize: (b: Buffer) => b,
    },
    ModelStreamInfer: {
      ...service.ModelStreamInfer,
      requestDeserialize: receive,
      responseSerialize: (b: Buffer) => b,
    },
  } as unknown as grpc.ServiceDefinition
  const control: Record<string, Unary> = {
    ServerLive: (_c, cb) => cb(null, { live: true }),
    ServerReady: (_c, cb) => cb(null, { ready: true }),
    ModelReady: (c, cb) => cb(null, { ready: prepared.has(String(c.request.name)) }),
    ModelMetadata: (c, cb) => {
      const m = metadata(String(c.request.name))
      if (m) cb(null, m)
      else
        failWith(
          cb,
          Object.assign(new Error(`no model '${String(c.request.name)}'`), {
            code: grpc.status.NOT_FOUND,
          }),
        )
    },
    SystemSharedMemoryRegister: (c, cb) => {
      try {
        const r = c.request
        registry.register({
          name: String(r.name),
          key: String(r.key),
          offset: Number(r.offset),
          byteSize: Number(r.byte_size),
        })
        cb(null, {})
      } catch (e) {
        failWith(cb, e)
      }
    },
    SystemSharedMemoryUnregister: (c, cb) => (
      registry.unregister(String(c.request.name)),
      cb(null, {})
    ),
    SystemSharedMemoryStatus: (c, cb) => {
      try {
        const regions = registry.status(String(c.request.name))
        cb(null, {
          regions: Object.fromEntries(
            regions.map((r) => [
              r.name,
              { name: r.name, key: r.key, offset: r.offset, byte_size: r.byteSize },
            ]),
          ),
        })
      } catch (e) {
        failWith(cb, Object.assign(e as Error, { code: grpc.status.NOT_FOUND }))
      }
    },
  }
  const handlers: grpc.UntypedServiceImplementation = {}
  for (const name of Object.keys(service)) {
    handlers[name] =
      control[name] ??
      ((_c: unknown, cb: Callback) =>
        cb({
          name: 'Error',
          message: 'unimplemented',
          code: grpc.status.UNIMPLEMENTED,
          details: `${name} is not served by the bench sink`,
          metadata: new grpc.Metadata(),
        }))
  }
  handlers.ModelInfer = (
    call: grpc.ServerUnaryCall<Received, Buffer>,
    cb: grpc.sendUnaryData<Buffer>,
  ) => {
    try {
      cb(null, answer(call.request, false))
    } catch (e) {
      failWith(cb as Callback, e)
    }
  }
  handlers.ModelStreamInfer = (call: grpc.ServerDuplexStream<Received, Buffer>) => {
    call.on('data', (r: Received) => call.write(answer(r, true)))
    call.on('end', () => call.end())
    call.on('error', () => undefined)
  }
  const server = new grpc.Server({
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  })
  server.addService(definition, handlers)
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, port) =>
      e ? reject(e) : resolve(port),
    ),
  )
}

/**
 * Raw TCP: each request is an 8-byte header (payload length, reply length, little-endian) and
 * the payload, which the sink counts and drops; the reply is a 4-byte length and that many zeros.
 */
function startTcp(): Promise<number> {
  const zeros = Buffer.alloc(8 * 1024 * 1024)
  const server = createServer((socket: Socket) => {
    socket.setNoDelay(true)
    let header = Buffer.alloc(0)
    let remaining = 0
    let reply = 0
    const finish = (): void => {
      const h = Buffer.allocUnsafe(4)
      h.writeUInt32LE(reply, 0)
      socket.write(h)
      if (reply) socket.write(zeros.subarray(0, reply))
    }
    socket.on('data', (chunk: Buffer) => {
      let at = 0
      while (at < chunk.length) {
        if (remaining === 0 && header.length < 8) {
          const take = Math.min(8 - header.length, chunk.length - at)
          header = Buffer.concat([header, chunk.subarray(at, at + take)])
          at += take
          if (header.length < 8) return
          remaining = header.readUInt32LE(0)
          reply = header.readUInt32LE(4)
          header = Buffer.alloc(0)
          if (remaining === 0) finish()
          continue
        }
        const take = Math.min(remaining, chunk.length - at)
        remaining -= take
        at += take
        if (remaining === 0) finish()
      }
    })
    socket.on('error', () => undefined)
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  )
}

async function main(): Promise<void> {
  widenServerWindows()
  const [grpcPort, tcpPort] = await Promise.all([startGrpc(), startTcp()])
  process.stdout.write(`${JSON.stringify({ grpc: grpcPort, tcp: tcpPort })}\n`)
  process.on('SIGTERM', () => process.exit(0))
  process.on('disconnect', () => process.exit(0))
  // Its own CPU time, so a table can say how much of the machine the server took.
  process.on('message', (m) => {
    if (m === 'cpu') {
      const c = process.cpuUsage()
      process.send?.({ cpuMs: (c.user + c.system) / 1000 })
    }
  })
}

void main()
