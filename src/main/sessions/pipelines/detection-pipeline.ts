import type { Letterbox } from '../../../shared/letterbox'
import type { ModelProfile } from '../../../shared/model-profile'
import type { FailedOutcome } from '../../../shared/session-summary'
import { fillSlot, frameConverter, newFrameSlot, type FrameSlot } from '../../media/frame-converter'
import { planImageTensor, type ImageTensorPlan } from '../../media/frame-to-tensor'
import { makeLabeler } from '../../models/labels'
import type { InferAnswer, InferChannel } from '../../transport/infer-channel'
import type { DecodedTensor } from '../../triton/tensor-codec'
import { frameInputs } from '../request-builder'
import { decodeDetections, toSourceBoxes, type DecodedOutputTensor } from '../yolo-decoder'
import type { SessionResultEvent } from '../../../shared/results'
import { PushOrder } from './push-order'
import {
  blamed,
  classifyFailure,
  errorText,
  InFlight,
  MAX_ATTEMPTS,
  type AbandonedWork,
  type Pipeline,
  type PipelineHost,
} from './pipeline'

export interface FrameIn {
  index: number
  timeSec: number
  /** RGB24 letterboxed to the profile's vision size. */
  rgb: Uint8Array
  letterbox: Letterbox
  sourceWidth: number
  sourceHeight: number
  capturedAtMs?: number
  /** The source's sequence number, acknowledged back to it. */
  seq?: number
}

interface FrameJob {
  frame: FrameIn
  attempt: number
  /** Lost links it was blamed for (see `blamed`). */
  strikes: number
  /** Written on some channel at least once (else resending it is no retry). */
  sent: boolean
  /** How a failed attempt failed, for the count if the frame is given up. */
  lastFailure: FailedOutcome
}

function asDetectionTensor(t: DecodedTensor): DecodedOutputTensor {
  const d = t.data
  if (d instanceof Float32Array || d instanceof Int32Array || d instanceof BigInt64Array) {
    return { name: t.name, datatype: t.datatype, shape: t.shape, data: d }
  }
  if (Array.isArray(d))
    throw new Error(`the server's output '${t.name}' is BYTES; a detector answers with numbers`)
  return {
    name: t.name,
    datatype: t.datatype,
    shape: t.shape,
    data: Float32Array.from(d as ArrayLike<number>),
  }
}

/**
 * Frame slots (1.2 MB of RGB and a 4.9 MB tensor at 640x640 FP32) reused frame after frame
 * instead of allocated per frame. A slot comes back only once its request has been answered:
 * by then every transport has read it (a request that failed or timed out may still be on its
 * way out, so its slot is left to the garbage collector). A few are kept: one per request in
 * flight and one being made.
 */
class FrameSlots {
  private readonly free: FrameSlot[] = []

  constructor(
    private readonly plan: ImageTensorPlan,
    private readonly keep: number,
  ) {}

  take(): FrameSlot {
    return this.free.pop() ?? newFrameSlot(this.plan)
  }

  give(slot: FrameSlot): void {
    if (this.free.length < this.keep) this.free.push(slot)
  }
}

/** How this model's frames become tensors, and the slots they are made in. */
interface FrameMaking {
  plan: ImageTensorPlan
  slots: FrameSlots
}

export interface DetectionPipelineOptions {
  maxInFlight: number
  /**
   * Files send unanswered frames again after a dropped link; a live camera does not (a newer
   * frame is on its way), and counts them as failed instead.
   */
  replay: boolean
}

/**
 * One request per frame; answers are decoded in whichever of the three YOLO forms the profile
 * names and mapped back through the letterbox to source pixels. At most `maxInFlight` frames
 * are unanswered; each answered, failed or given-up frame is acknowledged to its source at
 * once, and its result (boxes or error) is emitted in frame order.
 */
export class DetectionPipeline implements Pipeline<FrameIn> {
  private readonly inFlightSet = new InFlight()
  private readonly labelOf: (classId: number) => string
  /** Frames sent and not yet answered, by index. */
  private readonly unanswered = new Map<number, FrameJob>()
  private readonly vision: NonNullable<ModelProfile['vision']>
  private readonly form: NonNullable<NonNullable<ModelProfile['decoder']>['form']>
  /** Results wait here for the frames before them (answers may overtake on unary and HTTP). */
  private readonly order: PushOrder<SessionResultEvent>
  /** Made with the first frame, so a profile the conversion refuses fails the session cleanly. */
  private frames: FrameMaking | undefined

