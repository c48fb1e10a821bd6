// Loopback benchmark of the client against the built-in demo endpoint. Every comparison is
// measured side by side in one run and printed with its ratio; nothing here asserts a time.
import { performance } from 'node:perf_hooks'
import { startDemoEndpoint } from '../src/main/demo-endpoint/demo-server'
import { encodeToneText } from '../src/main/demo-endpoint/tone-text-codec'
import { LatencyRecorder } from '../src/main/metrics/latency-histogram'
import { sequenceParameters } from '../src/main/triton/infer-messages'
import { decodeTensor, encodeTensor, type Tensor } from '../src/main/triton/tensor-codec'
import { TritonClient } from '../src/main/triton/triton-client'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 400)

function row(label: string, r: LatencyRecorder, wallSec: number): string {
  const s = r.summary(wallSec)
  return `${label.padEnd(48)} n=${String(s.successes).padStart(5)}  p50 ${s.p50Ms.toFixed(2).padStart(7)} ms  p95 ${s.p95Ms
    .toFixed(2)
    .padStart(
      7,
    )} ms  p99 ${s.p99Ms.toFixed(2).padStart(7)} ms  ${s.throughput.toFixed(0).padStart(6)} req/s`
}

async function main(): Promise<void> {
  const demo = await startDemoEndpoint({ port: 0, metricsPort: null })
  const client = new TritonClient({ url: demo.url })
  const chunk = encodeToneText('benchmark').subarray(0, 10240)
  const wav = (samples: Float32Array): Tensor[] => [
    { name: 'WAV', datatype: 'FP32', shape: [1, samples.length], data: samples },
    { name: 'WAV_LENS', datatype: 'INT32', shape: [1, 1], data: new Int32Array([samples.length]) },
  ]
  const prefix: Tensor = {
    name: 'TEXT_PREFIX',
    datatype: 'BYTES',
    shape: [1, 1],
    data: ['<|startoftranscript|>'],
  }
  const image: Tensor = {
    name: 'images',
    datatype: 'FP32',
    shape: [1, 3, 640, 640],
    data: new Float32Array(3 * 640 * 640).fill(0.45),
  }
  await client.serverLive()

  console.log(`loopback against the demo endpoint at ${demo.url}, ${ROUNDS} requests per line\n`)

  // 1. The same offline-ASR request, unary ModelInfer against one ModelStreamInfer.
  const unary = new LatencyRecorder()
  let t = performance.now()
  for (let i = 0; i < ROUNDS; i++) {
    const s = performance.now()
    await client.infer({ model: 'tone-transcriber-offline', inputs: [prefix, ...wav(chunk)] })
    unary.record(performance.now() - s)
  }
  const unaryWall = (performance.now() - t) / 1000
  const streamRec = new LatencyRecorder()
  const stream = client.openStream()
  t = performance.now()
  for (let i = 0; i < ROUNDS; i++) {
    // Timed from the caller's side, as the unary line is, so both include building the request.
    const s = performance.now()
    await stream.infer({ model: 'tone-transcriber-offline', inputs: [prefix, ...wav(chunk)] })
    streamRec.record(performance.now() - s)
  }
  const streamWall = (performance.now() - t) / 1000
  console.log(row('offline ASR 0.64 s chunk, unary ModelInfer', unary, unaryWall))
  console.log(row('offline ASR 0.64 s chunk, ModelStreamInfer', streamRec, streamWall))
  console.log(
    `  stream/unary p50 ratio ${(streamRec.percentile(50) / unary.percentile(50)).toFixed(2)}x\n`,
  )

  // 2. Streaming ASR chunks on one sequence: one at a time against pipelined (4 in flight).
  for (const inFlight of [1, 4]) {
    const rec = new LatencyRecorder()
    const pending = new Set<Promise<void>>()
    t = performance.now()
    for (let i = 0; i < ROUNDS; i++) {
      const p = stream
        .infer({
          model: 'tone-transcriber-streaming',
          inputs: wav(chunk),
          parameters: sequenceParameters({
            id: 7000 + inFlight,
            start: i === 0,
            end: i === ROUNDS - 1,
          }),
        })
        .then((o) => rec.record(o.latencyMs))
      pending.add(p)
      void p.finally(() => pending.delete(p))
      if (pending.size >= inFlight) await Promise.race(pending)
    }
    await Promise.all(pending)
    const wall = (performance.now() - t) / 1000
    console.log(row(`streaming ASR sequence, ${inFlight} in flight`, rec, wall))
    if (inFlight === 4)
      console.log(
        '  (throughput is what pipelining buys; latency includes the wait in the server queue)\n',
      )
  }

  // 3. A 640x640 detector frame (4.9 MB request), raw YOLOv8 head (2.8 MB answer).
  const det = new LatencyRecorder()
  t = performance.now()
  for (let i = 0; i < Math.max(20, ROUNDS / 10); i++) {
    const o = await stream.infer({ model: 'color-box-detector-yolov8', inputs: [image] })
    det.record(o.latencyMs)
  }
  console.log(
    row('detector frame 1x3x640x640 FP32 -> [1,84,8400]', det, (performance.now() - t) / 1000),
  )
  console.log('')

  // 4. The tensor codec on a detector frame: encode and decode cost per frame.
  const reps = 50
  t = performance.now()
  let bytes = Buffer.alloc(0)
  for (let i = 0; i < reps; i++) bytes = encodeTensor(image)
  const enc = (performance.now() - t) / reps
  t = performance.now()
  for (let i = 0; i < reps; i++) decodeTensor('images', 'FP32', [1, 3, 640, 640], bytes)
  const dec = (performance.now() - t) / reps
  const half: Tensor = { ...image, datatype: 'FP16' }
  t = performance.now()
  for (let i = 0; i < reps; i++) encodeTensor(half)
  const encHalf = (performance.now() - t) / reps
  console.log(
    `codec FP32 frame encode ${enc.toFixed(2)} ms, decode ${dec.toFixed(2)} ms; FP16 encode ${encHalf.toFixed(2)} ms (${(encHalf / enc).toFixed(1)}x FP32)`,
  )

  await stream.end()
  client.close()
  await demo.close()
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exit(1)
})
