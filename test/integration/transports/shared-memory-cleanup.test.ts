import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoEndpoint, type DemoEndpoint } from '../../../src/main/demo-endpoint/demo-server'
import { createTransport } from '../../../src/main/transport/create-transport'
import { sweepStaleSharedMemory } from '../../../src/main/transport/shared-memory/shared-memory-transport'
import type { InferRequestSpec } from '../../../src/main/triton/infer-messages'
import { TritonClient } from '../../../src/main/triton/triton-client'

const CHILD = resolve(__dirname, '../../fixtures/shm-session-child.ts')
let demo: DemoEndpoint
let client: TritonClient

beforeAll(async () => {
  demo = await startDemoEndpoint({ port: 0, metricsPort: null })
  client = new TritonClient({ url: demo.url, timeoutMs: 5000 })
})

afterAll(async () => {
  client.close()
  await demo.close()
})

/** Starts a child session; resolves with its region names once they are registered. */
function childSession(how: 'hold' | 'crash') {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, demo.url, how], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | string | null>((r) =>
    child.on('exit', (code, signal) => r(signal ?? code)),
  )
  const regions = new Promise<string[]>((ok, fail) => {
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('\n')) ok(JSON.parse(out.split('\n')[0]) as string[])
    })
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('exit', () => fail(new Error(`the child ended before registering: ${err}`)))
  })
  return { child, exited, regions }
}

const files = (names: string[]): boolean[] => names.map((n) => existsSync(join('/dev/shm', n)))

describe('shared-memory regions of a session', () => {
  it('left by a run killed with SIGKILL are unregistered and unlinked at the next start', async () => {
    const { child, exited, regions } = childSession('hold')
    const names = await regions
    expect(names).toHaveLength(2)
    expect(files(names)).toEqual([true, true])
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    // Nothing ran in the killed process: its registrations are still on the server.
    expect(Object.keys(await client.systemSharedMemoryStatus())).toEqual(names)
    const swept = await sweepStaleSharedMemory(client)
    // Test files running beside this one sweep /dev/shm too and may unlink a dead run's files
    // first (as another window of the app would); this sweep takes nothing but the child's.
    expect(names).toEqual(expect.arrayContaining(swept.files))
    expect(swept.registrations.sort()).toEqual([...names].sort())
    expect(files(names)).toEqual([false, false])
    expect(await client.systemSharedMemoryStatus()).toEqual({})
  })

  it('of a run that crashes are unlinked on its way out, and the next session drops their registrations', async () => {
    const { exited, regions } = childSession('crash')
    const names = await regions
    expect(await exited).toBe(1)
    expect(files(names)).toEqual([false, false])
    expect(Object.keys(await client.systemSharedMemoryStatus())).toEqual(names)
    // A new session sweeps before it registers its own.
    const transport = createTransport(client, { mode: 'unary', sharedMemory: 'system' })
    await transport.open().infer(tinyWindow())
    const now = Object.keys(await client.systemSharedMemoryStatus())
    expect(now.filter((n) => names.includes(n))).toEqual([])
    expect(now).toHaveLength(2)
    await transport.close()
    expect(await client.systemSharedMemoryStatus()).toEqual({})
  })
})

function tinyWindow(): InferRequestSpec {
  return {
    model: 'tone-transcriber-offline',
    inputs: [
      { name: 'TEXT_PREFIX', datatype: 'BYTES', shape: [1, 1], data: ['<|startoftranscript|>'] },
      { name: 'WAV', datatype: 'FP32', shape: [1, 1600], data: new Float32Array(1600) },
    ],
  }
}

describe('when shared memory cannot be used', () => {
  it.each([
    [
      'the server refuses client regions',
      { allowClientShm: false },
      /Client shared memory is disabled.*start Triton with --allow-client-shm=true/,
    ],
    [
      'the server is not on this host',
      { shmDir: 'elsewhere' },
      /Unable to open shared memory region.*only with Triton on this host, sharing \/dev\/shm \(Docker: --ipc=host\)/,
    ],
  ])('because %s, the session sends bytes and says so once', async (_why, options, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'triton-live-other-host-'))
    const server = await startDemoEndpoint({
      port: 0,
      httpPort: 0,
      metricsPort: null,
      ...options,
      ...('shmDir' in options ? { shmDir: dir } : {}),
    })
    try {
      for (const url of [server.url, server.httpUrl as string]) {
        const notices: string[] = []
        const transport = createTransport(
          { url },
          { sharedMemory: 'system', sharedMemoryOptions: { onFallback: (m) => notices.push(m) } },
        )
        const channel = transport.open()
        for (let i = 0; i < 3; i++) {
          const answer = await channel.infer(tinyWindow())
          expect(answer.responses[0].outputs.has('TRANSCRIPTS')).toBe(true)
        }
        expect(notices).toHaveLength(1)
        expect(notices[0]).toMatch(
          /^shared memory is off for this session, tensors travel as bytes over (gRPC stream|HTTP): /,
        )
        expect(notices[0]).toMatch(message)
        expect(transport.label).not.toMatch(/shm/)
        expect(transport.fallbackReason).toBeDefined()
        await channel.end()
        await transport.close()
      }
    } finally {
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