  constructor(
    private readonly profile: ModelProfile,
    private readonly host: PipelineHost,
    private readonly options: DetectionPipelineOptions,
  ) {
    if (!profile.vision)
      throw new Error(`model profile for '${profile.model}' has no vision settings`)
    if (!profile.decoder?.form)
      throw new Error(`model profile for '${profile.model}' names no detection output form`)
    this.vision = profile.vision
    this.form = profile.decoder.form
    this.labelOf = makeLabeler(profile.labels)
    this.order = new PushOrder((event) => host.emit(event))
  }

  get inFlight(): number {
    return this.inFlightSet.size
  }

  /** A file's next frame is taken while the last goes out, to be converted early (see `send`). */
  room(): Promise<void> {
    return this.inFlightSet.room(this.options.maxInFlight + (this.options.replay ? 1 : 0))
  }

  async push(frame: FrameIn, channel: InferChannel): Promise<void> {
    const job: FrameJob = { frame, attempt: 0, strikes: 0, sent: false, lastFailure: 'timeout' }
    this.unanswered.set(frame.index, job)
    this.order.expect(frame.index)
    await this.send(job, channel)
  }

  private async send(job: FrameJob, channel: InferChannel): Promise<void> {
    // A file's frame is converted before it has a place in flight, so the conversion overlaps
    // the round trips of the frames before it; a camera's once it can go, so it is the newest.
    const early = this.options.replay ? this.convert(job.frame) : undefined
    // Its failure is the session's, reported where it is awaited (convertAndSend); until then
    // it must not count as unhandled.
    early?.catch(() => undefined)
    await this.inFlightSet.room(this.options.maxInFlight)
    // Not sent: the link went while waiting; the frame stays unanswered for `resume`.
    if (channel.closed || !this.unanswered.has(job.frame.index)) {
      early?.then((slot) => this.frames?.slots.give(slot)).catch(() => undefined)
      return
    }
    // Counted in flight from here, so waiting for the conversion lets no other frame past.
    this.inFlightSet.track(
      this.convertAndSend(job, job.attempt, channel, early ?? this.convert(job.frame)),
    )
  }

  /**
   * The frame's pixels as the model's tensor. A file's goes to the frame converter, which hands
   * the slow JavaScript conversion to its thread, where it overlaps the frames in flight; a
   * camera's is made here, since with one frame in flight there is nothing to overlap and, on
   * two cores, a third busy thread only delayed this one (bench: camera lag p99 and CPU per
   * frame both worse on the worker).
   */
  private async convert(frame: FrameIn): Promise<FrameSlot> {
    this.frames ??= this.framesFor(this.vision)
    const { plan, slots } = this.frames
    const slot = slots.take()
    if (!this.options.replay) {
      fillSlot(frame.rgb, slot, plan)
      return slot
    }
    await frameConverter().convert(frame.rgb, slot, plan)
    return slot
  }

  private framesFor(vision: NonNullable<ModelProfile['vision']>): FrameMaking {
    const plan = planImageTensor(vision.width, vision.height, {
      layout: vision.layout,
      dtype: vision.datatype,
      scale: vision.scale,
      channelOrder: vision.channelOrder,
    })
    return { plan, slots: new FrameSlots(plan, this.options.maxInFlight + 1) }
  }

  private async convertAndSend(
    job: FrameJob,
    attempt: number,
    channel: InferChannel,
    converted: Promise<FrameSlot>,
  ): Promise<void> {
    const { frame } = job
    let slot: FrameSlot
    let inputs
    try {
      slot = await converted
      inputs = frameInputs(this.profile, slot.tensor)
    } catch (e) {
      return this.host.fail(e)
    }
    // The link went or the frame was given up while it was being converted.
    if (channel.closed || job.attempt !== attempt || !this.unanswered.has(frame.index)) {
      this.frames?.slots.give(slot)
      return
    }
    const sentAt = Date.now()
    job.sent = true
    const request = channel.infer(
      {
        model: this.profile.model,
        version: this.profile.version,
        inputs,
        outputs: this.profile.outputs,
      },
      { deadlineMs: this.host.deadlineMs },
    )
    return request.then(
      (answer) => {
        this.frames?.slots.give(slot)
        if (job.attempt !== attempt || !this.unanswered.delete(frame.index)) return
        this.answered(frame, answer, sentAt)
      },
      (error: unknown) => {
        if (job.attempt !== attempt || !this.unanswered.has(frame.index)) return
        this.refused(job, error, channel, sentAt)
      },
    )
  }

