import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startDemoEndpoint } from '../../../src/main/demo-endpoint/demo-server'
import { resolveModel } from '../../../src/main/sessions/model-plan'
import { createAudioSession } from '../../../src/main/sessions/session-factory'
import { createTransport } from '../../../src/main/transport/create-transport'
import { TritonClient } from '../../../src/main/triton/triton-client'
import { TritonError } from '../../../src/main/triton/triton-error'

const root = mkdtempSync(join(tmpdir(), 'triton-live-failed-start-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('a session whose Start fails', () => {
  it('says why and leaves no folder, log or connection behind', async () => {
    // The model is learned while the server is up; it is gone by the time Start connects.
    const demo = await startDemoEndpoint({ port: 0, metricsPort: null })
    const client = new TritonClient({ url: demo.url })
    const { profile } = await resolveModel(client, 'tone-transcriber-streaming')
    await demo.close()
    try {
      const session = createAudioSession(
        { transport: createTransport(client), profile, workRoot: root, deadlineMs: 500 },
        'microphone',
      )
      expect(readdirSync(root)).toHaveLength(1)
      const err = await session.start().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(TritonError)
      expect((err as TritonError).kind).toBe('unreachable')
      expect(readdirSync(root)).toEqual([])
    } finally {
      client.close()
    }
  })
})
