import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../../src/shared/session-events'
import { startDemoEndpoint, type DemoEndpoint } from '../../../src/main/demo-endpoint/demo-server'
import { encodeToneText } from '../../../src/main/demo-endpoint/tone-text-codec'
import { resolveModel } from '../../../src/main/sessions/model-plan'
import { createAudioSession } from '../../../src/main/sessions/session-factory'
import { createTransport } from '../../../src/main/transport/create-transport'
import { TritonClient } from '../../../src/main/triton/triton-client'

let demo: DemoEndpoint
let client: TritonClient
let root: string

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'triton-live-mic-'))
  demo = await startDemoEndpoint({ port: 0, metricsPort: null })
  client = new TritonClient({ url: demo.url })
})
afterAll(async () => {
  client.close()
  await demo.close()
  rmSync(root, { recursive: true, force: true })
})

function chunks(audio: Float32Array, size: number): Float32Array[] {
  const out: Float32Array[] = []
  for (let i = 0; i < audio.length; i += size) {
    const part = new Float32Array(size)
    part.set(audio.subarray(i, i + size))
    out.push(part)
  }
  return out
}

describe('a microphone session', () => {
  it('transcribes two utterances exactly and acknowledges every chunk it takes', async () => {
    const { profile } = await resolveModel(client, 'tone-transcriber-streaming')
    const session = createAudioSession(
      { transport: createTransport(client), profile, workRoot: root },
      'microphone',
    )
    const events: SessionEvent[] = []
    session.onDidEmit((e) => events.push(e))
    await session.start()
    const rate = profile.audio!.sampleRate
    const size = profile.audio!.chunkSamples
    const silence = new Float32Array(Math.round(rate * 1.2))
    const speech = [encodeToneText('first words'), silence, encodeToneText('second words'), silence]
    const all = new Float32Array(speech.reduce((n, s) => n + s.length, 0))
    let at = 0
    for (const s of speech) {
      all.set(s, at)
      at += s.length
    }
    let seq = 0
    for (const c of chunks(all, size)) {
      await session.push({
        samples: c,
        validSamples: c.length,
        startSec: (seq * size) / rate,
        last: false,
        seq: seq++,
      })
    }
    const summary = await session.stop()
    const finals = events.flatMap((e) => (e.kind === 'transcript' && e.final ? [e.text] : []))
    expect(finals).toEqual(['first words', 'second words'])
    const acks = events.flatMap((e) => (e.kind === 'ack' ? [e.seq] : []))
    expect(acks).toEqual([...Array(seq).keys()])
    expect(summary.outcomes['server-error'] + summary.outcomes.timeout).toBe(0)
    expect(summary.failures).toBe(0)
    expect(summary.unprocessed).toBeUndefined()
    const last = events[events.length - 1]
    expect(last.kind === 'status' && last.state).toBe('stopped')
  })
})
