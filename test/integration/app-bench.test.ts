import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BenchProgressEvent } from '../../src/shared/ipc-contract'
import type { AppCore } from '../../src/main/app/app-core'
import { startDemoEndpoint, type DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'
import { TritonClient } from '../../src/main/triton/triton-client'
import { startHostileServer, type HostileServer } from '../fixtures/hostile-server'
import type { HostileModel } from '../fixtures/hostile-models'
import { testAppCore } from '../fixtures/app-core'

let dir: string
let demo: DemoEndpoint
let core: AppCore
const progress: BenchProgressEvent[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-app-bench-'))
  demo = await startDemoEndpoint({ port: 0, httpPort: 0, metricsPort: null })
  core = testAppCore(dir, {
    saveFile: async (name) => join(dir, name),
    onBenchProgress: (e) => progress.push(e),
  })
})

afterAll(async () => {
  await core.dispose()
  await demo.close()
  rmSync(dir, { recursive: true, force: true })
})

describe("the app's Benchmark tab", () => {
  it('benchmarks an HTTP endpoint, and the same endpoint with shared memory beside it', async () => {
    const saved = await core.handlers['endpoints:save']({
      name: 'demo over HTTP',
      url: demo.httpUrl as string,
    })
    const report = await core.handlers['bench:run']({
      endpointId: saved.id,
      model: 'tone-transcriber-offline',
      mode: 'rate',
      rate: 5,
      durationSec: 0.6,
      compare: { transport: { sharedMemory: 'system' } },
    })
    const http = demo.httpUrl as string
    expect(report.runs.map((r) => [r.label, r.transport, r.url])).toEqual([
      [`HTTP @ ${http}`, 'HTTP', http],
      [`HTTP + shm @ ${http}`, 'HTTP + shm', http],
    ])
    for (const run of report.runs) {
      expect(run.summary.requests).toBe(3)
      expect(run.outcomes).toEqual({
        success: 3,
        'server-error': 0,
        'decode-error': 0,
        timeout: 0,
        cancelled: 0,
      })
    }
    expect(report.markdown).toContain('| **Transport** | HTTP | HTTP + shm |')
    expect(progress.some((p) => p.label === `HTTP + shm @ ${http}`)).toBe(true)
    // The benchmark's regions are gone with it.
    const client = new TritonClient({ url: demo.url })
    try {
      expect(await client.systemSharedMemoryStatus()).toEqual({})
    } finally {
      client.close()
    }
  })
})

describe("the app's Benchmark tab on an endpoint with an answer deadline", () => {
  /** A detector that answers the warm-up at once, then holds every answer for 5 s. */
  let answered = 0
  const sluggish: HostileModel = {
    name: 'sluggish-detector',
    family: 'e2e',
    listing: 'kind',
    stream: 'valid',
    answer: (_req, ok) =>
      answered++ === 0
        ? { kind: 'respond', response: ok }
        : { kind: 'slow', afterMs: 5000, response: ok },
  }
  let hostile: HostileServer

  beforeAll(async () => {
    hostile = await startHostileServer({ models: [sluggish] })
  })
  afterAll(() => hostile.close())

  it("fails each request the endpoint's deadline leaves unanswered, as the CLI's --timeout would", async () => {
    const saved = await core.handlers['endpoints:save']({
      name: 'slow server, short deadline',
      url: hostile.url,
      answerDeadlineMs: 500,
    })
    const report = await core.handlers['bench:run']({
      endpointId: saved.id,
      model: 'sluggish-detector',
      mode: 'rate',
      rate: 5,
      durationSec: 0.6,
    })
    // With the bench's own 10 s, the answers held for 5 s would all have counted as successes.
    expect(answered).toBe(4)
    const [run] = report.runs
    expect(run.summary.requests).toBe(3)
    expect(run.outcomes).toEqual({
      success: 0,
      'server-error': 0,
      'decode-error': 0,
      timeout: 3,
      cancelled: 0,
    })
    expect(run.failuresByCause).toEqual({ 'deadline exceeded': 3 })
  })
})
