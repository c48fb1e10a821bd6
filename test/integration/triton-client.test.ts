import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { modelConfigOf } from '../../src/main/demo-endpoint/demo-control'
import { toneStreamingTranscriber, type DemoModel } from '../../src/main/demo-endpoint/demo-models'
import { startDemoEndpoint, type DemoEndpoint } from '../../src/main/demo-endpoint/demo-server'
import { encodeToneText } from '../../src/main/demo-endpoint/tone-text-codec'
import { sequenceParameters } from '../../src/main/triton/infer-messages'
import { bytesToStrings } from '../../src/main/triton/tensor-codec'
import { TritonClient } from '../../src/main/triton/triton-client'
import { TritonError } from '../../src/main/triton/triton-error'

let demo: DemoEndpoint
let client: TritonClient

beforeAll(async () => {
  demo = await startDemoEndpoint({ port: 0, metricsPort: 0 })
  client = new TritonClient({ url: demo.url, timeoutMs: 5000 })
})

afterAll(async () => {
  client.close()
  await demo.close()
})

function wavInputs(samples: Float32Array) {
  return [
    { name: 'WAV', datatype: 'FP32' as const, shape: [1, samples.length], data: samples },
    {
      name: 'WAV_LENS',
      datatype: 'INT32' as const,
      shape: [1, 1],
      data: new Int32Array([samples.length]),
    },
  ]
}

