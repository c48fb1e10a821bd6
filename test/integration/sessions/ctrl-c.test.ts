import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoEndpoint, type DemoEndpoint } from '../../../src/main/demo-endpoint/demo-server'
import { encodeToneText } from '../../../src/main/demo-endpoint/tone-text-codec'
import { encodeWav16 } from '../../../src/main/media/wav-file'
import { DemoProcess } from '../../fixtures/demo-process'
import { spawnCli } from '../../fixtures/built-app'

let demo: DemoEndpoint
let dir: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-ctrlc-'))
  demo = await startDemoEndpoint({ port: 0, metricsPort: null })
})
afterAll(async () => {
  await demo.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('Ctrl+C in the middle of an utterance', () => {
  it('drains: the utterance is ended, answered and exported, and the run says so', async () => {
    const wav = join(dir, 'long.wav')
    writeFileSync(
      wav,
      encodeWav16(encodeToneText('a long sentence that is cut short by the user'), 16000),
    )
    const srt = join(dir, 'cut.srt')
    const cli = spawnCli([
      'stream',
      '--url',
      demo.url,
      '--model',
      'tone-transcriber-streaming',
      '--file',
      wav,
      '--realtime',
      '--json',
      '--export',
      srt,
    ])
    let stdout = ''
    let interrupted = false
    cli.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      // Interrupt once the first words are in: mid-utterance by construction.
      if (!interrupted && /"final":false,"text":"a long/.test(stdout)) {
        interrupted = true
        cli.kill('SIGINT')
      }
    })
    const code = await new Promise<number>((r) => cli.once('exit', (c) => r(c ?? -1)))
    expect(interrupted).toBe(true)
    const events = stdout
      .split('\n')
      .filter(Boolean)
      .map(
        (l) =>
          JSON.parse(l) as {
            kind: string
            final?: boolean
            text?: string
            summary?: { failures: number }
          },
      )
    const finals = events.filter((e) => e.kind === 'transcript' && e.final)
    expect(finals).toHaveLength(1)
    const text = finals[0].text!
    // Cut short: a proper prefix of the sentence, ended on the server with sequence_end.
    expect('a long sentence that is cut short by the user'.startsWith(text)).toBe(true)
    expect(text.length).toBeLessThan('a long sentence that is cut short by the user'.length)
    expect(readFileSync(srt, 'utf8')).toContain(text)
    const summary = events.find((e) => e.kind === 'summary')!.summary!
    expect(summary.failures).toBe(0)
    expect(code).toBe(0)
  }, 60_000)
})

describe('Ctrl+C while the server is away', () => {
  it('keeps the untranscribed audio as a WAV beside the export, says how much, and exits 1', async () => {
    const server = new DemoProcess(join(dir, 'away.jsonl'))
    await server.start()
    const sentence = 'words the server never hears'
    const wav = join(dir, 'away.wav')
    writeFileSync(wav, encodeWav16(encodeToneText(sentence), 16000))
    const srt = join(dir, 'away.srt')
    const cli = spawnCli([
      'stream',
      '--url',
      server.url,
      '--model',
      'tone-transcriber-streaming',
      '--file',
      wav,
      '--realtime',
      '--json',
      '--export',
      srt,
    ])
    let stdout = ''
    let stderr = ''
    let phase: 'talking' | 'killing' | 'interrupted' = 'talking'
    cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    cli.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      if (phase === 'talking' && /"final":false/.test(stdout)) {
        phase = 'killing'
        void server.kill9()
      } else if (phase === 'killing' && /"state":"reconnecting"/.test(stdout)) {
        phase = 'interrupted'
        cli.kill('SIGINT')
      }
    })
    const code = await new Promise<number>((r) => cli.once('exit', (c) => r(c ?? -1)))
    expect(phase).toBe('interrupted')
    expect(code, stderr).toBe(1)
    const summary = stdout
      .split('\n')
      .filter(Boolean)
      .map(
        (l) => JSON.parse(l) as { kind: string; summary?: { unprocessed?: { audioSec: number } } },
      )
      .find((e) => e.kind === 'summary')?.summary
    const audioSec = summary?.unprocessed?.audioSec ?? 0
    expect(audioSec).toBeGreaterThan(0)
    const kept = join(dir, 'away.untranscribed.wav')
    expect(existsSync(kept)).toBe(true)
    // 16-bit PCM after a 44-byte header: exactly the audio the summary says was not transcribed.
    expect(readFileSync(kept).length).toBe(44 + 2 * Math.round(audioSec * 16000))
    expect(stderr).toContain(`${audioSec.toFixed(1)} s of audio from 0.0 s not transcribed`)
    expect(stderr).toContain(kept)
  }, 60_000)
})
