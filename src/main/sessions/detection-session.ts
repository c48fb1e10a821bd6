import type { ModelProfile } from '../../shared/model-profile'
import type { Letterbox } from '../../shared/letterbox'
import { rgbToTensor } from '../media/frame-to-tensor'
import type { StreamCall } from '../triton/stream-call'
import type { DecodedTensor } from '../triton/tensor-codec'
import { makeLabeler } from '../models/labels'
import { errorText, isCancellation, isFatal, type SessionCallbacks } from './session-callbacks'
import { frameInputs } from './request-builder'
import { decodeDetections, toSourceBoxes, type DecodedOutputTensor } from './yolo-decoder'

export interface FrameIn {
  index: number
  timeSec: number
  /** RGB24 letterboxed to the profile's vision size. */
  rgb: Uint8Array
  letterbox: Letterbox
  sourceWidth: number
  sourceHeight: number
  capturedAtMs?: number
}

function asDetectionTensor(t: DecodedTensor): DecodedOutputTensor {
  const d = t.data
  if (d instanceof Float32Array || d instanceof Int32Array || d instanceof BigInt64Array) {
    return { name: t.name, datatype: t.datatype, shape: t.shape, data: d }
  }
  if (Array.isArray(d))
    throw new Error(`output '${t.name}' is BYTES; a detector answers with numbers`)
  return {
    name: t.name,
    datatype: t.datatype,
    shape: t.shape,
    data: Float32Array.from(d as ArrayLike<number>),
  }
}

/**
 * One request per frame; answers are decoded in whichever of the three YOLO forms the profile
 * names and mapped back through the letterbox to source pixels. At most `maxInFlight` frames
 * are unanswered: a file waits (nothing is lost), a live camera drops the frame instead.
 */
export class DetectionSession {
  private readonly inFlight: Promise<void>[] = []
  private readonly labelOf: (classId: number) => string
  private fatal: unknown

  constructor(
    private readonly stream: StreamCall,
    private readonly profile: ModelProfile,
    private readonly callbacks: SessionCallbacks,
    private readonly maxInFlight = 2,
  ) {
    if (!profile.vision)
      throw new Error(`model profile for '${profile.model}' has no vision settings`)
    if (!profile.decoder?.form)
      throw new Error(`model profile for '${profile.model}' names no detection output form`)
    this.labelOf = makeLabeler(profile.labels)
  }

  get busy(): boolean {
    return this.inFlight.length >= this.maxInFlight
  }

  /** Sends a frame; with `dropIfBusy` returns false instead of waiting when the pipe is full. */
  async pushFrame(frame: FrameIn, dropIfBusy = false): Promise<boolean> {
    if (this.fatal) throw this.fatal
    if (this.busy && dropIfBusy) return false
    while (this.busy) await this.inFlight[0]
    const vision = this.profile.vision!
    const tensor = rgbToTensor(frame.rgb, vision.width, vision.height, {
      layout: vision.layout,
      dtype: vision.datatype,
      scale: vision.scale,
      channelOrder: vision.channelOrder,
    })
    const sentAt = Date.now()
    const p = this.stream
      .infer({
        model: this.profile.model,
        version: this.profile.version,
        inputs: frameInputs(this.profile, tensor),
        outputs: this.profile.outputs,
      })
      .then(
        (outcome) => {
          const outputs = new Map<string, DecodedOutputTensor>()
          for (const [name, t] of outcome.responses[0].outputs)
            outputs.set(name, asDetectionTensor(t))
          const boxes = decodeDetections(this.profile.decoder!.form!, outputs, {
            confThreshold: this.profile.decoder?.confThreshold ?? 0.25,
            iouThreshold: this.profile.decoder?.iouThreshold,
          })
          this.callbacks.onRequest?.({
            ok: true,
            latencyMs: outcome.latencyMs,
            captureToSendMs:
              frame.capturedAtMs !== undefined ? sentAt - frame.capturedAtMs : undefined,
            atMs: Date.now(),
          })
          this.callbacks.onEvent({
            kind: 'detections',
            frame: frame.index,
            timeSec: frame.timeSec,
            sourceWidth: frame.sourceWidth,
            sourceHeight: frame.sourceHeight,
            boxes: toSourceBoxes(boxes, frame.letterbox, this.labelOf),
            latencyMs: outcome.latencyMs,
          })
        },
        (error: unknown) => {
          if (isCancellation(error)) return
          this.callbacks.onRequest?.({
            ok: false,
            latencyMs: Date.now() - sentAt,
            atMs: Date.now(),
          })
          if (isFatal(error)) this.fatal ??= error
          else
            this.callbacks.onEvent({
              kind: 'request-error',
              message: errorText(error),
              timeSec: frame.timeSec,
            })
        },
      )
      .catch((error: unknown) => {
        // A decoding failure: the answer did not have the shape the profile promised.
        this.callbacks.onEvent({
          kind: 'request-error',
          message: errorText(error),
          timeSec: frame.timeSec,
        })
      })
      .finally(() => this.inFlight.splice(this.inFlight.indexOf(p), 1))
    this.inFlight.push(p)
    return true
  }

  async finish(): Promise<void> {
    await Promise.all([...this.inFlight])
    if (this.fatal) throw this.fatal
  }
}
