import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SessionEvent } from '../../../src/shared/session-events'
import { encodeToneText } from '../../../src/main/demo-endpoint/tone-text-codec'
import { resolveModel } from '../../../src/main/sessions/model-plan'
import { rms, SILENCE_RMS } from '../../../src/main/sessions/pipelines/audio-chunk'
import { createAudioSession } from '../../../src/main/sessions/session-factory'
import { encodeWav16 } from '../../../src/main/media/wav-file'
import { streamFile } from '../../fixtures/stream-file'
import { createTransport } from '../../../src/main/transport/create-transport'
import { TritonClient } from '../../../src/main/triton/triton-client'
import { DemoProcess } from '../../fixtures/demo-process'

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'triton-live-restarts-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** A seeded generator, so "random moments" are the same moments on every run. */
function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a |= 0
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SENTENCES = [
  'alpha one',
  'bravo two',
  'charlie three',
  'delta four',
  'echo five',
  'foxtrot six',
  'golf seven',
  'hotel eight',
  'india nine',
  'juliet ten',
  'kilo eleven',
  'lima twelve',
  'mike thirteen',
  'november fourteen',
]

interface Speech {
  chunks: Float32Array[]
  /** Valid samples of each utterance, as the server must count them. */
  samples: Map<string, number>
  total: number
}

/**
 * Utterances padded to whole chunks and each followed by exactly the silence that ends it, so
 * every chunk belongs to an utterance with words and the server's count can be checked per text.
 */
function speech(texts: readonly string[], chunk: number, silenceChunks: number): Speech {
  const chunks: Float32Array[] = []
  const samples = new Map<string, number>()
  for (const text of texts) {
    const audio = encodeToneText(text)
    const spoken: Float32Array[] = []
    for (let i = 0; i < Math.ceil(audio.length / chunk); i++) {
      const part = new Float32Array(chunk)
      part.set(audio.subarray(i * chunk, (i + 1) * chunk))
      spoken.push(part)
    }
    // A last chunk that is mostly padding already counts as silence for the endpointer.
    let quiet = 0
    while (quiet < spoken.length && rms(spoken[spoken.length - 1 - quiet]) < SILENCE_RMS) quiet++
    const n = spoken.length + Math.max(0, silenceChunks - quiet)
    chunks.push(...spoken)
    for (let i = spoken.length; i < n; i++) chunks.push(new Float32Array(chunk))
    samples.set(text, n * chunk)
  }
  return { chunks, samples, total: chunks.length * chunk }
}

describe('a microphone session against a server killed with SIGKILL and restarted', () => {
  it('loses no sample and repeats no text over ten restarts at random moments', async () => {
    const server = new DemoProcess(join(root, 'sequences-1.jsonl'))
    await server.start()
    const client = new TritonClient({ url: server.url, timeoutMs: 2000 })
    const { profile } = await resolveModel(client, 'tone-transcriber-streaming')
    const rate = profile.audio!.sampleRate
    const chunk = Math.round(rate / 4)
    profile.audio = { ...profile.audio!, chunkSamples: chunk }
    const session = createAudioSession(
      { transport: createTransport(client), profile, workRoot: root },
      'microphone',
    )
    const events: SessionEvent[] = []
    const runningAt: number[] = []
    session.onDidEmit((e) => {
      events.push(e)
      if (e.kind === 'status' && e.state === 'running') runningAt.push(Date.now())
    })
    await session.start()
    // 0.8 s of silence after speech ends an utterance; with 0.25 s chunks the 4th silent one does.
    const input = speech(SENTENCES, chunk, 4)
    const random = mulberry32(7)
    const killAt = new Set<number>()
    while (killAt.size < 10) killAt.add(5 + Math.floor(random() * (input.chunks.length - 10)))
    const outages: Promise<void>[] = []
    for (let i = 0; i < input.chunks.length; i++) {
      if (killAt.has(i)) {
        // Each kill hits a session that is back in service, so these are ten outages, not one.
        await outages[outages.length - 1]
        while (session.state !== 'running') await sleep(10)
        await server.kill9()
        // The microphone keeps talking while the server is away.
        const downFor = 100 + Math.floor(random() * 700)
        outages.push(sleep(downFor).then(() => server.start()))
      }
      await session.push({
        samples: input.chunks[i],
        validSamples: chunk,
        startSec: (i * chunk) / rate,
        last: false,
        seq: i,
      })
      await sleep(5)
    }
    await Promise.all(outages)
    const finals = (): string[] =>
      events.flatMap((e) => (e.kind === 'transcript' && e.final ? [e.text] : []))
    for (let waited = 0; finals().length < SENTENCES.length && waited < 60_000; waited += 50)
      await sleep(50)
    const summary = await session.stop()
    client.close()

    expect(finals()).toEqual(SENTENCES)
    const completed = server.completedSequences()
    const byText = new Map<string, number[]>()
    for (const c of completed) byText.set(c.text, [...(byText.get(c.text) ?? []), c.samples])
    // For the note: how long after the server listened again the session was running.
    const back = server.listeningAt.slice(1).map((t) => (runningAt.find((r) => r >= t) ?? NaN) - t)
    console.log(`back in service after a restart (ms): ${back.join(' ')}`)
    expect([...byText.keys()].sort()).toEqual([...SENTENCES].sort())
    for (const [text, counts] of byText) {
      // A sequence may complete twice (its answer died with the server), never short.
      for (const n of counts) expect(n, text).toBe(input.samples.get(text))
    }
    const unique = [...byText.keys()].reduce((n, t) => n + (input.samples.get(t) ?? 0), 0)
    expect(unique).toBe(input.total)
    expect(summary.failures).toBe(0)
    expect(summary.unprocessed).toBeUndefined()
    expect(summary.reconnects).toBe(10)
    const states = events.flatMap((e) => (e.kind === 'status' ? [e.state] : []))
    expect(states.filter((s) => s === 'reconnecting').length).toBeGreaterThanOrEqual(
      summary.reconnects,
    )
    expect(states[states.length - 1]).toBe('stopped')
    await server.kill9()
  }, 120_000)
})

