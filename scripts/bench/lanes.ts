// One "lane" is one ordered connection to the sink that sends one kind of request, as each
// client under comparison does it: the project's transport (StreamCall over grpc-js), a
// hand-framed gRPC client on node:http2 that copies nothing (the ceiling for Node), and raw
// TCP (the ceiling of the wire). Figures drive lanes without knowing which client they hold.
import { connect as connectHttp2, constants, type ClientHttp2Session } from 'node:http2'
import { connect as connectTcp, type Socket } from 'node:net'
import { createTransport, type TransportChoice } from '../../src/main/transport/create-transport'
import { fillSlot, newFrameSlot } from '../../src/main/media/frame-converter'
import { planImageTensor } from '../../src/main/media/frame-to-tensor'
import type { InferChannel } from '../../src/main/transport/infer-channel'
import { sequenceParameters, type InferRequestSpec } from '../../src/main/triton/infer-messages'
import type { TritonClient } from '../../src/main/triton/triton-client'
import { answerBytes, FRAME_SIDE, sinkModel, type SinkModel } from './bench-models'
import { LEN, MessageWriter, scanFields, utf8 } from './proto-wire'

export type Payload = 'frame' | 'yolo' | 'audio'

export interface Sent {
  /** From the call to the answer, on the caller's side. */
  rttMs: number
  /** What the server says it spent (0 for raw TCP). */
  serverMs: number
}

export interface Lane {
  send(): Promise<Sent>
  close(): Promise<void>
}

export interface PayloadData {
  frame: Float32Array
  audio: Float32Array
}

const MODEL_OF: Record<Payload, string> = {
  frame: 'frame-sink',
  yolo: 'yolo-raw',
  audio: 'audio-sink',
}

function tensorsOf(payload: Payload, data: PayloadData) {
  const model = sinkModel(MODEL_OF[payload])
  if (payload === 'audio') {
    return {
      model,
      bytes: [
        Buffer.from(data.audio.buffer, data.audio.byteOffset, data.audio.byteLength),
        Buffer.from(new Int32Array([data.audio.length]).buffer),
      ],
    }
  }
  return {
    model,
    bytes: [Buffer.from(data.frame.buffer, data.frame.byteOffset, data.frame.byteLength)],
  }
}

// --- the project -------------------------------------------------------------------------

/** The project's transport: one channel (a StreamCall, or unary calls, or + shm), as bench and sessions use it. */
export function projectLane(
  client: TritonClient,
  payload: Payload,
  data: PayloadData,
  choice: TransportChoice = { mode: 'stream' },
): Lane {
  const transport = createTransport(client, choice)
  const channel: InferChannel = transport.open()
  const model = MODEL_OF[payload]
  const sequenceId = 4242 + Math.floor(Math.random() * 1e6)
  let n = 0
  const spec = (): InferRequestSpec =>
    payload === 'audio'
      ? {
          model,
          inputs: [
            { name: 'WAV', datatype: 'FP32', shape: [1, data.audio.length], data: data.audio },
            {
              name: 'WAV_LENS',
              datatype: 'INT32',
              shape: [1, 1],
              data: new Int32Array([data.audio.length]),
            },
          ],
          parameters: sequenceParameters({ id: sequenceId, start: n++ === 0 }),
        }
      : {
          model,
          inputs: [{ name: 'images', datatype: 'FP32', shape: [1, 3, 640, 640], data: data.frame }],
        }
  return {
    async send() {
      const t = performance.now()
      const answer = await channel.infer(spec(), { deadlineMs: 30_000 })
      const rttMs = performance.now() - t
      const ns = answer.responses[0]?.parameters.server_ns
      return { rttMs, serverMs: Number(ns ?? 0) / 1e6 }
    },
    async close() {
      await channel.end()
      if (transport.fallbackReason) throw new Error(transport.fallbackReason)
      await transport.close()
    },
  }
}

// --- node:http2, framed by hand ------------------------------------------------------------

const WINDOW = 16 * 1024 * 1024

export function http2Session(port: number, maxFrameSize?: number): Promise<ClientHttp2Session> {
  const session = connectHttp2(`http://127.0.0.1:${port}`, {
    settings: { initialWindowSize: WINDOW, ...(maxFrameSize ? { maxFrameSize } : {}) },
    // Node's 10 MB default counts writes not yet on the socket: three 4.9 MB frames written
    // back to back would have the session refuse its own stream (ENHANCE_YOUR_CALM).
    maxSessionMemory: Number.MAX_SAFE_INTEGER,
  })
  return new Promise((resolve, reject) => {
    session.once('remoteSettings', () => {
      session.setLocalWindowSize(WINDOW)
      resolve(session)
    })
    session.once('error', reject)
  })
}