  private answered(frame: FrameIn, answer: InferAnswer, sentAt: number): void {
    let boxes
    try {
      const first = answer.responses[0]
      if (!first) throw new Error("the server's answer carried no response")
      const outputs = new Map<string, DecodedOutputTensor>()
      for (const [name, t] of first.outputs) outputs.set(name, asDetectionTensor(t))
      boxes = toSourceBoxes(
        decodeDetections(this.form, outputs, {
          confThreshold: this.profile.decoder?.confThreshold ?? 0.25,
          iouThreshold: this.profile.decoder?.iouThreshold,
        }),
        frame.letterbox,
        this.labelOf,
      )
    } catch (e) {
      this.host.ledger.failed('decode-error', answer.latencyMs)
      this.order.settle(frame.index, {
        kind: 'request-error',
        message: errorText(e),
        timeSec: frame.timeSec,
      })
      this.host.ack(frame.seq, 'decode-error')
      return
    }
    const captureToSend = frame.capturedAtMs !== undefined ? sentAt - frame.capturedAtMs : undefined
    this.host.ledger.succeeded(answer.latencyMs, captureToSend)
    if (boxes.length === 0) this.host.ledger.emptyAnswers++
    this.order.settle(frame.index, {
      kind: 'detections',
      frame: frame.index,
      timeSec: frame.timeSec,
      sourceWidth: frame.sourceWidth,
      sourceHeight: frame.sourceHeight,
      boxes,
      latencyMs: answer.latencyMs,
    })
    this.host.ack(frame.seq, 'success')
  }

  private refused(job: FrameJob, error: unknown, channel: InferChannel, sentAt: number): void {
    const c = classifyFailure(error)
    if (c.kind === 'cancelled') return
    if (c.kind === 'fatal') return this.host.fail(error)
    if (c.kind === 'link') {
      job.lastFailure = c.error.kind === 'timeout' ? 'timeout' : 'server-error'
      return this.host.linkLost(channel, c.error)
    }
    this.unanswered.delete(job.frame.index)
    this.host.ledger.failed(c.outcome, Date.now() - sentAt)
    this.order.settle(job.frame.index, {
      kind: 'request-error',
      message: errorText(error),
      timeSec: job.frame.timeSec,
    })
    this.host.ack(job.frame.seq, c.outcome)
  }

  async resume(channel: InferChannel): Promise<void> {
    const jobs = [...this.unanswered.values()].sort((a, b) => a.frame.index - b.frame.index)
    // A frame the server dies on every time is given up after MAX_ATTEMPTS; the frames queued
    // behind it on a stream are not.
    for (const job of blamed(jobs, (j) => j.sent, channel.ordered)) job.strikes++
    for (const job of jobs) {
      job.attempt++
      if (!this.options.replay && !job.sent) {
        // Never written: a live frame that a newer one replaces, not a failed request.
        this.unanswered.delete(job.frame.index)
        this.host.ledger.droppedFrames++
        this.order.settle(job.frame.index)
        this.host.ack(job.frame.seq, 'dropped')
        continue
      }
      if (!this.options.replay || job.strikes >= MAX_ATTEMPTS) {
        this.unanswered.delete(job.frame.index)
        this.host.ledger.failed(job.lastFailure, 0)
        this.order.settle(job.frame.index)
        this.host.ack(job.frame.seq, job.lastFailure)
        continue
      }
      if (job.sent) this.host.ledger.retries++
      await this.send(job, channel)
    }
  }

  async finish(): Promise<void> {}

  settled(): Promise<void> {
    return this.inFlightSet.settled()
  }

  abandon(): AbandonedWork<FrameIn> {
    const items = [...this.unanswered.values()].map((j) => j.frame)
    for (const job of this.unanswered.values()) job.attempt = Number.POSITIVE_INFINITY
    this.unanswered.clear()
    // Results held behind a frame that will never be answered go out now.
    this.order.settleAll()
    for (const f of items) this.host.ack(f.seq, 'cancelled')
    return { requests: items.length, items }
  }
}