describe('Stop pressed while the server is away', () => {
  it('returns within its bound, keeps the untranscribed audio as a WAV, and that WAV transcribes later', async () => {
    const server = new DemoProcess(join(root, 'sequences-2.jsonl'))
    await server.start()
    const client = new TritonClient({ url: server.url, timeoutMs: 2000 })
    const { profile } = await resolveModel(client, 'tone-transcriber-streaming')
    const rate = profile.audio!.sampleRate
    const chunk = Math.round(rate / 4)
    profile.audio = { ...profile.audio!, chunkSamples: chunk }
    const session = createAudioSession(
      { transport: createTransport(client), profile, workRoot: root, drainTimeoutMs: 1500 },
      'microphone',
    )
    const events: SessionEvent[] = []
    session.onDidEmit((e) => events.push(e))
    await session.start()
    const said = speech(['heard before', 'said while away'], chunk, 4)
    const firstLength = said.samples.get('heard before')! / chunk
    const push = (i: number) =>
      session.push({
        samples: said.chunks[i],
        validSamples: chunk,
        startSec: (i * chunk) / rate,
        last: false,
        seq: i,
      })
    for (let i = 0; i < firstLength; i++) await push(i)
    while (!events.some((e) => e.kind === 'transcript' && e.final)) await sleep(10)
    await server.kill9()
    for (let i = firstLength; i < said.chunks.length; i++) await push(i)
    while (session.state !== 'reconnecting') await sleep(10)
    const summary = await session.stop()

    const finals = events.flatMap((e) => (e.kind === 'transcript' && e.final ? [e.text] : []))
    expect(finals).toEqual(['heard before'])
    const away = said.samples.get('said while away')!
    expect(summary.unprocessed?.audioSec).toBe(away / rate)
    expect(summary.unprocessed?.audioStartSec).toBe(said.samples.get('heard before')! / rate)
    const kept = summary.unprocessed!.keptAudioPath!
    expect(existsSync(kept)).toBe(true)
    // 16-bit PCM after a 44-byte header: exactly the samples that were not transcribed.
    expect(readFileSync(kept).length).toBe(44 + 2 * away)
    const last = events[events.length - 1]
    expect(last.kind === 'status' && last.state).toBe('stopped')

    // Nothing said is lost: with the server back, the kept audio gives the missing words.
    await server.start()
    const later = await streamFile(client, profile, kept)
    expect(
      later.results.flatMap((e) => (e.kind === 'transcript' && e.final ? [e.text] : [])),
    ).toEqual(['said while away'])
    const atServer = server.completedSequences().filter((c) => c.text !== '')
    expect(atServer.map((c) => c.text)).toEqual(['heard before', 'said while away'])
    client.close()
    await server.kill9()
  }, 60_000)
})

describe('a real-time file stream through the CLI against a server killed ten times', () => {
  it('resumes from the first unanswered chunk each time and exits 0 with the exact transcript', async () => {
    const server = new DemoProcess(join(root, 'sequences-3.jsonl'))
    await server.start()
    const rate = 16000
    const texts = SENTENCES.slice(0, 8)
    const input = speech(texts, 10240, 2)
    const pcm = new Float32Array(input.total)
    input.chunks.forEach((c, i) => pcm.set(c, i * 10240))
    const wav = join(root, 'talk.wav')
    writeFileSync(wav, encodeWav16(pcm, rate))
    const srt = join(root, 'talk.srt')
    const cli = spawn(
      process.execPath,
      [
        join(__dirname, '../../../bin/triton-live.js'),
        'stream',
        '--url',
        server.url,
        '--model',
        'tone-transcriber-streaming',
        '--file',
        wav,
        '--realtime',
        '--export',
        srt,
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    cli.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number>((r) => cli.once('exit', (code) => r(code ?? -1)))
    // The stream has started (the model resolved, the first channel open) before any kill.
    for (let w = 0; !stdout.includes('"state":"running"') && w < 500; w++) await sleep(20)
    const random = mulberry32(11)
    // Each "running" after the first is a reconnect.
    const reconnected = () => Math.max(0, (stdout.match(/"state":"running"/g) ?? []).length - 1)
    for (let k = 0; k < 10; k++) {
      await sleep(200 + Math.floor(random() * 600))
      await server.kill9()
      await sleep(100 + Math.floor(random() * 400))
      await server.start()
      while (reconnected() < k + 1) await sleep(20)
    }
    const code = await exited
    expect(stderr).not.toContain('gave up')
    expect(code, stderr).toBe(0)
    const finals = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { kind: string; final?: boolean; text?: string })
      .filter((e) => e.kind === 'transcript' && e.final)
    expect(finals.map((e) => e.text)).toEqual(texts)
    expect(reconnected()).toBe(10)
    const cues = readFileSync(srt, 'utf8')
    for (const t of texts) expect(cues).toContain(t)
    await server.kill9()
  }, 90_000)
})
