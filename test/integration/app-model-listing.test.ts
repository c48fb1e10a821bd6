import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EndpointService } from '../../src/main/app/endpoint-service'
import { DEMO_ENDPOINT_ID } from '../../src/main/app/endpoint-store'
import { hasUnsafeCharacters } from '../../src/shared/safe-text'
import { HOSTILE_MODELS } from '../fixtures/hostile-models'
import { startHostileServer, type HostileServer } from '../fixtures/hostile-server'
import { testSecretStore } from '../fixtures/test-secret-store'

let dir: string
let server: HostileServer
let endpoints: EndpointService

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-listing-'))
  server = await startHostileServer()
  endpoints = new EndpointService({
    dataDir: dir,
    secrets: testSecretStore(),
    demoPorts: { port: 0, metricsPort: null },
  })
})

afterAll(async () => {
  await endpoints?.dispose()
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe("the app's model list (models:list)", () => {
  it('lists a model whose metadata or config is broken with its error, and every other model', async () => {
    const saved = await endpoints.save({ name: 'Hostile', url: server.url, timeoutMs: 5000 })
    const list = await endpoints.models(saved.id)
    expect(list.map((m) => m.name).sort()).toEqual(HOSTILE_MODELS.map((m) => m.name).sort())
    for (const m of HOSTILE_MODELS) {
      const row = list.find((r) => r.name === m.name)!
      if (m.listing === 'error') {
        expect(row.error?.message, m.name).toMatch(/\S/)
        // Server text, shown in one row: one clean, capped line.
        expect(hasUnsafeCharacters(row.error!.message), m.name).toBe(false)
        expect(row.error!.message.length, m.name).toBeLessThanOrEqual(600)
      } else {
        expect(row.error, m.name).toBeUndefined()
      }
    }
    expect(list.find((r) => r.name === 'meta-absurd-dims')?.error?.message).toContain(
      'dimension 3000000000000000000 is above 67108864',
    )
  })

  it("carries each demo model's description, so the rows say what it understands", async () => {
    const list = await endpoints.models(DEMO_ENDPOINT_ID)
    expect(list).toHaveLength(6)
    const asr = list.find((m) => m.name === 'tone-transcriber-streaming')
    expect(asr?.description).toMatch(/understands tone-coded audio only/)
    const detector = list.find((m) => m.name === 'color-box-detector-yolov8')
    expect(detector?.description).toMatch(/finds solid rectangles of six saturated colours/)
    expect(list.every((m) => m.description && !m.error)).toBe(true)
  })
})
