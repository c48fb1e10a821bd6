// What run.ts and ab.ts share: the sink server, client workers in their own processes, the
// Python peer, interleaved rounds with medians, and table printing.
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildSync } from 'esbuild'
import { createInterface } from 'node:readline'
import { benchAudio, benchFrame } from './bench-models'
import type { ClientKind, Command } from './client-worker'
import { writeDescriptorSet } from './descriptor-set'

const PYTHON = '/usr/bin/python3'

export type Result = Record<string, number>
export interface Ports {
  grpc: number
  tcp: number
}

export interface Runner {
  label: string
  run(cmd: Command): Promise<Result>
  close(): void
}

/**
 * The sink in its own process. Its IPC channel is how it knows the bench is gone (it exits on
 * 'disconnect'), so a bench that fails half way leaves no server listening behind it.
 */
export interface Sink {
  ports: Ports
  child: ChildProcess
  /** The sink's CPU time so far, in ms. */
  cpuMs(): Promise<number>
}

export function startSink(): Promise<Sink> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'sink-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  })
  process.once('exit', () => child.kill())
  // A sink that died or stays silent fails the figure instead of holding the bench.
  const cpuMs = () =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error('the sink server did not report its CPU')),
        5000,
      )
      const onMessage = (m: { cpuMs?: number }) => {
        if (typeof m.cpuMs === 'number') done(undefined, m.cpuMs)
      }
      const onExit = (code: number | null) => done(new Error(`the sink server exited with ${code}`))
      const done = (e?: Error, ms?: number) => {
        clearTimeout(timer)
        child.off('message', onMessage)
        child.off('exit', onExit)
        if (e || ms === undefined) reject(e)
        else resolve(ms)
      }
      child.on('message', onMessage)
      child.once('exit', onExit)
      child.send('cpu', (e) => e && done(e))
    })
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) =>
      resolve({ ports: JSON.parse(d.toString()), child, cpuMs }),
    )
    child.once('exit', (code) => reject(new Error(`the sink server exited with ${code}`)))
  })
}

const bundles = new Map<string, string>()

/**
 * The client worker and the project code it runs, bundled as electron-vite bundles the app.
 * Run through tsx, every closure the code creates is wrapped in a `__name` call (tsx keeps
 * function names; the app's bundle does not), which cost the 64 sessions 7 % of their CPU.
 */
