import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppCore } from '../../../src/main/app/app-core'
import type { MainSessionPort } from '../../../src/main/app/session-port-link'
import { startDemoEndpoint, type DemoEndpoint } from '../../../src/main/demo-endpoint/demo-server'
import { encodeToneText } from '../../../src/main/demo-endpoint/tone-text-codec'
import { createTritonApi } from '../../../src/main/triton/create-triton-api'
import type { EndpointDraft } from '../../../src/shared/ipc-contract'
import { toPcm16 } from '../../../src/shared/pcm16'
import type { SessionEvent } from '../../../src/shared/session-events'
import type { SessionEventsMessage } from '../../../src/shared/session-port'
import { testAppCore } from '../../fixtures/app-core'

/**
 * The transport chosen in the app's endpoint form (stream or unary, shared memory)
 * reaches the session's transport through the core, and a refused shared memory is told to the
 * user once, as a notice on the session's port.
 */

class RecordingPort implements MainSessionPort {
  readonly events: SessionEvent[] = []
  private listener: ((data: unknown) => void) | undefined
  post(message: SessionEventsMessage): void {
    this.events.push(...message.events)
  }
  onMessage(listener: (data: unknown) => void): void {
    this.listener = listener
  }
  close(): void {}
  fromPage(data: unknown): void {
    this.listener?.(data)
  }
}

const MODEL = 'tone-transcriber-streaming'
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

let dir: string
let core: AppCore
/** Refuses client shared memory, as Triton 26.04+ does without --allow-client-shm=true. */
let strict: DemoEndpoint
let open: DemoEndpoint
const ports = new Map<string, RecordingPort>()

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-app-transport-'))
  ;[strict, open] = await Promise.all([
    startDemoEndpoint({ port: 0, metricsPort: null, allowClientShm: false }),
    startDemoEndpoint({ port: 0, metricsPort: null, httpPort: 0 }),
  ])
  core = testAppCore(dir, {
    openSessionPort: (sessionId) => {
      const port = new RecordingPort()
      ports.set(sessionId, port)
      return port
    },
    demoPorts: { port: 0, metricsPort: null, httpPort: null },
  })
})

afterAll(async () => {
  await core.dispose()
  await Promise.all([strict.close(), open.close()])
  rmSync(dir, { recursive: true, force: true })
})

/**
 * Saves the endpoint, speaks `text` into a microphone session on it, and stops: the plan, what
 * the port carried, and the server's shared-memory regions while the session ran.
 */
async function speak(draft: EndpointDraft, text: string) {
  const saved = await core.handlers['endpoints:save'](draft)
  const plan = await core.handlers['session:start']({
    endpointId: saved.id,
    model: MODEL,
    source: 'microphone',
    chunkMs: 250,
    nonce: 'n'.repeat(32),
  })
  const port = ports.get(plan.sessionId)!
  const size = plan.audio!.chunkSamples
  const audio = encodeToneText(text)
  const padded = new Float32Array(Math.ceil(audio.length / size) * size + size * 5)
  padded.set(audio)
  let seq = 0
  for (let i = 0; i < padded.length; i += size)
    port.fromPage({
      type: 'audio',
      seq: seq++,
      samples: toPcm16(padded.subarray(i, i + size)),
      capturedAtMs: 1,
    })
  // Acks come as the session accepts audio; the final transcript once the server answered it.
  const final = (): boolean => port.events.some((e) => e.kind === 'transcript' && e.final)
  while (port.events.filter((e) => e.kind === 'ack').length < seq || !final()) await sleep(10)
  const api = createTritonApi({ url: draft.url })
  const regions = Object.keys(await api.systemSharedMemoryStatus())
  api.close()
  const summary = await core.handlers['session:stop'](plan.sessionId)
  await sleep(10)
  const finals = port.events.flatMap((e) => (e.kind === 'transcript' && e.final ? [e.text] : []))
  const notices = port.events.flatMap((e) => (e.kind === 'notice' ? [e.message] : []))
  return { plan, summary, finals, notices, regions }
}

describe("the endpoint's transport choice, through the app's core", () => {
  it('sends gRPC unary calls with shared memory, and tells once when the server refuses it', async () => {
    const run = await speak(
      {
        name: 'strict',
        url: strict.url,
        transport: { mode: 'unary', sharedMemory: 'system' },
      },
      'unary and refused',
    )
    expect(run.plan.transport).toBe('gRPC unary + shm')
    expect(run.finals).toEqual(['unary and refused'])
    expect(run.summary?.failures).toBe(0)
    expect(run.regions).toEqual([])
    expect(run.notices).toHaveLength(1)
    expect(run.notices[0]).toMatch(
      /^shared memory is off for this session, tensors travel as bytes over gRPC unary: .*\(start Triton with --allow-client-shm=true\)$/,
    )
  })

  it('puts tensors in shared memory over HTTP when the server allows it, with no notice', async () => {
    const run = await speak(
      { name: 'open http', url: open.httpUrl!, transport: { sharedMemory: 'system' } },
      'over http shm',
    )
    expect(run.plan.transport).toBe('HTTP + shm')
    expect(run.finals).toEqual(['over http shm'])
    expect(run.summary?.failures).toBe(0)
    // An input and an output region, registered for the session and gone after it.
    expect(run.regions).toHaveLength(2)
    expect(run.notices).toEqual([])
    const api = createTritonApi({ url: open.httpUrl! })
    expect(await api.systemSharedMemoryStatus()).toEqual({})
    api.close()
  })

  it('keeps the default, a gRPC stream without shared memory, when nothing is chosen', async () => {
    const run = await speak({ name: 'plain', url: open.url }, 'the default')
    expect(run.plan.transport).toBe('gRPC stream')
    expect(run.finals).toEqual(['the default'])
    expect(run.regions).toEqual([])
  })

  it("times streamed requests out at the endpoint's answer deadline instead of the source's", async () => {
    // Each answer takes 1.5 s; the endpoint allows 0.3 s, where a microphone alone waits 10 s.
    const slow = await startDemoEndpoint({ port: 0, metricsPort: null, delayMs: 1500 })
    try {
      const saved = await core.handlers['endpoints:save']({
        name: 'impatient',
        url: slow.url,
        answerDeadlineMs: 300,
      })
      expect(saved.answerDeadlineMs).toBe(300)
      const plan = await core.handlers['session:start']({
        endpointId: saved.id,
        model: MODEL,
        source: 'microphone',
        chunkMs: 250,
        nonce: 'd'.repeat(32),
      })
      const port = ports.get(plan.sessionId)!
      const size = plan.audio!.chunkSamples
      port.fromPage({ type: 'audio', seq: 0, samples: new Int16Array(size), capturedAtMs: 1 })
      const late = (): string | undefined =>
        port.events.flatMap((e) =>
          e.kind === 'status' && e.state === 'reconnecting' && e.error ? [e.error.message] : [],
        )[0]
      while (!late()) await sleep(20)
      expect(late()).toMatch(/did not answer request \S+ within 0\.3 s$/)
      await core.handlers['session:stop'](plan.sessionId)
    } finally {
      await slow.close()
    }
  })
})
