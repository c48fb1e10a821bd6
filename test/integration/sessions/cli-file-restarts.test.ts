import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeWav16 } from '../../../src/main/media/wav-file'
import { DemoProcess } from '../../fixtures/demo-process'
import { mulberry32, SENTENCES, sleep, speech } from '../../fixtures/spoken-audio'
import { spawnCli } from '../../fixtures/built-app'

let root: string
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'triton-live-cli-file-restarts-'))
})
afterAll(() => rmSync(root, { recursive: true, force: true }))

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
    const cli = spawnCli([
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
    ])
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
    const answers = () => (stdout.match(/"kind":"transcript"/g) ?? []).length
    let exitedEarly = false
    void exited.then(() => (exitedEarly = true))
    // Kills follow the media, not the clock: each one after the stream has made progress since
    // the last reconnect, so a busy machine changes the timing but not what is tested.
    for (let k = 0; k < 10 && !exitedEarly; k++) {
      // One new piece of text since the last kill: the file is about 25 such pieces long.
      const before = answers()
      while (answers() <= before && !exitedEarly) await sleep(20)
      await server.kill9()
      await sleep(100 + Math.floor(random() * 400))
      await server.start()
      while (reconnected() < k + 1 && !exitedEarly) await sleep(20)
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
    // Counted at the server: every utterance arrived whole (a sequence whose answer died with
    // the server may complete twice, never short), and together they are the whole file.
    const byText = new Map<string, number[]>()
    for (const c of server.completedSequences())
      if (c.text !== '') byText.set(c.text, [...(byText.get(c.text) ?? []), c.samples])
    expect([...byText.keys()].sort()).toEqual([...texts].sort())
    for (const [text, counts] of byText)
      for (const n of counts) expect(n, text).toBe(input.samples.get(text))
    await server.kill9()
  }, 90_000)
})
