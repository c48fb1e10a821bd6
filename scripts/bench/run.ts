// `npm run bench`: the performance targets' figures (README, Performance), measured in one run against one
// common server that does no work (sink-server.ts, its own process), with the project, Python
// grpcio's stream client (the transport under tritonclient.grpc), a hand-framed node:http2 gRPC
// client (the ceiling for Node) and raw loopback TCP side by side, each client in its own
// process. Every figure is the median of interleaved rounds; ratios are taken within the run.
// Nothing here asserts a time; it prints what it measured and whether each target is met.
//   npm run bench [-- --rounds 3 --json out.json --before results/before.json]
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { ClientKind, Command } from './client-worker'
import {
  f,
  freshRounds,
  nodeWorker,
  pythonPeer,
  ratio,
  rounds,
  startSink,
  table,
  verdict,
  type Result,
} from './harness'

/** The figures of the run saved before the levers (results/before.json, or --before FILE). */
function beforeRun(
  path = join(__dirname, 'results/before.json'),
): Record<string, Record<string, Result>> | undefined {
  if (!existsSync(path)) return undefined
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, Result>>
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string' }, json: { type: 'string' }, before: { type: 'string' } },
  })
  const n = Number(values.rounds ?? process.env.BENCH_ROUNDS ?? 3)
  const dir = mkdtempSync(join(tmpdir(), 'triton-live-bench-'))
  const sink = await startSink()
  const ports = sink.ports
  const py = await pythonPeer(ports.grpc, dir)
  const python = typeof py === 'string' ? undefined : py
  const [project, http2, tcp] = await Promise.all([
    nodeWorker('project', ports),
    nodeWorker('http2', ports),
    nodeWorker('tcp', ports),
  ])
  const out: Record<string, unknown> = {}
  const print = (s = '') => console.log(s)
  // An absolute target can sit below what this machine gives even the least Node client: say so.
  const machineBound = (
    what: string,
    bare: number | undefined,
    target: number,
    unit: string,
    digits: number,
  ) => {
    if (bare !== undefined && bare >= target)
      print(
        `${what}: the hand-framed node:http2 client, doing the least a Node client can, itself has ${f(bare, digits)} ${unit} here (target < ${target} ${unit})`,
      )
  }
  print(
    `triton-live bench: ${cpus().length} x ${cpus()[0]?.model.trim()}, Node ${process.version}, load ${loadavg()
      .map((x) => x.toFixed(1))
      .join(
        ' ',
      )}; median of ${n} interleaved rounds; server: bench sink (grpc-js, no work) in its own process`,
  )
  print(typeof py === 'string' ? py : `peer: ${py.label}`)
  print()

  // 1. 4.9 MB frames.
  const T = (
    payload: 'frame',
    inFlight: number,
    route?: 'stream' | 'unary' | 'shm',
    seconds = 2.5,
  ): Extract<Command, { op: 'throughput' }> => ({
    op: 'throughput',
    payload,
    inFlight,
    seconds,
    route,
  })
  const frames = await rounds(
    [
      {
        key: 'stream',
        runner: project,
        cmd: T('frame', 2),
      },
      {
        key: 'session',
        runner: project,
        cmd: { op: 'session-throughput', seconds: 2.5 },
      },
      {
        key: 'unary',
        runner: project,
        cmd: T('frame', 2, 'unary'),
      },
      {
        key: 'shm',
        runner: project,
        cmd: T('frame', 2, 'shm'),
      },
      {
        key: 'python',
        runner: python,
        cmd: T('frame', 4),
      },
      {
        key: 'http2',
        runner: http2,
        cmd: T('frame', 4),
      },
      {
        key: 'http2-2',
        runner: http2,
        cmd: T('frame', 2),
      },
      {
        key: 'http2-rgb',
        runner: http2,
        cmd: { ...T('frame', 2), fromRgb: true },
      },
      { key: 'tcp', runner: tcp, cmd: T('frame', 2) },
    ],
    n,
    sink,
  )
  const py1 = frames.get('python')?.rps
  // The ceiling for Node: the better of the hand-framed client's two runs.
  const ceilings = [frames.get('http2')?.rps, frames.get('http2-2')?.rps].filter(
    (x): x is number => x !== undefined,
  )
  const ceil = ceilings.length ? Math.max(...ceilings) : undefined
  print('4.9 MB frames: 1x3x640x640 FP32 in, [1,1,6] out')
  const frameRows: Array<[string, string]> = [
    ['stream', 'project: transport stream (bench path), 2 in flight'],
    ['session', 'project: detection session, 2 in flight'],
    ['unary', 'project: unary infer, 2 in flight'],
    ['python', 'Python grpcio stream, 4 in flight'],
    ['http2', 'node:http2 hand-framed, 4 in flight (ceiling)'],
    ['http2-2', 'node:http2 hand-framed, 2 in flight'],
    ['http2-rgb', 'node:http2 hand-framed + RGB->tensor, 2 in flight'],
    ['tcp', 'raw TCP, 2 in flight'],
  ]
  print(
    table(
      [
        'client',
        'req/s',
        'CPU ms/req',
        'main ms/req',
        'GC/req',
        'server cores',
        'vs Python',
        'vs ceiling',
        'vs TCP',
      ],
      frameRows
        .filter(([k]) => frames.has(k))
        .map(([k, label]) => {
          const r = frames.get(k) as Result
          return [
            label,
            f(r.rps),
            f(r.cpuMsPerReq, 2),
            f(r.mainMsPerReq, 2),
            f(r.gcCount / r.requests, 2),
            f(r.serverCores, 2),
            ratio(r.rps, py1),
            ratio(r.rps, ceil),
            ratio(r.rps, frames.get('tcp')?.rps),
          ]
        }),
    ),
  )
  const frameTarget = (k: string) => {
    const r = frames.get(k)?.rps
    if (r === undefined || ceil === undefined) return undefined
    return (py1 === undefined || r >= py1) && r >= 0.8 * ceil
  }
  print(
    `target >= 1.0x Python and >= 0.8x the node:http2 ceiling: transport ${verdict(frameTarget('stream'))}, detection session ${verdict(frameTarget('session'))}${py1 === undefined ? ' (Python part not checked)' : ''}`,
  )
  // The ceiling sends a tensor made once; the session converts every picture it is given.
  // Measured beside it: the same minimal client doing that conversion, and nothing else.
  const converting = frames.get('http2-rgb')?.rps
  if (converting !== undefined)
    print(
      `detection session vs the hand-framed client converting each frame from RGB as it does: ${ratio(frames.get('session')?.rps, converting)}`,
    )
  print()
  out.frames = Object.fromEntries(frames)

  // 2. Audio, 100 ms chunks, one in flight.
  const lat = await rounds(
    [
      { key: 'project', runner: project, cmd: { op: 'latency', seconds: 2 } },
      { key: 'python', runner: python, cmd: { op: 'latency', seconds: 2 } },
      { key: 'http2', runner: http2, cmd: { op: 'latency', seconds: 2 } },
      { key: 'tcp', runner: tcp, cmd: { op: 'latency', seconds: 2 } },
    ],
    n,
  )
  print(
    'audio, 100 ms chunks (6.4 kB) on one sequence, one in flight: client-added latency = round trip - server time',
  )
  const labels: Record<string, string> = {
    project: 'project: transport stream',
    python: 'Python grpcio stream',
    http2: 'node:http2 hand-framed',
    tcp: 'raw TCP',
  }
  print(
    table(
      [
        'client',
        'added p50 ms',
        'added p99 ms',
        'rtt p50 ms',
        'CPU ms/req',
        'p50 vs Python',
        'p99 vs Python',
      ],
      [...lat].map(([k, r]) => [
        labels[k],
        f(r.addedP50Ms, 3),
        f(r.addedP99Ms, 3),
        f(r.rttP50Ms, 3),
        f(r.cpuMsPerReq, 3),
        ratio(r.addedP50Ms, lat.get('python')?.addedP50Ms),
        ratio(r.addedP99Ms, lat.get('python')?.addedP99Ms),
      ]),
    ),
  )
  const pl = lat.get('project')
  print(
    `target p50 < 0.3 ms: ${verdict(pl && pl.addedP50Ms < 0.3)}, p99 < 1 ms: ${verdict(pl && pl.addedP99Ms < 1)}`,
  )
  print()
  out.audio = Object.fromEntries(lat)

  // 3. Camera at 30 fps, raw YOLOv8 answer.
  const cam = await rounds(
    [
      { key: 'project', runner: project, cmd: { op: 'camera', fps: 30, seconds: 5 } },
      { key: 'python', runner: python, cmd: { op: 'camera', fps: 30, seconds: 5 } },
      { key: 'http2', runner: http2, cmd: { op: 'camera', fps: 30, seconds: 5 } },
      { key: 'tcp', runner: tcp, cmd: { op: 'camera', fps: 30, seconds: 5 } },
    ],
    n,
  )
  const camLabels: Record<string, string> = {
    project: 'project: camera session (decode + NMS)',
    python: 'Python grpcio stream',
    http2: 'node:http2 hand-framed',
    tcp: 'raw TCP',
  }
  print(
    'camera, 30 fps for 5 s, 640x640 FP32 in, raw YOLOv8 [1,84,8400] FP32 out (2.8 MB), latest frame wins',
  )
  print(
    table(
      [
        'client',
        'frames',
        'answered',
        'drops',
        'lag p99 ms',
        'CPU ms/frame',
        'main ms/frame',
        'rtt p50 ms',
      ],
      [...cam].map(([k, r]) => [
        camLabels[k],
        f(r.frames, 0),
        f(r.answered, 0),
        f(r.drops, 0),
        k === 'python' ? '–' : f(r.lagP99Ms, 1),
        f(r.cpuMsPerFrame, 2),
        f(r.mainMsPerFrame, 2),
        f(r.rttP50Ms, 1),
      ]),
    ),
  )
  const pc = cam.get('project')
  const hc = cam.get('http2')
  const tc = cam.get('tcp')
  // "Halved" against the run saved before the levers; each side in units of its own run's raw
  // TCP figure, so a busier machine in one run does not count as a lever. Not the node:http2
  // client's: it reads the 2.8 MB answer in place or copies it, as the answer happens to land
  // in its buffer, and its figure ranged 3.6-14.4 ms over runs where raw TCP's stayed 4.1-7.0.
  const before = beforeRun(values.before)?.camera
  const scaled = (p?: Result, t?: Result) =>
    p && t ? p.cpuMsPerFrame / t.cpuMsPerFrame : undefined
  const was = scaled(before?.project, before?.tcp)
  const now = scaled(pc, tc)
  const halved =
    was === undefined || now === undefined
      ? 'n/a (no before-run)'
      : `${verdict(now <= was / 2)} (${f(before?.project.cpuMsPerFrame, 1)} -> ${f(pc?.cpuMsPerFrame, 1)} ms; ${f(was, 2)} -> ${f(now, 2)} x raw TCP's)`
  print(
    `target 0 drops: ${verdict(pc && pc.drops === 0)}, lag p99 < 8 ms: ${verdict(pc && pc.lagP99Ms < 8)}, CPU per frame halved: ${halved}`,
  )
  machineBound('lag p99', hc?.lagP99Ms, 8, 'ms', 1)
  print()
  out.camera = Object.fromEntries(cam)

  // 4. 64 real-time audio streams, each client in a fresh process every round (RSS).
  const streamCells: Array<[string, ClientKind, boolean]> = [
    ['project', 'project', false],
    ['project-transport', 'project', true],
    ['http2', 'http2', false],
    ['tcp', 'tcp', false],
  ]
  const streams = await freshRounds(
    () =>
      Promise.all(
        streamCells.map(async ([key, kind, transport]) => ({
          key,
          runner: await nodeWorker(kind, ports),
          cmd: { op: 'streams' as const, n: 64, seconds: 5, transport },
        })),
      ),
    n,
  )
  print('64 real-time audio streams (100 ms chunks, 640 req/s); project = 64 microphone sessions')
  print(
    "in 5 s windows until the last three agree within 10 % (perf_analyzer's rule; at most 8): " +
      'CPU ms/req is over those three; "first 5 s" is the first window, as earlier runs measured it',
  )
  print(
    table(
      ['client', 'requests', 'CPU ms/req', 'first 5 s', 'windows', 'RSS MB/stream', 'lag p99 ms'],
      [...streams].map(([k, r]) => [
        k === 'project'
          ? 'project: 64 microphone sessions'
          : k === 'project-transport'
            ? 'project: 64 transport streams, no session'
            : labels[k],
        f(r.requests, 0),
        f(r.cpuMsPerReq, 3),
        f(r.firstCpuMsPerReq, 3),
        `${f(r.windows, 0)}${r.settled ? '' : ' (unsettled)'}`,
        f(r.rssPerStreamMB, 2),
        f(r.lagP99Ms, 1),
      ]),
    ),
  )
  const ps = streams.get('project')
  print(
    `target < 0.2 ms CPU/request: ${verdict(ps && ps.cpuMsPerReq < 0.2)}, < 2 MB RSS/stream: ${verdict(ps && ps.rssPerStreamMB < 2)}`,
  )
  machineBound('CPU per request', streams.get('http2')?.cpuMsPerReq, 0.2, 'ms', 3)
  print()
  out.streams = Object.fromEntries(streams)

  // 5. Shared memory against gRPC bytes (both cells of the frames rounds).
  const shm = frames.get('shm')?.rps
  const bytes = frames.get('stream')?.rps
  print('shared memory, same host, 4.9 MB frames, 2 in flight')
  print(
    table(
      ['route', 'req/s', 'ratio'],
      [
        ['gRPC stream, bytes', f(bytes), '1.00x'],
        ['gRPC stream + system shm', f(shm), ratio(shm, bytes)],
      ],
    ),
  )
  print(
    `target >= 2x the gRPC-bytes throughput: ${verdict(shm !== undefined && bytes !== undefined ? shm >= 2 * bytes : undefined)}`,
  )

  // 6. Every target in one table.
  const st = frames.get('stream')
  const ss = frames.get('session')
  const rowsOut: string[][] = [
    [
      '4.9 MB frames, transport stream',
      `${f(st?.rps)} req/s`,
      `${ratio(st?.rps, py1)} Python, ${ratio(st?.rps, ceil)} ceiling`,
      '>= 1.0x, >= 0.8x',
      verdict(frameTarget('stream')),
    ],
    [
      '4.9 MB frames, detection session',
      `${f(ss?.rps)} req/s`,
      `${ratio(ss?.rps, py1)} Python, ${ratio(ss?.rps, ceil)} ceiling`,
      '>= 1.0x, >= 0.8x',
      verdict(frameTarget('session')),
    ],
    [
      'audio 100 ms, client-added p50',
      `${f(pl?.addedP50Ms, 3)} ms`,
      `${ratio(pl?.addedP50Ms, lat.get('python')?.addedP50Ms)} Python`,
      '< 0.3 ms',
      verdict(pl && pl.addedP50Ms < 0.3),
    ],
    [
      'audio 100 ms, client-added p99',
      `${f(pl?.addedP99Ms, 3)} ms`,
      `${ratio(pl?.addedP99Ms, lat.get('python')?.addedP99Ms)} Python`,
      '< 1 ms',
      verdict(pl && pl.addedP99Ms < 1),
    ],
    [
      'camera 30 fps, drops',
      `${f(pc?.drops, 0)} of ${f(pc?.frames, 0)}`,
      '',
      '0',
      verdict(pc && pc.drops === 0),
    ],
    [
      'camera 30 fps, event-loop lag p99',
      `${f(pc?.lagP99Ms)} ms`,
      `${ratio(pc?.lagP99Ms, hc?.lagP99Ms)} http2 client`,
      '< 8 ms',
      verdict(pc && pc.lagP99Ms < 8),
    ],
    [
      'camera 30 fps, CPU per frame',
      `${f(pc?.cpuMsPerFrame)} ms`,
      `${ratio(pc?.cpuMsPerFrame, tc?.cpuMsPerFrame)} raw TCP`,
      'half of before',
      halved.split(' ')[0],
    ],
    [
      'shm vs gRPC bytes, 4.9 MB',
      `${f(shm)} vs ${f(bytes)} req/s`,
      ratio(shm, bytes),
      '>= 2x',
      verdict(shm !== undefined && bytes !== undefined ? shm >= 2 * bytes : undefined),
    ],
    [
      '64 audio streams, CPU per request',
      `${f(ps?.cpuMsPerReq, 3)} ms`,
      `${ratio(ps?.cpuMsPerReq, streams.get('http2')?.cpuMsPerReq)} http2 client`,
      '< 0.2 ms',
      verdict(ps && ps.cpuMsPerReq < 0.2),
    ],
    [
      '64 audio streams, RSS per stream',
      `${f(ps?.rssPerStreamMB, 2)} MB`,
      '',
      '< 2 MB',
      verdict(ps && ps.rssPerStreamMB < 2),
    ],
  ]
  print()
  print('targets')
  print(table(['figure', 'project', 'ratio', 'target', 'verdict'], rowsOut))

  if (values.json) writeFileSync(values.json, `${JSON.stringify(out, null, 2)}\n`)
  for (const r of [project, http2, tcp]) r.close()
  python?.close()
  sink.child.kill()
  rmSync(dir, { recursive: true, force: true })
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exit(1)
})
