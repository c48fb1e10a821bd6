import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DetectionFrameEvent, TranscriptEvent } from '../../src/shared/results'
import { startDemoEndpoint, type DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'
import { encodeToneText } from '../../src/main/demo-endpoint/tone-text-codec'
import { resolveModel } from '../../src/main/sessions/model-plan'
import { streamFile } from '../fixtures/stream-file'
import { TritonClient } from '../../src/main/triton/triton-client'
import { TritonError } from '../../src/main/triton/triton-error'

const SAMPLE_TEXT = 'hello from triton live. the quick brown fox jumps over the lazy dog.'
const samples = join(__dirname, '../../resources/samples')

let demo: DemoEndpoint
let client: TritonClient
let dir: string

function writeWav16k(path: string, pcm: Float32Array): void {
  const raw = join(dir, 'tmp.f32')
  writeFileSync(raw, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength))
  execFileSync('ffmpeg', [
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-f',
    'f32le',
    '-ar',
    '16000',
    '-ac',
    '1',
    '-i',
    raw,
    path,
  ])
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-session-'))
  demo = await startDemoEndpoint({ port: 0, metricsPort: null })
  client = new TritonClient({ url: demo.url })
})

afterAll(async () => {
  client.close()
  await demo.close()
  rmSync(dir, { recursive: true, force: true })
})

async function run(model: string, path: string, maxFps?: number) {
  const { profile } = await resolveModel(client, model)
  const {
    results: events,
    records,
    summary,
  } = await streamFile(client, profile, path, 'fast', {
    maxFps,
  })
  const finals = events.filter((e): e is TranscriptEvent => e.kind === 'transcript' && e.final)
  const frames = events.filter((e): e is DetectionFrameEvent => e.kind === 'detections')
  return { events, records, finals, frames, summary }
}