/** The request's small fields, for a tensor whose bytes follow it unchanged. */
function requestHead(
  model: SinkModel,
  id: string,
  tensorBytes: Buffer[],
  sequence: { id: number; start: boolean } | undefined,
): Buffer {
  const w = new MessageWriter().string(1, model.name).string(3, id)
  if (sequence) {
    const param = (k: string, v: MessageWriter) =>
      w.message(4, new MessageWriter().string(1, k).message(2, v))
    param('sequence_id', new MessageWriter().varint(2, sequence.id))
    param('sequence_start', new MessageWriter().varint(1, sequence.start ? 1 : 0))
    param('sequence_end', new MessageWriter().varint(1, 0))
  }
  for (const t of model.inputs)
    w.message(5, new MessageWriter().string(1, t.name).string(2, t.datatype).packed(3, t.shape))
  const head = w.finish()
  // Field 7 tags and lengths sit between the tensors; the last one's bytes end the message.
  const total =
    head.length +
    tensorBytes.reduce(
      (n, b) => n + new MessageWriter().lengthOf(7, b.length).finish().length + b.length,
      0,
    )
  const prefix = Buffer.allocUnsafe(5)
  prefix[0] = 0
  prefix.writeUInt32BE(total, 1)
  return Buffer.concat([prefix, head])
}

/** Reads the gRPC messages of a response stream, joining DATA chunks only when a message spans several. */
class GrpcFrames {
  private chunks: Buffer[] = []
  private have = 0
  private need = -1

  constructor(private readonly onMessage: (m: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.have += chunk.length
    for (;;) {
      if (this.need < 0) {
        if (this.have < 5) return
        const head = this.take(5)
        this.need = head.readUInt32BE(1)
      }
      if (this.have < this.need) return
      const m = this.take(this.need)
      this.need = -1
      this.onMessage(m)
    }
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]
    let out: Buffer
    if (first.length >= n) {
      out = first.subarray(0, n)
      if (first.length === n) this.chunks.shift()
      else this.chunks[0] = first.subarray(n)
    } else {
      out = Buffer.allocUnsafe(n)
      let at = 0
      while (at < n) {
        const c = this.chunks[0]
        const k = Math.min(c.length, n - at)
        c.copy(out, at, 0, k)
        at += k
        if (k === c.length) this.chunks.shift()
        else this.chunks[0] = c.subarray(k)
      }
    }
    this.have -= n
    return out
  }
}

/** The id, server time and output bytes of a ModelStreamInferResponse, read in place. */
function readStreamResponse(m: Buffer): { id: string; serverNs: number; output?: Buffer } {
  let id = ''
  let serverNs = 0
  let output: Buffer | undefined
  scanFields(m, (outer) => {
    if (outer.field !== 2 || outer.wire !== LEN) return
    scanFields(
      m,
      (f) => {
        if (f.field === 3 && f.wire === LEN) id = utf8(m, f)
        else if (f.field === 6) output = m.subarray(f.start, f.end)
        else if (f.field === 4 && f.wire === LEN) {
          let key = ''
          let value = 0
          scanFields(
            m,
            (e) => {
              if (e.field === 1) key = utf8(m, e)
              else if (e.field === 2)
                scanFields(m, (p) => (value = p.field === 2 ? p.value : value), e.start, e.end)
            },
            f.start,
            f.end,
          )
          if (key === 'server_ns') serverNs = value
        }
      },
      outer.start,
      outer.end,
    )
  })
  return { id, serverNs, output }
}

/** Fills the next of `slots` FP32 NCHW tensors from the RGB picture, with the session's conversion. */
function rgbConverter({ rgb, slots }: FromRgb): (n: number) => Buffer {
  const plan = planImageTensor(FRAME_SIDE, FRAME_SIDE, { layout: 'NCHW', dtype: 'FP32' })
  const frames = Array.from({ length: slots }, () => newFrameSlot(plan))
  return (n) => {
    const slot = frames[n % slots]
    fillSlot(rgb, slot, plan)
    return Buffer.from(slot.tensor.buffer, slot.tensor.byteOffset, slot.tensor.byteLength)
  }
}

/**
 * What a frame client must do before it can send: make each request's tensor from an RGB
 * picture, as the detection session does. `slots` tensors are filled in turn, so with fewer
 * requests in flight than slots none is overwritten while it is still being sent.
 */
export interface FromRgb {
  rgb: Uint8Array
  slots: number
}

/**
 * One ModelStreamInfer stream on node:http2: each request is its head and the tensor's own
 * bytes, written without a copy. With `fromRgb`, each frame's tensor is first converted from
 * RGB on this thread, as the session does it, and nothing more.
 */
