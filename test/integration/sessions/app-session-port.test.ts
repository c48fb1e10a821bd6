import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppCore } from '../../../src/main/app/app-core'
import { DEMO_ENDPOINT_ID } from '../../../src/main/app/endpoint-store'
import type { MainSessionPort } from '../../../src/main/app/session-port-link'
import { encodeToneText } from '../../../src/main/demo-endpoint/tone-text-codec'
import { toPcm16 } from '../../../src/shared/pcm16'
import type { SessionEvent } from '../../../src/shared/session-events'
import type { SessionEventsMessage } from '../../../src/shared/session-port'
import { testAppCore } from '../../fixtures/app-core'

/** Main's end of a session port, recording what it posts and letting the test speak as the page. */
class RecordingPort implements MainSessionPort {
  readonly events: SessionEvent[] = []
  messages = 0
  closed = false
  private listener: ((data: unknown) => void) | undefined
  post(message: SessionEventsMessage): void {
    this.messages++
    this.events.push(...message.events)
  }
  onMessage(listener: (data: unknown) => void): void {
    this.listener = listener
  }
  close(): void {
    this.closed = true
  }
  fromPage(data: unknown): void {
    this.listener?.(data)
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

let dir: string
let core: AppCore
const ports = new Map<string, RecordingPort>()
const nonces: string[] = []

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-app-'))
  core = testAppCore(dir, {
    saveFile: async (name) => join(dir, name),
    openSessionPort: (sessionId, nonce) => {
      nonces.push(nonce)
      const port = new RecordingPort()
      ports.set(sessionId, port)
      return port
    },
  })
})
afterAll(async () => {
  await core.dispose()
  rmSync(dir, { recursive: true, force: true })
})

describe("a microphone session over its own port, as the app's main process runs it", () => {
  it('takes validated audio from the page, acknowledges it, answers on the port and exports', async () => {
    const nonce = 'n'.repeat(32)
    const plan = await core.handlers['session:start']({
      endpointId: DEMO_ENDPOINT_ID,
      model: 'tone-transcriber-streaming',
      source: 'microphone',
      chunkMs: 250,
      nonce,
    })
    expect(nonces).toEqual([nonce])
    const port = ports.get(plan.sessionId)!
    expect(core.sessions.inUse(DEMO_ENDPOINT_ID, 'tone-transcriber-streaming')).toBe(true)
    const size = plan.audio!.chunkSamples
    const audio = encodeToneText('over the port')
    const padded = new Float32Array(Math.ceil(audio.length / size) * size + size * 5)
    padded.set(audio)
    // Hostile or broken messages first: none may reach the session, none may throw.
    port.fromPage({ type: 'audio', seq: 0, samples: [0.1, 0.2], capturedAtMs: 1 })
    port.fromPage({ type: 'audio', seq: -1, samples: new Int16Array(4), capturedAtMs: 1 })
    port.fromPage({ type: 'audio', seq: 0, samples: new Float32Array(4), capturedAtMs: 1 })
    port.fromPage({
      type: 'frame',
      seq: 0,
      rgb: new Uint8Array(3),
      width: 1,
      height: 1,
      sourceWidth: 1,
      sourceHeight: 1,
      capturedAtMs: 1,
    })
    port.fromPage({
      type: 'audio',
      seq: 0,
      samples: new Int16Array(48_000 * 61),
      capturedAtMs: 1,
    })
    port.fromPage('__proto__')
    let seq = 0
    for (let i = 0; i < padded.length; i += size)
      port.fromPage({
        type: 'audio',
        seq: seq++,
        samples: toPcm16(padded.subarray(i, i + size)),
        capturedAtMs: Date.now(),
      })
    while (port.events.filter((e) => e.kind === 'ack').length < seq) await sleep(10)
    const summary = await core.handlers['session:stop'](plan.sessionId)
    await sleep(10)
    const acks = port.events.flatMap((e) => (e.kind === 'ack' ? [e.seq] : []))
    expect(acks).toEqual([...Array(seq).keys()])
    const finals = port.events.flatMap((e) => (e.kind === 'transcript' && e.final ? [e.text] : []))
    expect(finals).toEqual(['over the port'])
    expect(summary?.failures).toBe(0)
    expect(summary?.requests).toBeGreaterThan(0)
    const last = port.events[port.events.length - 1]
    expect(last.kind === 'status' && last.state).toBe('stopped')
    // Events cross in batches, not one message each.
    expect(port.messages).toBeLessThan(port.events.length)
    expect(port.closed).toBe(true)
    expect(core.sessions.inUse(DEMO_ENDPOINT_ID, 'tone-transcriber-streaming')).toBe(false)

    const path = await core.handlers['session:export']({ sessionId: plan.sessionId, format: 'txt' })
    expect(readFileSync(path!, 'utf8')).toBe('over the port\n')
  })
})