describe('streaming a file end to end through the demo endpoint', () => {
  it('transcribes the sample WAV exactly with the streaming (sequence) model', async () => {
    const { finals, events, records } = await run(
      'tone-transcriber-streaming',
      join(samples, 'tone-text.wav'),
    )
    expect(finals.map((f) => f.text)).toEqual([SAMPLE_TEXT])
    const partials = events.filter((e) => e.kind === 'transcript' && !e.final) as TranscriptEvent[]
    expect(partials.length).toBeGreaterThan(3)
    expect(partials.every((p) => SAMPLE_TEXT.startsWith(p.text))).toBe(true)
    expect(records.every((r) => r.ok && r.latencyMs > 0)).toBe(true)
    expect(finals[0].startSec).toBe(0)
  })

  it('transcribes the 48 kHz FLAC exactly with the offline Whisper-style model', async () => {
    const { finals } = await run('tone-transcriber-offline', join(samples, 'tone-text-48k.flac'))
    expect(finals.map((f) => f.text)).toEqual([SAMPLE_TEXT])
  })

  it('splits two utterances at the silence between them, with their media times', async () => {
    const a = encodeToneText('first part')
    const b = encodeToneText('second part')
    const gap = new Float32Array(16000 * 2)
    const joined = new Float32Array(a.length + gap.length + b.length)
    joined.set(a)
    joined.set(b, a.length + gap.length)
    const path = join(dir, 'two.wav')
    writeWav16k(path, joined)
    for (const model of ['tone-transcriber-streaming', 'tone-transcriber-offline']) {
      const { finals } = await run(model, path)
      expect(finals.map((f) => f.text)).toEqual(['first part', 'second part'])
      expect(finals[0].utterance).toBe(0)
      expect(finals[1].utterance).toBe(1)
      expect(finals[1].startSec).toBeGreaterThan(a.length / 16000)
      expect(finals[1].startSec).toBeLessThan((a.length + gap.length) / 16000 + 0.1)
    }
  })

  it('hears the tones under espeak-ng speech and a sox tone, in an MP3', async () => {
    const speech = join(dir, 'speech.wav')
    execFileSync('espeak-ng', [
      '-w',
      speech,
      'this speech is not part of the transcript, only the tones are',
    ])
    const hum = join(dir, 'hum.wav')
    execFileSync('sox', [
      '-n',
      '-r',
      '16000',
      '-c',
      '1',
      hum,
      'synth',
      '6',
      'sine',
      '50',
      'vol',
      '0.05',
    ])
    const tones = join(dir, 'tones.wav')
    writeWav16k(tones, encodeToneText('mixed signals'))
    const mp3 = join(dir, 'mixed.mp3')
    execFileSync('ffmpeg', [
      '-nostdin',
      '-y',
      '-loglevel',
      'error',
      '-i',
      tones,
      '-i',
      speech,
      '-i',
      hum,
      '-filter_complex',
      '[1:a]aresample=16000,volume=0.25[s];[0:a][s][2:a]amix=inputs=3:duration=longest:normalize=0',
      '-ac',
      '1',
      '-b:a',
      '128k',
      mp3,
    ])
    const { finals } = await run('tone-transcriber-streaming', mp3)
    expect(finals.map((f) => f.text).join(' ')).toBe('mixed signals')
  })

  it('finds the sample video boxes on the frames it sends, in source pixels, with all three output forms', async () => {
    const truth = JSON.parse(readFileSync(join(samples, 'boxes.json'), 'utf8')) as {
      frames: Array<{
        frame: number
        boxes: Array<{ label: string; x: number; y: number; width: number; height: number }>
      }>
    }
    // The raw head (client-side NMS) sees every frame; the other two forms every fourth one.
    for (const [model, maxFps, sent] of [
      ['color-box-detector-yolov8', undefined, truth.frames.length],
      ['color-box-detector-e2e', 2.5, truth.frames.length / 4],
      ['color-box-detector-efficientnms', 2.5, truth.frames.length / 4],
    ] as const) {
      const { frames } = await run(model, join(samples, 'boxes.mp4'), maxFps)
      expect(frames).toHaveLength(sent)
      for (const f of frames) {
        const expected = truth.frames[f.frame].boxes
        expect(f.sourceWidth).toBe(640)
        expect(f.sourceHeight).toBe(360)
        expect(f.boxes.map((b) => b.label).sort()).toEqual(expected.map((b) => b.label).sort())
        for (const e of expected) {
          const got = f.boxes.find((b) => b.label === e.label)!
          expect(Math.abs(got.x - e.x)).toBeLessThanOrEqual(2)
          expect(Math.abs(got.y - e.y)).toBeLessThanOrEqual(2)
          expect(Math.abs(got.width - e.width)).toBeLessThanOrEqual(3)
          expect(Math.abs(got.height - e.height)).toBeLessThanOrEqual(3)
          expect(got.score).toBeGreaterThan(0.9)
        }
      }
    }
  })

  it('reports a model that rejects the input as request errors and keeps going', async () => {
    const { profile } = await resolveModel(client, 'tone-transcriber-offline')
    const broken = {
      ...profile,
      inputs: profile.inputs.map((i) =>
        i.name === 'WAV' ? { ...i, datatype: 'FP64' as const } : i,
      ),
    }
    const { results, summary } = await streamFile(client, broken, join(samples, 'tone-text.wav'))
    const errors = results.filter((e) => e.kind === 'request-error')
    expect(errors.length).toBeGreaterThan(0)
    expect(errors[0].kind === 'request-error' && errors[0].message).toContain("data-type is 'FP64'")
    // Each refused request is counted once, as a server error, and nothing else failed.
    expect(summary.outcomes['server-error']).toBe(errors.length)
    expect(summary.failures).toBe(errors.length)
  })

  it('fails with a media error that names a missing file', async () => {
    const { profile } = await resolveModel(client, 'tone-transcriber-streaming')
    const { events, summary } = await streamFile(client, profile, join(dir, 'nope.wav'))
    const last = events[events.length - 1]
    expect(last.kind === 'status' && last.state).toBe('failed')
    expect(last.kind === 'status' && last.error?.kind).toBe('media-not-found')
    expect(last.kind === 'status' && last.error?.message).toContain('nope.wav')
    expect(summary.requests).toBe(0)
  })

  it('points a model without audio or video inputs at single requests instead of streaming', async () => {
    const err = await resolveModel(client, 'word-splitter-decoupled').catch(
      (e: unknown) => e as TritonError,
    )
    expect(err).toBeInstanceOf(TritonError)
    expect((err as TritonError).message).toBe(
      "cannot stream to 'word-splitter-decoupled': its inputs (TEXT BYTES [1]) take no audio or video, so the app has no live view for it",
    )
    expect((err as TritonError).hint).toContain(
      'triton-live infer --model word-splitter-decoupled --input NAME=VALUE, or the Request view',
    )
  })
})