describe('TritonClient against the demo endpoint over loopback', () => {
  it('reports the server live, ready and its metadata', async () => {
    expect(await client.serverLive()).toBe(true)
    expect(await client.serverReady()).toBe(true)
    const meta = await client.serverMetadata()
    expect(meta.name).toBe('triton-live-demo')
    expect(meta.extensions).toContain('sequence')
    expect(meta.extensions).toContain('statistics')
  })

  it('lists the repository index with every model ready', async () => {
    const models = await client.repositoryIndex()
    expect(models.map((m) => m.name)).toEqual([
      'tone-transcriber-streaming',
      'tone-transcriber-offline',
      'word-splitter-decoupled',
      'color-box-detector-yolov8',
      'color-box-detector-e2e',
      'color-box-detector-efficientnms',
    ])
    expect(new Set(models.map((m) => m.state))).toEqual(new Set(['READY']))
  })

  it('returns metadata with the batch dimension as -1 and config with sequence batching', async () => {
    const meta = await client.modelMetadata('tone-transcriber-streaming')
    expect(meta.inputs.map((i) => [i.name, i.datatype, i.shape.map(Number)])).toEqual([
      ['WAV', 'FP32', [-1, -1]],
      ['WAV_LENS', 'INT32', [-1, 1]],
    ])
    const config = await client.modelConfig('tone-transcriber-streaming')
    expect(config.scheduling_choice).toBe('sequence_batching')
    expect(config.input[0].data_type).toBe('TYPE_FP32')
    expect(config.output[0].data_type).toBe('TYPE_STRING')
    expect(await client.modelReady('tone-transcriber-streaming')).toBe(true)
    expect(await client.modelReady('no-such-model')).toBe(false)
  })

  it('gives a not-found error that names the unknown model', async () => {
    const err = await client.modelMetadata('no-such-model').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TritonError)
    expect((err as TritonError).kind).toBe('not-found')
    expect((err as TritonError).message).toContain("'no-such-model'")
  })

  it('runs a unary inference on the offline transcriber', async () => {
    const audio = encodeToneText('unary works')
    const result = await client.infer({
      model: 'tone-transcriber-offline',
      inputs: [
        {
          name: 'TEXT_PREFIX',
          datatype: 'BYTES',
          shape: [1, 1],
          data: ['<|startoftranscript|><|en|><|transcribe|><|notimestamps|>'],
        },
        ...wavInputs(audio),
      ],
    })
    const out = result.outputs.get('TRANSCRIPTS')
    expect(out).toBeDefined()
    expect(bytesToStrings(out!)).toEqual(['unary works'])
  })

  it('rejects a dtype mismatch with the input name and both types', async () => {
    const err = await client
      .infer({
        model: 'tone-transcriber-offline',
        inputs: [
          { name: 'TEXT_PREFIX', datatype: 'BYTES', shape: [1, 1], data: [''] },
          { name: 'WAV', datatype: 'FP64', shape: [1, 2], data: new Float64Array(2) },
        ],
      })
      .catch((e: unknown) => e as TritonError)
    expect(err).toBeInstanceOf(TritonError)
    expect((err as TritonError).kind).toBe('invalid-argument')
    expect((err as TritonError).message).toContain("inference input 'WAV' data-type is 'FP64'")
  })

  it('names a required input that is missing even when the count matches', async () => {
    const err = await client
      .infer({
        model: 'tone-transcriber-offline',
        inputs: [
          {
            name: 'TEXT_PREFIX',
            datatype: 'BYTES',
            shape: [1, 1],
            data: ['<|startoftranscript|>'],
          },
          { name: 'WAV_LENS', datatype: 'INT32', shape: [1, 1], data: new Int32Array([1]) },
        ],
      })
      .catch((e: unknown) => e as TritonError)
    expect((err as TritonError).kind).toBe('invalid-argument')
    expect((err as TritonError).message).toContain("missing required input(s) ['WAV']")
  })

  it('streams a sequence chunk by chunk and gets the cumulative transcript', async () => {
    const audio = encodeToneText('stream me')
    const stream = client.openStream()
    const chunk = 4000
    const texts: string[] = []
    const chunks = Math.ceil(audio.length / chunk)
    const pending: Promise<unknown>[] = []
    for (let i = 0; i < chunks; i++) {
      const part = audio.subarray(i * chunk, (i + 1) * chunk)
      pending.push(
        stream
          .infer({
            model: 'tone-transcriber-streaming',
            inputs: wavInputs(part),
            parameters: sequenceParameters({ id: 42, start: i === 0, end: i === chunks - 1 }),
          })
          .then((o) => texts.push(bytesToStrings(o.responses[0].outputs.get('TRANSCRIPTS')!)[0])),
      )
    }
    await Promise.all(pending)
    expect(texts).toHaveLength(chunks)
    expect(texts.at(-1)).toBe('stream me')
    expect('stream me'.startsWith(texts[Math.floor(chunks / 2)])).toBe(true)
    await stream.end()
  })

  it('sends string sequence ids as strings: a TYPE_STRING CORRID takes them, a UINT64 one refuses', async () => {
    const audio = encodeToneText('ok')
    const refused = await client
      .openStream()
      .infer({
        model: 'tone-transcriber-streaming',
        inputs: wavInputs(audio),
        parameters: sequenceParameters({ id: 'utterance-a', start: true, end: true }),
      })
      .catch((e: unknown) => e as TritonError)
    expect((refused as TritonError).message).toContain(
      "sequence batching control 'CORRID' data-type is 'BYTES', but model 'tone-transcriber-streaming' expects 'UINT64'",
    )
    // The same transcriber with string correlation ids, as Triton 2.15+ allows (TYPE_STRING).
    const base = modelConfigOf(toneStreamingTranscriber)
    const strings: DemoModel = {
      ...toneStreamingTranscriber,
      name: 'tone-strings',
      config: {
        ...base,
        name: 'tone-strings',
        sequence_batching: {
          ...base.sequence_batching,
          control_input: [
            {
              name: 'CORRID',
              control: [{ kind: 'CONTROL_SEQUENCE_CORRID', data_type: 'TYPE_STRING' }],
            },
          ],
        },
      },
    }
    const server = await startDemoEndpoint({ port: 0, metricsPort: null, models: [strings] })
    const other = new TritonClient({ url: server.url })
    try {
      const stream = other.openStream()
      const o = await stream.infer({
        model: 'tone-strings',
        inputs: wavInputs(audio),
        parameters: sequenceParameters({ id: 'utterance-a', start: true, end: true }),
      })
      expect(bytesToStrings(o.responses[0].outputs.get('TRANSCRIPTS')!)).toEqual(['ok'])
      stream.cancel()
    } finally {
      other.close()
      await server.close()
    }
  })

  it('delivers a per-request error mid-stream and keeps the stream open', async () => {
    const stream = client.openStream()
    const audio = encodeToneText('a')
    const missingStart = stream
      .infer({
        model: 'tone-transcriber-streaming',
        inputs: wavInputs(audio),
        parameters: sequenceParameters({ id: 999, start: false }),
      })
      .catch((e: unknown) => e as TritonError)
    const after = stream.infer({
      model: 'tone-transcriber-streaming',
      inputs: wavInputs(audio),
      parameters: sequenceParameters({ id: 1000, start: true, end: true }),
    })
    const err = await missingStart
    expect(err).toBeInstanceOf(TritonError)
    expect((err as TritonError).kind).toBe('model-error')
    expect((err as TritonError).message).toContain('must specify the START flag')
    const ok = await after
    expect(bytesToStrings(ok.responses[0].outputs.get('TRANSCRIPTS')!)).toEqual(['a'])
    expect(stream.closed).toBe(false)
    await stream.end()
    expect(stream.closed).toBe(true)
  })

  it('collects several responses from the decoupled model up to the final flag', async () => {
    const stream = client.openStream({ decoupled: true })
    const seen: string[] = []
    const outcome = await stream.infer(
      {
        model: 'word-splitter-decoupled',
        inputs: [{ name: 'TEXT', datatype: 'BYTES', shape: [1], data: ['one two three'] }],
      },
      {
        onResponse: (r) =>
          r.outputs.get('WORD') && seen.push(bytesToStrings(r.outputs.get('WORD')!)[0]),
      },
    )
    expect(seen).toEqual(['one', 'two', 'three'])
    expect(outcome.responses).toHaveLength(3)
    expect(outcome.firstResponseMs).toBeLessThanOrEqual(outcome.latencyMs)
    stream.cancel()
  })

  it('refuses a unary call to a decoupled model with a clear reason', async () => {
    const err = await client
      .infer({
        model: 'word-splitter-decoupled',
        inputs: [{ name: 'TEXT', datatype: 'BYTES', shape: [1], data: ['x'] }],
      })
      .catch((e: unknown) => e as TritonError)
    expect((err as TritonError).kind).toBe('unsupported')
  })

  it('counts requests in ModelStatistics', async () => {
    const [stats] = await client.modelStatistics('tone-transcriber-offline')
    expect(stats.name).toBe('tone-transcriber-offline')
    expect(Number(stats.inference_stats?.success?.count)).toBeGreaterThanOrEqual(1)
    expect(Number(stats.inference_stats?.fail?.count)).toBeGreaterThanOrEqual(1)
    expect(BigInt(stats.inference_stats!.compute_infer!.ns)).toBeGreaterThan(0n)
  })

  it('unloads and loads a model through the repository API', async () => {
    await client.unloadModel('color-box-detector-e2e')
    const index = await client.repositoryIndex()
    expect(index.find((m) => m.name === 'color-box-detector-e2e')?.state).toBe('UNAVAILABLE')
    expect(await client.modelReady('color-box-detector-e2e')).toBe(false)
    await client.loadModel('color-box-detector-e2e')
    expect(await client.modelReady('color-box-detector-e2e')).toBe(true)
  })

  it('serves the metrics page in Prometheus text without GPU lines', async () => {
    const text = await (await fetch(demo.metricsUrl!)).text()
    expect(text).toContain(
      'nv_inference_request_success{model="tone-transcriber-offline",version="1"}',
    )
    expect(text).toContain('nv_cpu_utilization')
    expect(text).not.toContain('nv_gpu_')
  })

  it('explains a refused connection in one line', async () => {
    const dead = new TritonClient({ url: '127.0.0.1:1', timeoutMs: 2000 })
    const err = await dead.serverLive().catch((e: unknown) => e as TritonError)
    dead.close()
    expect((err as TritonError).kind).toBe('unreachable')
    expect((err as TritonError).toUserString()).toMatch(
      /cannot reach Triton at 127\.0\.0\.1:1.*check that the server is running/,
    )
  })
})