export async function http2Lane(
  session: ClientHttp2Session,
  payload: Payload,
  data: PayloadData,
  fromRgb?: FromRgb,
): Promise<Lane> {
  const { model, bytes } = tensorsOf(payload, data)
  const convert = fromRgb && payload !== 'audio' ? rgbConverter(fromRgb) : undefined
  const stream = session.request({
    [constants.HTTP2_HEADER_METHOD]: 'POST',
    [constants.HTTP2_HEADER_PATH]: '/inference.GRPCInferenceService/ModelStreamInfer',
    [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
    te: 'trailers',
  })
  const pending = new Map<
    string,
    { t: number; resolve: (s: Sent) => void; reject: (e: Error) => void }
  >()
  let failure: Error | undefined
  const fail = (e: Error): void => {
    failure ??= e
    for (const p of pending.values()) p.reject(e)
    pending.clear()
  }
  const frames = new GrpcFrames((m) => {
    const r = readStreamResponse(m)
    const p = pending.get(r.id)
    if (!p) return fail(new Error(`unknown id '${r.id}'`))
    pending.delete(r.id)
    // What a client must do with an answer: have its output as numbers.
    if (r.output && r.output.length % 4 === 0 && payload !== 'audio') {
      const o = r.output
      const view =
        o.byteOffset % 4 === 0
          ? new Float32Array(o.buffer, o.byteOffset, o.length / 4)
          : new Float32Array(new Uint8Array(o).buffer)
      if (view.length === 0) return fail(new Error('empty output'))
    }
    p.resolve({ rttMs: performance.now() - p.t, serverMs: r.serverNs / 1e6 })
  })
  stream.on('data', (c: Buffer) => frames.push(c))
  stream.on('error', (e: Error) => fail(e))
  stream.on('close', () => fail(failure ?? new Error('stream closed')))
  const tags = bytes.map((b) => new MessageWriter().lengthOf(7, b.length).finish())
  let n = 0
  const sequenceId = 777 + Math.floor(Math.random() * 1e6)
  let drained: Promise<void> | undefined
  return {
    async send() {
      if (failure) throw failure
      if (drained) await drained
      const id = `h${++n}`
      if (convert) bytes[0] = convert(n)
      const head = requestHead(
        model,
        id,
        bytes,
        payload === 'audio' ? { id: sequenceId, start: n === 1 } : undefined,
      )
      return new Promise<Sent>((resolve, reject) => {
        pending.set(id, { t: performance.now(), resolve, reject })
        stream.write(head)
        let ok = true
        bytes.forEach((b, i) => {
          stream.write(tags[i])
          ok = stream.write(b)
        })
        if (!ok && !drained)
          drained = new Promise<void>((r) =>
            stream.once('drain', () => ((drained = undefined), r())),
          )
      })
    },
    async close() {
      stream.end()
      await new Promise<void>((r) => (stream.closed ? r() : stream.once('close', () => r())))
    },
  }
}

// --- raw TCP -----------------------------------------------------------------------------

export async function tcpLane(port: number, payload: Payload, data: PayloadData): Promise<Lane> {
  const { model, bytes } = tensorsOf(payload, data)
  const replyBytes = answerBytes(model).length
  const socket: Socket = connectTcp(port, '127.0.0.1')
  socket.setNoDelay(true)
  await new Promise<void>((r, j) => socket.once('connect', r).once('error', j))
  const waiting: Array<{ t: number; resolve: (s: Sent) => void }> = []
  // Reply: a 4-byte length, then that many bytes, which a real client would now hold.
  const header = Buffer.alloc(4)
  let headerHave = 0
  let left = 0
  socket.on('data', (c: Buffer) => {
    let at = 0
    while (at < c.length) {
      if (headerHave < 4) {
        const k = Math.min(4 - headerHave, c.length - at)
        c.copy(header, headerHave, at, at + k)
        headerHave += k
        at += k
        if (headerHave < 4) return
        left = header.readUInt32LE(0)
      }
      const k = Math.min(left, c.length - at)
      left -= k
      at += k
      if (left === 0) {
        headerHave = 0
        const w = waiting.shift()
        w?.resolve({ rttMs: performance.now() - w.t, serverMs: 0 })
      }
    }
  })
  const total = bytes.reduce((n, b) => n + b.length, 0)
  let drained: Promise<void> | undefined
  return {
    async send() {
      if (drained) await drained
      return new Promise<Sent>((resolve) => {
        waiting.push({ t: performance.now(), resolve })
        const h = Buffer.allocUnsafe(8)
        h.writeUInt32LE(total, 0)
        h.writeUInt32LE(replyBytes, 4)
        socket.write(h)
        let ok = true
        for (const b of bytes) ok = socket.write(b)
        if (!ok && !drained)
          drained = new Promise<void>((r) =>
            socket.once('drain', () => ((drained = undefined), r())),
          )
      })
    },
    async close() {
      socket.end()
    },
  }
}
