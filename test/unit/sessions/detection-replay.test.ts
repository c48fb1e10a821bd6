import { describe, expect, it } from 'vitest'
import { computeLetterbox } from '../../../src/shared/letterbox'
import type { ModelProfile } from '../../../src/shared/model-profile'
import type { SessionResultEvent } from '../../../src/shared/results'
import type { RequestOutcome } from '../../../src/shared/session-summary'
import {
  DetectionPipeline,
  type FrameIn,
} from '../../../src/main/sessions/pipelines/detection-pipeline'
import { MAX_ATTEMPTS, type PipelineHost } from '../../../src/main/sessions/pipelines/pipeline'
import { RequestLedger } from '../../../src/main/sessions/request-ledger'
import type { InferAnswer, InferChannel } from '../../../src/main/transport/infer-channel'
import type { InferRequestSpec } from '../../../src/main/triton/infer-messages'
import { TritonError } from '../../../src/main/triton/triton-error'

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

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** One life of a detector: answers in order with one box whose x is the frame's first value. */
class ServerLife implements InferChannel {
  readonly ordered = true
  closed = false
  private readonly queue: Array<{
    spec: InferRequestSpec
    resolve: (a: InferAnswer) => void
    reject: (e: Error) => void
  }> = []

  get inFlight(): number {
    return this.queue.length
  }

  infer(spec: InferRequestSpec): Promise<InferAnswer> {
    if (this.closed) return Promise.reject(new TritonError('cancelled', 'closed', ''))
    return new Promise((resolve, reject) => this.queue.push({ spec, resolve, reject }))
  }

  async serve(n = Number.POSITIVE_INFINITY): Promise<void> {
    await flush()
    for (let i = 0; i < n && this.queue.length > 0 && !this.closed; i++) {
      const { spec, resolve } = this.queue.shift()!
      // The frame's number, carried in its pixels: red byte n is n/255 after the conversion.
      const n = Math.round((spec.inputs[0].data as Float32Array)[0] * 255)
      const box = new Float32Array([n, 0, n + 4, 4, 0.9, 0])
      resolve({
        id: `r${n}`,
        latencyMs: 1,
        firstResponseMs: 1,
        responses: [
          {
            id: `r${n}`,
            model: profile.model,
            version: '1',
            parameters: {},
            outputs: new Map([
              ['output0', { name: 'output0', datatype: 'FP32', shape: [1, 1, 6], data: box }],
            ]),
          },
        ],
      })
      await flush()
    }
  }

  /** SIGKILL: nothing unanswered ever will be. */
  async die(): Promise<void> {
    this.closed = true
    for (const w of this.queue.splice(0)) w.reject(new TritonError('cancelled', 'cancelled', ''))
    await flush()
  }

  onDidClose(): () => void {
    return () => undefined
  }

  async end(): Promise<void> {}

  cancel(): void {
    void this.die()
  }
}

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
  const events: SessionResultEvent[] = []
  const acks: Array<[number | undefined, RequestOutcome | 'dropped']> = []
  const host: PipelineHost = {
    ledger: new RequestLedger(),
    deadlineMs: 10_000,
    emit: (e) => events.push(e),
    ack: (seq, outcome) => acks.push([seq, outcome]),
    linkLost: () => undefined,
    fail: (e) => {
      throw e
    },
    notice: () => undefined,
  }
  const pipeline = new DetectionPipeline(profile, host, { maxInFlight: 4, replay: true })
  // The frame each answer was for, read back from its box.
  const answered = (): number[] =>
    events.flatMap((e) => (e.kind === 'detections' ? e.boxes.map((b) => Math.round(b.x)) : []))
  return { pipeline, host, acks, answered }
}

/** Four frames on the stream of a first life that dies before answering any. */
async function fourOutThenDeath(pipeline: DetectionPipeline): Promise<void> {
  const life = new ServerLife()
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
      const life = new ServerLife()
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
      const life = new ServerLife()
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
})