describe('memory reused between requests and answers', () => {
  /** Echoes its FP32 input, so every answer carries values only its own request had. */
  const echo: DemoModel = {
    name: 'echo',
    platform: 'demo',
    backend: 'triton-live-demo',
    maxBatchSize: 0,
    inputs: [{ name: 'x', datatype: 'FP32', dims: [-1] }],
    outputs: [{ name: 'y', datatype: 'FP32', dims: [-1] }],
    execute(inputs) {
      const x = inputs.get('x')?.data as Float32Array
      return [{ name: 'y', datatype: 'FP32', shape: [x.length], data: Float32Array.from(x) }]
    },
  }

  /** Answers the first, last and total of a large input: a torn request changes them. */
  const digest: DemoModel = {
    name: 'digest',
    platform: 'demo',
    backend: 'triton-live-demo',
    maxBatchSize: 0,
    inputs: [{ name: 'x', datatype: 'FP32', dims: [-1] }],
    outputs: [{ name: 'd', datatype: 'FP64', dims: [3] }],
    execute(inputs) {
      const x = inputs.get('x')?.data as Float32Array
      let sum = 0
      for (const v of x) sum += v
      return [
        {
          name: 'd',
          datatype: 'FP64',
          shape: [3],
          data: new Float64Array([x[0], x[x.length - 1], sum]),
        },
      ]
    },
  }

  it('sends every large request intact while its message buffer is reused for the next ones', async () => {
    const server = await startDemoEndpoint({ port: 0, metricsPort: null, models: [digest] })
    const c = new TritonClient({ url: server.url })
    try {
      const stream = c.openStream()
      const n = 256 * 1024
      const frames = Array.from({ length: 12 }, (_, i) => new Float32Array(n).fill(i + 1))
      frames.forEach((x, i) => (x[n - 1] = -(i + 1)))
      const pending = new Set<Promise<void>>()
      const got: number[][] = []
      for (const [i, x] of frames.entries()) {
        const p = stream
          .infer({
            model: 'digest',
            inputs: [{ name: 'x', datatype: 'FP32', shape: [n], data: x }],
          })
          .then(
            (a) =>
              void (got[i] = Array.from(a.responses[0].outputs.get('d')?.data as Float64Array)),
          )
        pending.add(p)
        void p.finally(() => pending.delete(p))
        if (pending.size >= 4) await Promise.race(pending)
      }
      await Promise.all(pending)
      expect(got).toEqual(frames.map((_, i) => [i + 1, -(i + 1), (i + 1) * (n - 2)]))
      await stream.end()
    } finally {
      c.close()
      await server.close()
    }
  })

  it('keeps decoded outputs their own values after many more answers arrive on the stream', async () => {
    const server = await startDemoEndpoint({ port: 0, metricsPort: null, models: [echo] })
    const c = new TritonClient({ url: server.url })
    try {
      const stream = c.openStream()
      // Lengths and ids of every size move the tensor to every alignment in its message.
      const sent = Array.from({ length: 48 }, (_, i) =>
        Float32Array.from({ length: 1 + ((i * 37) % 300) }, (_, k) => i * 1000 + k),
      )
      const answers = await Promise.all(
        sent.map((x) =>
          stream.infer({
            model: 'echo',
            inputs: [{ name: 'x', datatype: 'FP32', shape: [x.length], data: x }],
          }),
        ),
      )
      const got = answers.map((a) => a.responses[0].outputs.get('y')?.data as Float32Array)
      got.forEach((y, i) => expect(Array.from(y)).toEqual(Array.from(sent[i])))
      // Some of them were read in place, not copied: their memory is the whole message.
      expect(got.some((y) => y.buffer.byteLength > y.byteLength)).toBe(true)
      await stream.end()
    } finally {
      c.close()
      await server.close()
    }
  })
})