function workerBundle(benchDir: string): string {
  const cached = bundles.get(benchDir)
  if (cached) return cached
  const outfile = join(benchDir, '../../out/bench/client-worker.cjs')
  buildSync({
    entryPoints: [join(benchDir, 'client-worker.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    // CommonJS has no import.meta: give the project's createRequire calls this file's URL.
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  })
  bundles.set(benchDir, outfile)
  return outfile
}

/** A client worker; `benchDir` runs another checkout's worker (and so its project code). */
export function nodeWorker(kind: ClientKind, ports: Ports, benchDir = __dirname): Promise<Runner> {
  const child = fork(workerBundle(benchDir), [kind, JSON.stringify(ports)], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  let next = 0
  const waiting = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void }>()
  let exited: Error | undefined
  // A worker that dies fails what it was running and everything after, instead of a hang.
  child.once('exit', (code, signal) => {
    exited = new Error(`the ${kind} worker exited with ${signal ?? code}`)
    for (const w of waiting.values()) w.reject(exited)
    waiting.clear()
  })
  child.on('message', (m: { id?: number; result?: Result; error?: string }) => {
    const w = m.id === undefined ? undefined : waiting.get(m.id)
    if (!w || m.id === undefined) return
    waiting.delete(m.id)
    if (m.error) w.reject(new Error(`${kind}: ${m.error}`))
    else w.resolve(m.result as Result)
  })
  return new Promise((resolve, reject) => {
    child.once('message', () =>
      resolve({
        label: kind,
        run: (cmd) =>
          new Promise((res, rej) => {
            if (exited) return rej(exited)
            const id = ++next
            waiting.set(id, { resolve: res, reject: rej })
            child.send({ id, cmd })
          }),
        close: () => child.kill(),
      }),
    )
    child.once('exit', (code) => reject(new Error(`the ${kind} worker exited with ${code}`)))
  })
}

/** The Python peer, or the one line that says why there is none (no python3-grpcio). */
export async function pythonPeer(port: number, dir: string): Promise<Runner | string> {
  try {
    execFileSync(PYTHON, ['-c', 'import grpc'], { stdio: 'ignore' })
  } catch {
    return `no Python column: ${PYTHON} cannot import grpc (on Debian: apt-get install python3-grpcio python3-protobuf)`
  }
  const frame = join(dir, 'frame.f32')
  const audio = join(dir, 'audio.f32')
  writeFileSync(frame, Buffer.from(benchFrame().buffer))
  writeFileSync(audio, Buffer.from(benchAudio().buffer))
  const descriptor = join(dir, 'inference.desc')
  writeDescriptorSet(descriptor)
  const child = spawn(
    PYTHON,
    [join(__dirname, 'grpcio_peer.py'), JSON.stringify({ port, descriptor, frame, audio })],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  const first = await lines.next()
  if (first.done) return 'no Python column: the grpcio peer exited at start'
  const ready = JSON.parse(first.value as string) as { serializer: string; grpcio: string }
  return {
    label: `Python grpcio ${ready.grpcio}, ${ready.serializer}`,
    async run(cmd) {
      child.stdin!.write(`${JSON.stringify(cmd)}\n`)
      const line = await lines.next()
      if (line.done) throw new Error('the grpcio peer exited')
      const m = JSON.parse(line.value as string) as { result?: Result; error?: string }
      if (m.error) throw new Error(`python: ${m.error}`)
      return m.result as Result
    },
    close: () => child.stdin!.end(),
  }
}

function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

function medians(results: Result[]): Result {
  const out: Result = {}
  for (const k of Object.keys(results[0] ?? {})) out[k] = median(results.map((r) => r[k]))
  return out
}

export interface Cell {
  key: string
  runner: Runner | undefined
  cmd: Command
}

/**
 * Runs every cell once per round, rotating the order each round, and keeps each cell's medians.
 * With `sink`, each
 * result also says how many cores the server was busy on while that cell ran (`serverCores`).
 */
export async function rounds(cells: Cell[], n: number, sink?: Sink): Promise<Map<string, Result>> {
  const all = new Map<string, Result[]>()
  for (let r = 0; r < n; r++) {
    const order = cells.map((_, i) => cells[(i + r) % cells.length])
    for (const c of order) {
      if (!c.runner) continue
      const cpu0 = await sink?.cpuMs()
      const t0 = performance.now()
      const res = await c.runner.run(c.cmd)
      if (sink && cpu0 !== undefined) {
        res.serverCores = ((await sink.cpuMs()) - cpu0) / (performance.now() - t0)
      }
      all.set(c.key, [...(all.get(c.key) ?? []), res])
    }
  }
  const out = new Map<string, Result>()
  for (const c of cells) {
    const results = all.get(c.key)
    if (results) out.set(c.key, medians(results))
  }
  return out
}

/**
 * Like `rounds`, with fresh client processes each round (figures that measure RSS): `start`
 * makes that round's cells, which are closed after it. Each round starts with a different
 * cell, since whoever runs first meets a cooler machine; medians as in `rounds`.
 */
export async function freshRounds(
  start: () => Promise<Cell[]>,
  n: number,
): Promise<Map<string, Result>> {
  const all = new Map<string, Result[]>()
  for (let r = 0; r < n; r++) {
    const cells = await start()
    const turn = r % cells.length
    const once = await rounds([...cells.slice(turn), ...cells.slice(0, turn)], 1)
    for (const c of cells) c.runner?.close()
    for (const [key, res] of once) all.set(key, [...(all.get(key) ?? []), res])
  }
  return new Map([...all].map(([key, results]) => [key, medians(results)]))
}

export const f = (x: number | undefined, d = 1): string =>
  x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d)
export const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || !b ? '–' : `${(a / b).toFixed(2)}x`
export const verdict = (ok: boolean | undefined): string =>
  ok === undefined ? 'n/a' : ok ? 'PASS' : 'FAIL'

export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  return [line(head), ...rows.map(line)].join('\n')
}
