import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { DemoProcess } from '../../fixtures/demo-process'

const run = promisify(execFile)
const ROOT = resolve(__dirname, '../../..')
const dir = mkdtempSync(join(tmpdir(), 'triton-live-memory-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const MB = 1024 * 1024

interface Sample {
  minute: number
  rss: number
  heap: number
}

describe('an hour of microphone audio, compressed in time', () => {
  it('grows RSS by less than 50 MB and keeps the heap flat once warm', async () => {
    const server = new DemoProcess(join(dir, 'sequences.jsonl'))
    await server.start()
    try {
      // Its own process with --expose-gc, so each sample is what the session keeps after a GC.
      const { stdout } = await run(
        join(ROOT, 'node_modules/.bin/tsx'),
        ['--expose-gc', join(ROOT, 'test/fixtures/hour-of-audio.ts'), server.url, '60'],
        { maxBuffer: 1 << 20 },
      )
      const lines = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
      const samples = lines.filter((l): l is Sample & Record<string, unknown> => 'rss' in l)
      const result = lines.find((l) => 'summary' in l) as {
        summary: { requests: number; failures: number }
        finals: number
      }
      expect(samples.map((s) => s.minute)).toEqual([0, 10, 20, 30, 40, 50, 60])
      expect(result.summary.failures).toBe(0)
      // 5625 requests of 0.64 s; a sentence and a second of silence every ~3.2 s.
      expect(result.summary.requests).toBe(5625)
      expect(result.finals).toBeGreaterThan(1000)
      const growth = samples[6].rss - samples[0].rss
      console.log(
        `RSS over one hour of audio: ${samples.map((s) => (s.rss / MB).toFixed(0)).join(' ')} MB; growth ${(growth / MB).toFixed(1)} MB`,
      )
      expect(growth).toBeLessThan(50 * MB)
      expect(samples[6].heap - samples[1].heap).toBeLessThan(5 * MB)
    } finally {
      await server.kill9()
    }
  }, 120_000)
})
