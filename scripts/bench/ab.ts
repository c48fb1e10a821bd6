// Before/after of one lever in ONE run: the project's worker from an earlier commit and from the
// working tree, interleaved against the same sink server, with the node:http2 ceiling beside
// them. Used for the numbers in each lever's commit message.
//   npx tsx scripts/bench/ab.ts --before <commit> [--figures frames,session,audio,camera,streams,...]
//     [--rounds 5] [--together] [--own-bench]
// --together runs both sides at the same moment in each round, in fresh processes, and prints
// each round's ratio (no ceiling row): on a shared host whose speed drifts by a quarter within
// minutes, a pair measured together sees the same machine, where two measured one after the
// other do not. Streams then take six windows on both sides, so both measure the same moments.
// Figures: frames, session, audio, camera, streams (64 microphone sessions) and
// streams-transport (the same 64 streams without sessions).
// --own-bench lets each side run its own commit's bench scripts, for a change that also moves
// what the bench feeds the project (as 16-bit microphone audio did).
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { Command } from './client-worker'
import {
  f,
  freshRounds,
  nodeWorker,
  ratio,
  rounds,
  startSink,
  table,
  type Result,
  type Runner,
} from './harness'

const root = resolve(__dirname, '../..')

/** A copy of `commit`'s tree that runs with this checkout's node_modules, generated types and bench. */
function checkout(commit: string, ownBench: boolean): string {
  const sha = execFileSync('git', ['rev-parse', '--short', commit], { cwd: root }).toString().trim()
  const dir = join(tmpdir(), `triton-live-ab-${sha}`)
  if (!existsSync(dir)) {
    mkdirSync(dir)
    execFileSync('sh', ['-c', `git archive ${sha} | tar -x -C ${dir}`], { cwd: root })
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
    cpSync(join(root, 'src/main/triton/generated'), join(dir, 'src/main/triton/generated'), {
      recursive: true,
    })
  }
  // Both sides run this checkout's bench scripts, so only the project code differs; or, with
  // --own-bench, the commit's own (taken again: an earlier run may have copied ours over it).
  const bench = join(dir, 'scripts/bench')
  rmSync(bench, { recursive: true, force: true })
  if (ownBench)
    execFileSync('sh', ['-c', `git archive ${sha} scripts/bench | tar -x -C ${dir}`], { cwd: root })
  else cpSync(__dirname, bench, { recursive: true })
  return dir
}

const STREAM_COLUMNS: Array<[keyof Result, string, number]> = [
  ['cpuMsPerReq', 'CPU ms/req', 3],
  ['firstCpuMsPerReq', 'first 5 s', 3],
  ['windows', 'windows', 0],
  ['rssPerStreamMB', 'RSS MB/stream', 2],
  ['lagP99Ms', 'lag p99 ms', 1],
  ['gcCount', 'GCs', 0],
]

/** Streams measured together take this many windows on both sides (the last three count). */
const TOGETHER_WINDOWS = 6

