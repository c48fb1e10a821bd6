import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppCore } from '../../src/main/app/app-core'
import { DEMO_ENDPOINT_ID } from '../../src/main/app/endpoint-store'
import { dispatchInvoke } from '../../src/main/app/ipc-dispatch'
import type { ModelProfile } from '../../src/shared/model-profile'
import {
  MAX_REQUEST_FILE_BYTES,
  MAX_REQUEST_VALUE_CHARS,
  type RequestResponseEvent,
} from '../../src/shared/single-request'
import { testAppCore } from '../fixtures/app-core'

let dir: string
let core: AppCore
let nextPick: string | undefined
const streamed: Array<RequestResponseEvent & { settled: boolean }> = []
let settled = false
const portsOpened: string[] = []

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-app-requests-'))
  core = testAppCore(dir, {
    pickFile: async () => nextPick,
    openSessionPort: (sessionId) => {
      portsOpened.push(sessionId)
      return { post: () => undefined, onMessage: () => undefined, close: () => undefined }
    },
    onInferResponse: (e) => streamed.push({ ...e, settled }),
  })
})
afterAll(async () => {
  await core.dispose()
  rmSync(dir, { recursive: true, force: true })
})

const infer = (payload: unknown) => dispatchInvoke(core.handlers, 'models:infer', payload)

/** A streaming ASR profile whose only input is a constant: no audio could ever become a request. */
const constantOnly: ModelProfile = {
  model: 'tone-transcriber-streaming',
  kind: 'streaming-asr',
  inputs: [{ name: 'WAV', datatype: 'FP32', shape: [1, 16], source: 'constant', value: 0 }],
  audio: { sampleRate: 16000, chunkSamples: 1600 },
}

