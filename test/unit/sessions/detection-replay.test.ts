import { describe, expect, it } from 'vitest'
import { computeLetterbox } from '../../../src/shared/letterbox'
import type { ModelProfile } from '../../../src/shared/model-profile'
import {
  DetectionPipeline,
  type FrameIn,
} from '../../../src/main/sessions/pipelines/detection-pipeline'
import { MAX_ATTEMPTS } from '../../../src/main/sessions/pipelines/pipeline'
import type { InferRequestSpec } from '../../../src/main/triton/infer-messages'
import type { DecodedTensor } from '../../../src/main/triton/tensor-codec'
import { flush, recordingHost, ServerLife } from '../../fixtures/server-life'

/**
 * Which frame a file session blames when the server dies again. Each channel is one life of a
 * server that answers its ordered stream only when the test says so and dies when the test
 * says so: no clock, no sockets, the same interleaving every run.
 */

const SIDE = 16

const profile: ModelProfile = {
  model: 'detector',
  kind: 'detection',
  inputs: [{ name: 'images', datatype: 'FP32', shape: [1, 3, SIDE, SIDE], source: 'video-frame' }],
  vision: { width: SIDE, height: SIDE, layout: 'NCHW', datatype: 'FP32' },
  decoder: { form: 'end-to-end' },
}

/** A detector's answer: one box whose x is the frame's number, read back from its pixels. */
function detector(spec: InferRequestSpec): Map<string, DecodedTensor> {
  // Red byte n is n/255 after the conversion.
  const n = Math.round((spec.inputs[0].data as Float32Array)[0] * 255)
  const data = new Float32Array([n, 0, n + 4, 4, 0.9, 0])
  return new Map([['output0', { name: 'output0', datatype: 'FP32', shape: [1, 1, 6], data }]])
}

const newLife = (): ServerLife => new ServerLife(detector)

function frame(n: number): FrameIn {
  return {
    index: n,
    timeSec: n / 30,
    rgb: new Uint8Array(SIDE * SIDE * 3).fill(n),
    letterbox: computeLetterbox(SIDE, SIDE, SIDE, SIDE),
    sourceWidth: SIDE,
    sourceHeight: SIDE,
    seq: n,
  }
}

function setup() {
  const { host, events, acks } = recordingHost()
  const pipeline = new DetectionPipeline(profile, host, { maxInFlight: 4, replay: true })
  // The frame each answer was for, read back from its box.
  const answered = (): number[] =>
    events.flatMap((e) => (e.kind === 'detections' ? e.boxes.map((b) => Math.round(b.x)) : []))
  return { pipeline, host, acks, answered }
}

/** Four frames on the stream of a first life that dies before answering any. */
async function fourOutThenDeath(pipeline: DetectionPipeline): Promise<void> {
  const life = newLife()
  for (let n = 0; n < 4; n++) void pipeline.push(frame(n), life)
  await flush()
  await life.die()
}

describe('a video file replay after the server died again', () => {
  it('does not give up a frame that only waited behind older ones while the server kept dying', async () => {
    const { pipeline, host, acks, answered } = setup()
    await fourOutThenDeath(pipeline)
    // Each later life answers the oldest frame out, then dies: frame 3 is out through all
    // MAX_ATTEMPTS of them without being reached.
    for (let restart = 1; restart <= MAX_ATTEMPTS; restart++) {
      const life = newLife()
      const resumed = pipeline.resume(life)
      await life.serve(restart < MAX_ATTEMPTS ? 1 : Number.POSITIVE_INFINITY)
      await resumed
      if (restart < MAX_ATTEMPTS) await life.die()
    }
    expect(answered()).toEqual([0, 1, 2, 3])
    expect(acks).toEqual([0, 1, 2, 3].map((n) => [n, 'success']))
    expect(host.ledger.summary().failures).toBe(0)
  })

  it('still gives up the frame the server dies on every time, and answers the ones behind it', async () => {
    const { pipeline, host, acks, answered } = setup()
    await fourOutThenDeath(pipeline)
    for (let restart = 1; restart <= MAX_ATTEMPTS; restart++) {
      const life = newLife()
      const resumed = pipeline.resume(life)
      if (restart < MAX_ATTEMPTS) await life.die()
      else await life.serve()
      await resumed
    }
    expect(answered()).toEqual([1, 2, 3])
    expect(acks.map(([seq]) => seq)).toEqual([0, 1, 2, 3])
    expect(acks[0]).toEqual([0, 'timeout'])
    expect(host.ledger.summary().failures).toBe(1)
  })

  it('on unary calls counts every frame out, since each was at the server when it died', async () => {
    const { pipeline, host, acks, answered } = setup()
    // Frame 0 is answered; 1, 2 and 3 are at the server, concurrently, each time it dies.
    const first = new ServerLife(detector, false)
    for (let n = 0; n < 4; n++) void pipeline.push(frame(n), first)
    await first.serve(1)
    await first.die()
    for (let restart = 1; restart <= MAX_ATTEMPTS; restart++) {
      const life = new ServerLife(detector, false)
      const resumed = pipeline.resume(life)
      await life.die()
      await resumed
    }
    expect(answered()).toEqual([0])
    expect(acks).toEqual([
      [0, 'success'],
      [1, 'timeout'],
      [2, 'timeout'],
      [3, 'timeout'],
    ])
    expect(host.ledger.summary().failures).toBe(3)
  })
})
