import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppCore } from '../../src/main/app/app-core'
import { DEMO_ENDPOINT_ID } from '../../src/main/app/endpoint-store'
import { dispatchInvoke } from '../../src/main/app/ipc-dispatch'
import type { MainSessionPort } from '../../src/main/app/session-port-link'
import type { InvokeChannel, InvokeResults, Result, UserError } from '../../src/shared/ipc-contract'
import type { ModelProfile } from '../../src/shared/model-profile'
import { HOSTILE_MODELS } from '../fixtures/hostile-models'
import { startHostileServer } from '../fixtures/hostile-server'
import { testSecretStore } from '../fixtures/test-secret-store'

// The file-grant rule, through the same dispatch the window's IPC takes: a path from the
// window is honoured only if a dialog or a drop gave it in this run, or it is in the data folder.

const SAMPLES = resolve(__dirname, '../../resources/samples')
const DETECTOR = 'color-box-detector-yolov8'
const NONCE = 'n'.repeat(32)
const silentPort: MainSessionPort = {
  post: () => undefined,
  onMessage: () => undefined,
  close: () => undefined,
}
/** The page's side of the last port opened, to feed audio as the window would. */
let fromPage: (data: unknown) => void = () => undefined

let dir: string
let dataDir: string
let outside: string
let core: AppCore
let nextPick: string | undefined
const mediaUrls: string[] = []

function makeCore(): AppCore {
  return new AppCore({
    dataDir,
    workRoot: join(dir, 'sessions'),
    secrets: testSecretStore(),
    pickFile: async () => nextPick,
    mediaUrlFor: (path) => {
      mediaUrls.push(path)
      return `triton-media://file/${mediaUrls.length}`
    },
    saveFile: async () => undefined,
    openSessionPort: () => ({
      ...silentPort,
      onMessage: (listener) => (fromPage = listener),
    }),
    onBenchProgress: () => undefined,
    demoPorts: { port: 0, metricsPort: null },
  })
}

async function call<C extends InvokeChannel>(
  channel: C,
  payload: unknown,
  on: AppCore = core,
): Promise<Result<InvokeResults[C]>> {
  return dispatchInvoke(on.handlers, channel, payload)
}