const FIGURES: Record<string, { cmd: Command; show: Array<[string, string, number]> }> = {
  frames: {
    cmd: { op: 'throughput', payload: 'frame', inFlight: 2, seconds: 2.5 },
    show: [
      ['rps', 'req/s', 1],
      ['cpuMsPerReq', 'CPU ms/req', 2],
      ['mainMsPerReq', 'main ms/req', 2],
      ['gcCount', 'GCs', 0],
    ],
  },
  session: {
    cmd: { op: 'session-throughput', seconds: 2.5 },
    show: [
      ['rps', 'req/s', 1],
      ['cpuMsPerReq', 'CPU ms/req', 2],
      ['mainMsPerReq', 'main ms/req', 2],
      ['gcCount', 'GCs', 0],
    ],
  },
  audio: {
    cmd: { op: 'latency', seconds: 2 },
    show: [
      ['addedP50Ms', 'added p50 ms', 3],
      ['addedP99Ms', 'added p99 ms', 3],
      ['cpuMsPerReq', 'CPU ms/req', 3],
    ],
  },
  camera: {
    cmd: { op: 'camera', fps: 30, seconds: 5 },
    show: [
      ['drops', 'drops', 0],
      ['lagP99Ms', 'lag p99 ms', 1],
      ['cpuMsPerFrame', 'CPU ms/frame', 2],
      ['mainMsPerFrame', 'main ms/frame', 2],
      ['rttP50Ms', 'rtt p50 ms', 1],
    ],
  },
  streams: {
    cmd: { op: 'streams', n: 64, seconds: 5 },
    show: STREAM_COLUMNS,
  },
  /** The same 64 streams on the transport alone, without sessions. */
  'streams-transport': {
    cmd: { op: 'streams', n: 64, seconds: 5, transport: true },
    show: STREAM_COLUMNS,
  },
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      before: { type: 'string' },
      figures: { type: 'string' },
      rounds: { type: 'string' },
      together: { type: 'boolean' },
      'own-bench': { type: 'boolean' },
    },
  })
  if (!values.before) throw new Error('--before <commit> is required')
  const beforeDir = join(checkout(values.before, values['own-bench'] === true), 'scripts/bench')
  const n = Number(values.rounds ?? 5)
  const names = (values.figures ?? 'frames,session,audio,camera').split(',')
  const sink = await startSink()
  console.log(
    `A/B ${values.before} -> working tree: ${cpus().length} x ${cpus()[0]?.model.trim()}, load ${loadavg()[0].toFixed(1)}, median of ${n} ${values.together ? 'rounds, both sides together' : 'interleaved rounds'}`,
  )
  for (const name of names) {
    const fig = FIGURES[name]
    if (!fig) throw new Error(`no figure '${name}'`)
    if (values.together) {
      await together(name, fig, sink.ports, beforeDir, n)
      continue
    }
    // Streams measure RSS: fresh processes per round; the others reuse one worker per side.
    const fresh = name === 'streams'
    // The ceiling of a session figure is the ceiling of its requests: frames on node:http2.
    const ceilingCmd: Command = name === 'session' ? FIGURES.frames.cmd : fig.cmd
    const start = () =>
      Promise.all([
        nodeWorker('project', sink.ports, beforeDir),
        nodeWorker('project', sink.ports),
        nodeWorker('http2', sink.ports),
      ])
    let results: Map<string, Result>
    if (fresh) {
      results = await freshRounds(async () => {
        const [b, a, h] = await start()
        return [
          { key: 'before', runner: b, cmd: fig.cmd },
          { key: 'after', runner: a, cmd: fig.cmd },
          { key: 'http2', runner: h, cmd: ceilingCmd },
        ]
      }, n)
    } else {
      const workers: Runner[] = await start()
      results = await rounds(
        [
          { key: 'before', runner: workers[0], cmd: fig.cmd },
          { key: 'after', runner: workers[1], cmd: fig.cmd },
          { key: 'http2', runner: workers[2], cmd: ceilingCmd },
        ],
        n,
      )
      for (const w of workers) w.close()
    }
    const b = results.get('before') as Result
    const a = results.get('after') as Result
    const h = results.get('http2') as Result
    console.log(`\n${name}`)
    console.log(
      table(
        ['', ...fig.show.map((s) => s[1])],
        [
          ['before', ...fig.show.map(([k, , d]) => f(b[k], d))],
          ['after', ...fig.show.map(([k, , d]) => f(a[k], d))],
          ['after/before', ...fig.show.map(([k]) => ratio(a[k], b[k]))],
          ['node:http2 ceiling', ...fig.show.map(([k, , d]) => f(h[k], d))],
          ['before/ceiling', ...fig.show.map(([k]) => ratio(b[k], h[k]))],
          ['after/ceiling', ...fig.show.map(([k]) => ratio(a[k], h[k]))],
        ],
      ),
    )
  }
  sink.child.kill()
  if (process.env.BENCH_AB_KEEP !== '1') rmSync(resolve(beforeDir, '../..'), { recursive: true })
}

/** Before and after at the same moment, fresh processes each round: each round's ratios. */
async function together(
  name: string,
  fig: (typeof FIGURES)[string],
  ports: Parameters<typeof nodeWorker>[1],
  beforeDir: string,
  n: number,
): Promise<void> {
  const pairs: Array<[Result, Result]> = []
  for (let r = 0; r < n; r++) {
    const [b, a] = await Promise.all([
      nodeWorker('project', ports, beforeDir),
      nodeWorker('project', ports),
    ])
    // Streams take as many windows on both sides, so both measure the same moments.
    const cmd = fig.cmd.op === 'streams' ? { ...fig.cmd, windows: TOGETHER_WINDOWS } : fig.cmd
    try {
      pairs.push(await Promise.all([b.run(cmd), a.run(cmd)]))
    } finally {
      b.close()
      a.close()
    }
  }
  // Over the rounds with a ratio (a count of 0 on either side, as drops often are, has none).
  const geomean = (all: number[]): string => {
    const xs = all.filter((x) => Number.isFinite(x) && x > 0)
    return xs.length
      ? `${Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length).toFixed(3)}×`
      : '-'
  }
  // A figure measured until it settles can take more windows on one side; that side's last
  // windows then ran alone. Rounds whose sides took as many windows measured the same moments.
  const aligned = pairs.map(([b, a]) => b.windows !== undefined && b.windows === a.windows)
  const rows = fig.show.map(([k, label, d]) => {
    const perRound = pairs.map(([b, a]) => (a[k] ?? NaN) / (b[k] ?? NaN))
    return [
      label,
      pairs.map(([b]) => f(b[k], d)).join(' '),
      pairs.map(([, a]) => f(a[k], d)).join(' '),
      perRound.map((x) => (Number.isFinite(x) ? x.toFixed(2) : '-')).join(' '),
      geomean(perRound),
      geomean(perRound.filter((_, i) => aligned[i])),
    ]
  })
  console.log(`\n${name}, both sides together`)
  console.log(
    table(['', 'before', 'after', 'after/before by round', 'geometric mean', 'same windows'], rows),
  )
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exit(1)
})
