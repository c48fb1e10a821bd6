import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../src/shared/ipc-contract'
import { AppServices } from '../../src/main/app/app-services'
import { startDemoEndpoint, type DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'
import { encodeToneText } from '../../src/main/demo-endpoint/tone-text-codec'
import { testSecretStore } from '../fixtures/test-secret-store'

const dir = mkdtempSync(join(tmpdir(), 'triton-live-reconnect-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('a microphone session over a link that drops', () => {
  it('queues audio while the server is away and replays it, so the transcript loses nothing', async () => {
    let demo: DemoEndpoint = await startDemoEndpoint({ port: 0, metricsPort: null })
    const port = demo.port
    const events: SessionEvent[] = []
    const services = new AppServices({
      dataDir: dir,
      secrets: testSecretStore(),
      pickFile: async () => undefined,
      saveFile: async () => undefined,
      mediaUrlFor: () => '',
      emit: (e) => events.push(e),
    })
    const saved = await services.handlers['endpoints:save']({
      name: 'on-prem',
      url: `127.0.0.1:${port}`,
      timeoutMs: 2000,
    })
    const plan = await services.handlers['session:start']({
      endpointId: saved.id,
      model: 'tone-transcriber-streaming',
      source: 'microphone',
      chunkMs: 250,
    })
    const rate = plan.audio!.sampleRate
    const chunk = plan.audio!.chunkSamples
    const text = 'the link came back and nothing was lost'
    const audio = encodeToneText(text)
    const chunks = Math.ceil(audio.length / chunk)
    for (let i = 0; i < chunks; i++) {
      const part = new Float32Array(chunk)
      part.set(audio.subarray(i * chunk, (i + 1) * chunk))
      services.pushAudio(plan.sessionId, part, Date.now())
      await sleep(20)
      if (i === Math.floor(chunks / 3)) {
        await demo.close()
      }
      if (i === Math.floor((2 * chunks) / 3)) {
        demo = await startDemoEndpoint({ port, metricsPort: null })
      }
    }
    // Trailing silence ends the utterance the way a speaker pausing would.
    for (let i = 0; i < Math.ceil((1.2 * rate) / chunk); i++)
      services.pushAudio(plan.sessionId, new Float32Array(chunk), Date.now())
    const deadline = Date.now() + 20_000
    while (!events.some((e) => e.kind === 'transcript' && e.final) && Date.now() < deadline)
      await sleep(100)
    await services.handlers['session:stop'](plan.sessionId)
    const states = events
      .filter((e) => e.kind === 'status')
      .map((e) => (e.kind === 'status' ? e.state : ''))
    expect(states).toContain('reconnecting')
    expect(states.indexOf('running', states.indexOf('reconnecting'))).toBeGreaterThan(
      states.indexOf('reconnecting'),
    )
    const finals = events
      .filter((e) => e.kind === 'transcript' && e.final)
      .map((e) => (e.kind === 'transcript' ? e.text : ''))
    expect(finals).toEqual([text])
    await services.dispose()
    await demo.close()
  }, 60_000)
})