function refusal(r: Result<unknown>): UserError {
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.value)}`)
  return r.error
}

async function pick(path: string, kind = 'media', on: AppCore = core): Promise<void> {
  nextPick = path
  expect(await call('files:pick', { kind }, on)).toEqual({ ok: true, value: path })
  nextPick = undefined
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-grants-'))
  dataDir = join(dir, 'data')
  outside = join(dir, 'outside')
  core = makeCore()
})
afterAll(async () => {
  await core.dispose()
  rmSync(dir, { recursive: true, force: true })
})

describe('a media file from the window', () => {
  it('is refused when no dialog or drop gave it, with the same line whether it exists or not', async () => {
    const existing = await call('session:start', {
      endpointId: DEMO_ENDPOINT_ID,
      model: DETECTOR,
      source: 'file',
      filePath: join(SAMPLES, 'boxes.mp4'),
      nonce: NONCE,
    })
    const missing = await call('session:start', {
      endpointId: DEMO_ENDPOINT_ID,
      model: DETECTOR,
      source: 'file',
      filePath: '/etc/shadow-nope',
      nonce: NONCE,
    })
    expect(refusal(existing)).toEqual({
      message: 'the media file was not chosen in this window',
      hint: 'choose it with "Choose file…" or drop it on the window',
      kind: 'forbidden',
    })
    expect(refusal(missing)).toEqual(refusal(existing))
    const bench = await call('bench:run', {
      endpointId: DEMO_ENDPOINT_ID,
      model: DETECTOR,
      mode: 'concurrency',
      durationSec: 1,
      filePath: '/etc/passwd',
    })
    expect(refusal(bench).kind).toBe('forbidden')
    expect(mediaUrls).toEqual([])
  })

  it('is played once the open dialog chose it, and a dropped file once the preload reported it', async () => {
    await pick(join(SAMPLES, 'boxes.mp4'))
    const r = await call('session:start', {
      endpointId: DEMO_ENDPOINT_ID,
      model: DETECTOR,
      source: 'file',
      filePath: join(SAMPLES, 'boxes.mp4'),
      pace: 'fast',
      nonce: NONCE,
    })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.mediaKind).toBe('video')
    expect(mediaUrls).toEqual([join(SAMPLES, 'boxes.mp4')])
    await call('session:stop', r.value.sessionId)

    const wav = join(SAMPLES, 'tone-text.wav')
    expect(refusal(await call('files:dropped', { path: 'tone-text.wav' })).kind).toBe('forbidden')
    expect(await call('files:dropped', { path: wav })).toEqual({ ok: true, value: undefined })
    const audio = await call('session:start', {
      endpointId: DEMO_ENDPOINT_ID,
      model: 'tone-transcriber-streaming',
      source: 'file',
      filePath: wav,
      pace: 'fast',
      nonce: NONCE,
    })
    if (!audio.ok) throw new Error(audio.error.message)
    expect(audio.value.mediaKind).toBe('audio')
    await call('session:stop', audio.value.sessionId)
  })
})

describe("a profile's labelsFile", () => {
  let profile: ModelProfile

  beforeAll(async () => {
    const details = await call('models:details', { endpointId: DEMO_ENDPOINT_ID, model: DETECTOR })
    if (!details.ok) throw new Error(details.error.message)
    const { labels: _labels, ...rest } = details.value.profile!
    profile = rest
  })

  it('cannot name /etc/passwd, and a missing file reads the same', async () => {
    const save = (labelsFile: string) =>
      call('models:save-profile', {
        endpointId: DEMO_ENDPOINT_ID,
        model: DETECTOR,
        profile: { ...profile, labelsFile },
      })
    const passwd = refusal(await save('/etc/passwd'))
    expect(passwd).toEqual({
      message: 'the labels file was not chosen in this window',
      hint: 'choose it with "Choose labels file…" in the model profile',
      kind: 'forbidden',
    })
    expect(refusal(await save('/nonexistent/x'))).toEqual(passwd)
    const start = await call('session:start', {
      endpointId: DEMO_ENDPOINT_ID,
      model: DETECTOR,
      source: 'camera',
      profile: { ...profile, labelsFile: '/etc/passwd' },
      nonce: NONCE,
    })
    expect(refusal(start)).toEqual(passwd)
  })

  it('reads a chosen file, and the saved profile keeps it in the next run', async () => {
    const names = Array.from({ length: 80 }, (_, i) => `class-${i}`)
    const labels = join(outside, 'coco.names')
    rmSync(outside, { recursive: true, force: true })
    mkdirSync(outside, { recursive: true })
    writeFileSync(labels, names.join('\n') + '\n')
    await pick(labels, 'labels')
    const withFile = { ...profile, labelsFile: labels }
    const saved = await call('models:save-profile', {
      endpointId: DEMO_ENDPOINT_ID,
      model: DETECTOR,
      profile: withFile,
    })
    expect(saved.ok).toBe(true)
    const start = await call('session:start', {
      endpointId: DEMO_ENDPOINT_ID,
      model: DETECTOR,
      source: 'camera',
      nonce: NONCE,
    })
    if (!start.ok) throw new Error(start.error.message)
    expect(start.value.labels).toEqual(names)
    await call('session:stop', start.value.sessionId)

    // A new run over the same data folder: no grants, but the saved record may keep its path.
    const next = makeCore()
    try {
      const again = await call(
        'models:save-profile',
        {
          endpointId: DEMO_ENDPOINT_ID,
          model: DETECTOR,
          profile: { ...withFile, decoupled: false },
        },
        next,
      )
      expect(again.ok).toBe(true)
      const other = await call(
        'models:save-profile',
        {
          endpointId: DEMO_ENDPOINT_ID,
          model: DETECTOR,
          profile: { ...withFile, labelsFile: join(outside, 'other.names') },
        },
        next,
      )
      expect(refusal(other).kind).toBe('forbidden')
    } finally {
      await next.dispose()
    }
  })

  it('may name a file in the files folder of the app’s data folder, never the app’s own settings', async () => {
    const settings = await call('models:save-profile', {
      endpointId: DEMO_ENDPOINT_ID,
      model: DETECTOR,
      profile: { ...profile, labelsFile: join(dataDir, 'endpoints.json') },
    })
    expect(refusal(settings).kind).toBe('forbidden')
    const inData = join(dataDir, 'files', 'labels', 'mine.names')
    mkdirSync(join(dataDir, 'files', 'labels'), { recursive: true })
    writeFileSync(inData, 'a\nb\n')
    const r = await call('models:save-profile', {
      endpointId: DEMO_ENDPOINT_ID,
      model: DETECTOR,
      profile: { ...profile, labelsFile: inData },
    })
    expect(r.ok).toBe(true)
    await call('models:save-profile', {
      endpointId: DEMO_ENDPOINT_ID,
      model: DETECTOR,
      profile: null,
    })
  })
})

describe("an endpoint's TLS files", () => {
  it('are saved only when chosen in the dialog, and kept when the endpoint is saved again', async () => {
    const ca = join(dir, 'ca.pem')
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n')
    const draft = {
      name: 'secure',
      url: 'grpcs://triton.example:8001',
      tls: { enabled: true, caFile: ca, keyFile: '/etc/passwd' },
    }
    const typed = refusal(await call('endpoints:save', draft))
    // The key is checked after the CA: the first refusal names the CA file.
    expect(typed).toEqual({
      message: 'the TLS CA file was not chosen in this window',
      hint: 'choose it with its "Choose…" button',
      kind: 'forbidden',
    })
    await pick(ca, 'pem')
    expect(refusal(await call('endpoints:save', draft)).message).toBe(
      'the TLS key file was not chosen in this window',
    )
    const saved = await call('endpoints:save', { ...draft, tls: { enabled: true, caFile: ca } })
    if (!saved.ok) throw new Error(saved.error.message)

    const next = makeCore()
    try {
      const resave = await call(
        'endpoints:save',
        { ...draft, id: saved.value.id, name: 'renamed', tls: { enabled: true, caFile: ca } },
        next,
      )
      expect(resave.ok).toBe(true)
      const swapped = await call(
        'endpoints:save',
        {
          ...draft,
          id: saved.value.id,
          tls: { enabled: true, caFile: '/etc/ssl/private/key.pem' },
        },
        next,
      )
      expect(refusal(swapped).kind).toBe('forbidden')
      // Another endpoint cannot borrow the first one's kept path.
      const borrowed = await call(
        'endpoints:save',
        { ...draft, tls: { enabled: true, caFile: ca } },
        next,
      )
      expect(refusal(borrowed).kind).toBe('forbidden')
    } finally {
      await next.dispose()
    }
  })
})

describe('audio main kept when a session stopped with the server silent', () => {
  it('may be sent again from the window, as "Transcribe it now" does, and nothing beside it', async () => {
    const server = await startHostileServer({
      models: HOSTILE_MODELS.filter((m) => m.name === 'silence'),
    })
    try {
      const endpoint = await call('endpoints:save', { name: 'silent', url: server.url })
      if (!endpoint.ok) throw new Error(endpoint.error.message)
      const start = await call('session:start', {
        endpointId: endpoint.value.id,
        model: 'silence',
        source: 'microphone',
        nonce: NONCE,
      })
      if (!start.ok) throw new Error(start.error.message)
      const { chunkSamples } = start.value.audio!
      for (let seq = 0; seq < 3; seq++) {
        fromPage({ type: 'audio', seq, samples: new Int16Array(chunkSamples), capturedAtMs: 1 })
      }
      const stopped = await call('session:stop', start.value.sessionId)
      if (!stopped.ok) throw new Error(stopped.error.message)
      const kept = stopped.value?.unprocessed?.keptAudioPath
      expect(kept).toMatch(/untranscribed-from-0\.0s\.wav$/)
      expect(core.files.allows(kept!)).toBe(true)
      expect(core.files.allows(join(kept!, '..', 'results.jsonl'))).toBe(false)
      const again = await call('session:start', {
        endpointId: DEMO_ENDPOINT_ID,
        model: 'tone-transcriber-streaming',
        source: 'file',
        filePath: kept,
        pace: 'fast',
        nonce: NONCE,
      })
      if (!again.ok) throw new Error(again.error.message)
      expect(again.value.mediaKind).toBe('audio')
      await call('session:stop', again.value.sessionId)
    } finally {
      await server.close()
    }
  })
})