describe("the app's Request view, through main's validated IPC table", () => {
  it("streams the word splitter's responses to the window before the request settles", async () => {
    settled = false
    const r = await infer({
      endpointId: DEMO_ENDPOINT_ID,
      model: 'word-splitter-decoupled',
      requestId: 'req-00000001',
      inputs: [{ name: 'TEXT', value: { kind: 'text', text: 'one two three' } }],
    })
    settled = true
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.decoupled).toBe(true)
    expect(r.value.responses.map((x) => x.outputs[0].values[0])).toEqual(['one', 'two', 'three'])
    const mine = streamed.filter((e) => e.requestId === 'req-00000001')
    const words = mine.flatMap((e) => e.responses.map((x) => x.outputs[0].values[0]))
    expect(words).toEqual(['one', 'two', 'three'])
    expect(mine.every((e) => !e.settled)).toBe(true)
  })

  it('reads a file input only when the user picked it in the dialog', async () => {
    // Outside the app's data folder, whose files are the app's own.
    const elsewhere = mkdtempSync(join(tmpdir(), 'triton-live-request-input-'))
    const file = join(elsewhere, 'words.txt')
    writeFileSync(file, 'from a file')
    const request = {
      endpointId: DEMO_ENDPOINT_ID,
      model: 'word-splitter-decoupled',
      requestId: 'req-00000002',
      inputs: [{ name: 'TEXT', value: { kind: 'file', path: file } }],
    }
    const refused = await infer(request)
    expect(refused.ok).toBe(false)
    if (!refused.ok) {
      expect(refused.error.kind).toBe('forbidden')
      expect(refused.error.message).toBe("a request's input file was not chosen in this window")
    }
    nextPick = file
    const picked = await dispatchInvoke(core.handlers, 'files:pick', { kind: 'data' })
    expect(picked).toEqual({ ok: true, value: file })
    const r = await infer(request)
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.responses.map((x) => x.outputs[0].values[0])).toEqual(['from', 'a', 'file'])
    rmSync(elsewhere, { recursive: true, force: true })
  })

  it('refuses an oversized or broken input file with a line that says what to do', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'triton-live-request-input-'))
    const sendFile = async (name: string, bytes: Uint8Array, size?: number) => {
      const file = join(elsewhere, name)
      writeFileSync(file, bytes)
      // Sparse past the limit: nothing is written to disk, and the app must read nothing.
      if (size !== undefined) truncateSync(file, size)
      nextPick = file
      await dispatchInvoke(core.handlers, 'files:pick', { kind: 'data' })
      const r = await infer({
        endpointId: DEMO_ENDPOINT_ID,
        model: 'word-splitter-decoupled',
        requestId: 'req-00000005',
        inputs: [{ name: 'TEXT', value: { kind: 'file', path: file } }],
      })
      return r.ok ? r.value : r.error
    }
    try {
      expect(await sendFile('big.bin', new Uint8Array(0), MAX_REQUEST_FILE_BYTES + 1)).toEqual({
        kind: 'too-large',
        message: 'big.bin has 268435457 bytes, more than the 268435456 an input may take',
        hint: 'choose a smaller file',
      })
      // A .npy whose header was cut off: NumPy's magic, then too few bytes.
      const cut = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0x76, 0, 0x7b])
      expect(await sendFile('cut.npy', cut)).toEqual({
        kind: 'invalid-argument',
        message: 'cut.npy: the .npy header is cut short',
        hint: 'save the array again with numpy.save',
      })
    } finally {
      rmSync(elsewhere, { recursive: true, force: true })
    }
  })

  it('refuses an oversized value or a malformed input at the IPC boundary', async () => {
    const huge = await infer({
      endpointId: DEMO_ENDPOINT_ID,
      model: 'word-splitter-decoupled',
      requestId: 'req-00000003',
      inputs: [
        { name: 'TEXT', value: { kind: 'json', text: 'x'.repeat(MAX_REQUEST_VALUE_CHARS + 1) } },
      ],
    })
    expect(huge.ok === false && huge.error.kind).toBe('invalid-payload')
    const bad = await infer({
      endpointId: DEMO_ENDPOINT_ID,
      model: 'word-splitter-decoupled',
      requestId: 'req-00000004',
      inputs: [{ name: 'TEXT', value: { kind: 'shell', text: 'rm' } }],
    })
    expect(bad.ok === false && bad.error.kind).toBe('invalid-payload')
  })

  it('starts the profile editor of a generic model from its own inputs', async () => {
    const r = await dispatchInvoke(core.handlers, 'models:details', {
      endpointId: DEMO_ENDPOINT_ID,
      model: 'word-splitter-decoupled',
    })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.profile).toBeUndefined()
    expect(r.value.profileTemplate?.inputs).toEqual([
      { name: 'TEXT', datatype: 'BYTES', shape: [1], source: 'constant', value: '' },
    ])
    expect(r.value.profileProblem).not.toContain('WAV_LENS')
  })
})

describe('a profile that can never produce a request', () => {
  it('is refused when the app saves it, naming the field to fix, and nothing is stored', async () => {
    const r = await dispatchInvoke(core.handlers, 'models:save-profile', {
      endpointId: DEMO_ENDPOINT_ID,
      model: 'tone-transcriber-streaming',
      profile: constantOnly,
    })
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.error.message).toContain(
        `the streaming-asr profile of 'tone-transcriber-streaming' has no input with "source": "audio" (it has WAV (constant))`,
      )
      expect(r.error.kind).toBe('invalid-argument')
    }
    expect(await core.endpoints.profiles.get(DEMO_ENDPOINT_ID, 'tone-transcriber-streaming')).toBe(
      undefined,
    )
  })

  it('fails a session start at once, before a port is opened', async () => {
    const r = await dispatchInvoke(core.handlers, 'session:start', {
      endpointId: DEMO_ENDPOINT_ID,
      model: 'tone-transcriber-streaming',
      source: 'microphone',
      profile: constantOnly,
      nonce: 'n'.repeat(32),
    })
    expect(r.ok === false && r.error.message).toContain(
      'no chunk of sound would ever become a request',
    )
    expect(portsOpened).toEqual([])
  })
})
