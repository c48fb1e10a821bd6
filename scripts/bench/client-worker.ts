// One client under test, in its own process (forked by run.ts), so its CPU, event-loop lag and
// RSS are its own. It takes commands over IPC and answers each with its figure.
//   project: the project's transport and sessions (TritonClient, StreamCall, Session)
//   http2:   a hand-framed gRPC client on node:http2, the ceiling for Node
//   tcp:     raw loopback TCP, the ceiling of the wire
import type { ClientHttp2Session } from 'node:http2'
import { TritonClient } from '../../src/main/triton/triton-client'
import { benchAudio, benchFrame, benchRgb } from './bench-models'
import {
  cameraLane,
  cameraSession,
  latency,
  sessionThroughput,
  streamLanes,
  streamSessions,
  throughput,
} from './figures'
import {
  http2Lane,
  http2Session,
  projectLane,
  tcpLane,
  type FromRgb,
  type Lane,
  type Payload,
} from './lanes'

export type ClientKind = 'project' | 'http2' | 'tcp'

export type Command =
  | {
      op: 'throughput'
      payload: Payload
      inFlight: number
      seconds: number
      route?: 'stream' | 'unary' | 'shm'
      /** http2 only: convert each frame's tensor from RGB before sending it. */
      fromRgb?: boolean
    }
  | { op: 'session-throughput'; seconds: number }
  | { op: 'latency'; seconds: number }
  | { op: 'camera'; fps: number; seconds: number }
  /**
   * `transport`: the project's streams without sessions, as bench's sequence lanes use them.
   * `windows`: measure exactly this many windows instead of until they settle (`ab.ts --together`).
   */
  | { op: 'streams'; n: number; seconds: number; transport?: boolean; windows?: number }

const kind = process.argv[2] as ClientKind
const ports = JSON.parse(process.argv[3]) as { grpc: number; tcp: number }
const data = { frame: benchFrame(), audio: benchAudio() }
const rgb = benchRgb()
let client: TritonClient | undefined
let session: ClientHttp2Session | undefined

async function projectClient(): Promise<TritonClient> {
  if (!client) {
    client = new TritonClient({ url: `127.0.0.1:${ports.grpc}` })
    await client.waitForReady(10_000)
  }
  return client
}

async function open(
  payload: Payload,
  route: 'stream' | 'unary' | 'shm' = 'stream',
  fromRgb?: FromRgb,
): Promise<Lane> {
  if (kind === 'project') {
    const choice =
      route === 'shm'
        ? { mode: 'stream' as const, sharedMemory: 'system' as const }
        : { mode: route }
    return projectLane(await projectClient(), payload, data, choice)
  }
  if (kind === 'http2') {
    session ??= await http2Session(ports.grpc)
    return http2Lane(session, payload, data, fromRgb)
  }
  return tcpLane(ports.tcp, payload, data)
}

async function withLane<T>(
  payload: Payload,
  run: (lane: Lane) => Promise<T>,
  route?: 'stream' | 'unary' | 'shm',
  fromRgb?: FromRgb,
): Promise<T> {
  const lane = await open(payload, route, fromRgb)
  try {
    return await run(lane)
  } finally {
    await lane.close()
  }
}

async function run(cmd: Command): Promise<unknown> {
  switch (cmd.op) {
    case 'throughput':
      return withLane(
        cmd.payload,
        (l) => throughput(l, cmd.inFlight, cmd.seconds),
        cmd.route,
        cmd.fromRgb ? { rgb, slots: cmd.inFlight + 1 } : undefined,
      )
    case 'session-throughput':
      return sessionThroughput(await projectClient(), rgb, cmd.seconds)
    case 'latency':
      return withLane('audio', (l) => latency(l, cmd.seconds))
    case 'camera':
      if (kind === 'project') return cameraSession(await projectClient(), rgb, cmd.fps, cmd.seconds)
      return withLane('yolo', (l) => cameraLane(l, cmd.fps, cmd.seconds))
    case 'streams':
      if (kind === 'project' && !cmd.transport)
        return streamSessions(await projectClient(), cmd.n, cmd.seconds, cmd.windows)
      return streamLanes(() => open('audio'), cmd.n, cmd.seconds, cmd.windows)
  }
}

process.on('message', (msg: { id: number; cmd: Command }) => {
  run(msg.cmd).then(
    (result) => process.send?.({ id: msg.id, result }),
    (e: unknown) =>
      process.send?.({ id: msg.id, error: e instanceof Error ? e.message : String(e) }),
  )
})
process.on('disconnect', () => process.exit(0))
process.send?.({ ready: true })
