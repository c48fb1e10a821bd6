import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDemoEndpoint, type DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'
import { encodeToneText } from '../../src/main/demo-endpoint/tone-text-codec'
import { SystemSharedMemoryRegion } from '../../src/main/triton/system-shared-memory'
import { bytesToStrings, encodeTensor } from '../../src/main/triton/tensor-codec'
import { TritonClient } from '../../src/main/triton/triton-client'
import { TritonError } from '../../src/main/triton/triton-error'

let demo: DemoEndpoint
let client: TritonClient
let region: SystemSharedMemoryRegion

beforeAll(async () => {
  demo = await startDemoEndpoint({ port: 0, metricsPort: null })
  client = new TritonClient({ url: demo.url })
  region = new SystemSharedMemoryRegion(`triton_live_test_${process.pid}`, 1 << 20)
})

afterAll(async () => {
  region.destroy()
  client.close()
  await demo.close()
})

describe('system shared memory', () => {
  it('registers a region, infers from it by handle, lists it, and unregisters it', async () => {
    const prefix = encodeTensor({
      name: 'TEXT_PREFIX',
      datatype: 'BYTES',
      shape: [1, 1],
      data: ['<|startoftranscript|>'],
    })
    const audio = encodeToneText('by handle')
    const wav = encodeTensor({
      name: 'WAV',
      datatype: 'FP32',
      shape: [1, audio.length],
      data: audio,
    })
    region.write(prefix, 0)
    region.write(wav, 4096)
    await client.registerSystemSharedMemory({
      name: 'inputs',
      key: region.key,
      byteSize: region.byteSize,
    })
    const status = await client.systemSharedMemoryStatus()
    expect(status.inputs).toMatchObject({
      name: 'inputs',
      key: region.key,
      byte_size: String(region.byteSize),
    })
    const result = await client.infer({
      model: 'tone-transcriber-offline',
      inputs: [],
      sharedMemoryInputs: [
        {
          name: 'TEXT_PREFIX',
          datatype: 'BYTES',
          shape: [1, 1],
          region: 'inputs',
          byteSize: prefix.length,
        },
        {
          name: 'WAV',
          datatype: 'FP32',
          shape: [1, audio.length],
          region: 'inputs',
          byteSize: wav.length,
          offset: 4096,
        },
      ],
    })
    expect(bytesToStrings(result.outputs.get('TRANSCRIPTS')!)).toEqual(['by handle'])
    await client.unregisterSystemSharedMemory('inputs')
    expect(await client.systemSharedMemoryStatus()).toEqual({})
  })

  it('refuses a region whose size exceeds the object', async () => {
    const err = await client
      .registerSystemSharedMemory({
        name: 'too-big',
        key: region.key,
        byteSize: region.byteSize + 1,
      })
      .catch((e: unknown) => e as TritonError)
    expect(err).toBeInstanceOf(TritonError)
    expect((err as TritonError).message).toContain('exceeds the region size')
  })
})

describe('shared memory keys', () => {
  it('refuses a key that would leave the shared memory folder', async () => {
    const demo2 = await startDemoEndpoint({ port: 0, metricsPort: null })
    const c = new TritonClient({ url: demo2.url })
    const err = await c
      .registerSystemSharedMemory({ name: 'escape', key: '/../../etc/passwd', byteSize: 4 })
      .catch((e: unknown) => e as TritonError)
    c.close()
    await demo2.close()
    expect(err).toBeInstanceOf(TritonError)
    expect((err as TritonError).message).toContain("invalid shared memory key '/../../etc/passwd'")
  })
})
