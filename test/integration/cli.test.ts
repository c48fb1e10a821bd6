import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoEndpoint, type DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'
import { runCli, type CliRun } from '../fixtures/built-app'

const SAMPLE_TEXT = 'hello from triton live. the quick brown fox jumps over the lazy dog.'

const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> => runCli(args, { env })

let demo: DemoEndpoint

beforeAll(async () => {
  demo = await startDemoEndpoint({ port: 0, metricsPort: null })
})

afterAll(async () => {
  await demo.close()
})

describe('the triton-live command line', () => {
  it('lists models under a header row, name first, with version, state, detected kind, preset and description', async () => {
    const r = await cli(['models', '--url', demo.url])
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(7)
    expect(lines[0]).toMatch(/^NAME\s+VERSION\s+STATE\s+KIND\s+PRESET\s+DESCRIPTION$/)
    expect(lines[1]).toMatch(
      /^tone-transcriber-streaming\s+1\s+READY\s+streaming-asr\s+-\s+Demo streaming transcriber \(sherpa-style\): understands tone…$/,
    )
    expect(lines.find((l) => l.startsWith('color-box-detector-efficientnms'))).toMatch(
      /detection\/efficient-nms\s+TensorRT EfficientNMS, 4 tensors/,
    )
  })

  it('reads the URL from TRITON_URL and reports health', async () => {
    const r = await cli(['health'], { TRITON_URL: demo.url })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/live=true ready=true\s+triton-live-demo/)
  })

  it('streams the sample file and prints the transcript and a latency summary', async () => {
    const r = await cli([
      'stream',
      '--url',
      demo.url,
      '--model',
      'tone-transcriber-streaming',
      '--file',
      'resources/samples/tone-text.wav',
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`] ${SAMPLE_TEXT}`)
    for (const row of [
      'Requests',
      'Successful',
      'Failed',
      'Success rate',
      'Throughput',
      'Latency p50',
      'Latency p95',
      'Latency p99',
      'Latency mean',
      'Latency min',
      'Latency max',
    ]) {
      expect(r.stdout).toContain(row)
    }
    expect(r.stdout).toMatch(/Success rate\s+100\.00%/)
  })

  it('prints one JSON object per line with --json, the summary last', async () => {
    const r = await cli([
      'stream',
      '--url',
      demo.url,
      '--model',
      'color-box-detector-e2e',
      '--file',
      'resources/samples/boxes.mp4',
      '--json',
    ])
    expect(r.code).toBe(0)
    const objects = r.stdout
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { kind: string; boxes?: unknown[]; summary?: { requests: number } },
      )
    const frames = objects.filter((o) => o.kind === 'detections')
    expect(frames).toHaveLength(40)
    expect(frames.every((f) => f.boxes?.length === 3)).toBe(true)
    expect(objects.at(-1)?.kind).toBe('summary')
    expect(objects.at(-1)?.summary?.requests).toBe(40)
  })

  it('says in one line that a connection was refused, and exits non-zero', async () => {
    const r = await cli([
      'stream',
      '--url',
      '127.0.0.1:1',
      '--model',
      'm',
      '--file',
      'resources/samples/tone-text.wav',
    ])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(
      /^triton-live: cannot reach Triton at 127\.0\.0\.1:1: connection refused \(check that the server is running/,
    )
  })

  it('names an unknown model', async () => {
    const r = await cli([
      'stream',
      '--url',
      demo.url,
      '--model',
      'nope',
      '--file',
      'resources/samples/tone-text.wav',
    ])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("Request for unknown model: 'nope' is not found")
    expect(r.stderr).toContain('triton-live models')
  })

  it('names a missing file before connecting', async () => {
    const r = await cli([
      'stream',
      '--url',
      demo.url,
      '--model',
      'tone-transcriber-streaming',
      '--file',
      'missing.wav',
    ])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^triton-live: media file not found: missing\.wav/)
  })

  it('rejects an invalid URL and a missing flag as usage errors', async () => {
    const bad = await cli(['health', '--url', 'ftp://host'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain("unsupported scheme 'ftp://'")
    const missing = await cli(['stream', '--url', demo.url])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('--model is required')
  })

  it('rejects a profile file that does not validate, naming the field', async () => {
    const r = await cli([
      'stream',
      '--url',
      demo.url,
      '--model',
      'tone-transcriber-streaming',
      '--file',
      'resources/samples/tone-text.wav',
      '--profile',
      'package.json',
    ])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/package\.json: (model|kind|inputs)/)
  })

  it('refuses a profile whose only input is a constant at once, with the field to fix, exit 1', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'triton-live-profile-')), 'constant-only.json')
    writeFileSync(
      file,
      JSON.stringify({
        model: 'tone-transcriber-streaming',
        kind: 'streaming-asr',
        inputs: [{ name: 'WAV', datatype: 'FP32', shape: [1, 16], source: 'constant', value: 0 }],
        audio: { sampleRate: 16000, chunkSamples: 1600 },
      }),
    )
    const r = await cli([
      'stream',
      '--url',
      demo.url,
      '--model',
      'tone-transcriber-streaming',
      '--file',
      'resources/samples/tone-text.wav',
      '--profile',
      file,
    ])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain(
      `triton-live: the streaming-asr profile of 'tone-transcriber-streaming' has no input with "source": "audio" (it has WAV (constant)), so no chunk of sound would ever become a request; give the tensor that takes it "source": "audio"`,
    )
  })

  it('gives the whole description of each model in --json', async () => {
    const r = await cli(['models', '--url', demo.url, '--json'])
    expect(r.code).toBe(0)
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; description: string })
    expect(rows.find((m) => m.name === 'word-splitter-decoupled')?.description).toBe(
      'Demo decoupled text model: takes a sentence in TEXT and answers once per word.',
    )
  })

  it('says the model answered with no text, and what it understands, after a silent file', async () => {
    const silence = join(mkdtempSync(join(tmpdir(), 'triton-live-silence-')), 'silence.wav')
    writeFileSync(silence, silentWav(16000, 2))
    const r = await cli([
      'stream',
      '--url',
      demo.url,
      '--model',
      'tone-transcriber-streaming',
      '--file',
      silence,
    ])
    expect(r.code).toBe(0)
    const tail = r.stdout.trim().split('\n').slice(-2)
    expect(tail[0]).toMatch(/^tone-transcriber-streaming answered \d+ times with no text\.$/)
    expect(tail[1]).toBe(
      'What it understands: Demo streaming transcriber (sherpa-style): understands tone-coded audio only (one sine tone per character, as in resources/samples/tone-text.wav), not speech: speech, music or silence give no text.',
    )
    const answered = Number(/answered (\d+) times/.exec(tail[0])?.[1])
    expect(r.stdout).toMatch(new RegExp(`Successful\\s+${answered}\\n`))
  })
})

/** A mono 16-bit PCM WAV of silence. */
function silentWav(rate: number, seconds: number): Buffer {
  const data = rate * seconds * 2
  const header = Buffer.alloc(44)
  header.write('RIFF', 0)
  header.writeUInt32LE(36 + data, 4)
  header.write('WAVEfmt ', 8)
  header.writeUInt32LE(16, 16)
  header.writeUInt16LE(1, 20)
  header.writeUInt16LE(1, 22)
  header.writeUInt32LE(rate, 24)
  header.writeUInt32LE(rate * 2, 28)
  header.writeUInt16LE(2, 32)
  header.writeUInt16LE(16, 34)
  header.write('data', 36)
  header.writeUInt32LE(data, 40)
  return Buffer.concat([header, Buffer.alloc(data)])
}
