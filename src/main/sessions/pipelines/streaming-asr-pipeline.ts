import type { ModelProfile } from '../../../shared/model-profile'
import type { FailedOutcome } from '../../../shared/session-summary'
import type { InferAnswer, InferChannel } from '../../transport/infer-channel'
import { sequenceParameters } from '../../triton/infer-messages'
import { audioInputs } from '../request-builder'
import { transcriptOf } from '../transcript-text'
import { Endpointer, type AudioChunkIn } from './audio-chunk'
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
import { RequestWindows } from './request-windows'
import { UtteranceAudio, UtteranceAudioPool } from './utterance-audio'
import { KEPT, type UntranscribedAudio } from '../untranscribed-audio'

/** Sequence ids must not collide with other clients of the same server. */
function sequenceBase(): bigint {
  return (BigInt(Date.now()) % 1_000_000_000n) * 1000n + BigInt(Math.floor(Math.random() * 1000))
}

interface Utterance {
  index: number
  audio: UtteranceAudio
  startSec: number
  /** Capture time of the latest chunk, for glass-to-glass latency. */
  capturedAtMs: number | undefined
  ended: boolean
  lastText: string
  /** Which channel (attempt) the requests in flight belong to; answers of older ones are stale. */
  attempt: number
  sequenceId: bigint | string
  /** Requests written in this attempt, and how many of them were answered. */
  sent: number
  answered: number
  endSent: boolean
  /** Most requests written in any attempt: re-sending one of these is a retry. */
  everSent: number
  /** Requests already counted in the ledger, in order (answers on a sequence come in order). */
  counted: number
  /** Most requests answered in any attempt, and what it was when the last replay began. */
  answeredHigh: number
  answeredAtResume: number
  /** Replays in a row that got no further than the one before: a request the server dies on. */
  stalls: number
  lastFailure: FailedOutcome
  /** Serialises sending, so a resend and a push never interleave on one sequence. */
  sending: Promise<void>
}

export interface StreamingAsrOptions {
  maxInFlight?: number
  /** Number of the first utterance, when a session continues another's count. */
  firstUtterance?: number
  /**
   * Reads a server's refusal of a first chunk that is too short and returns the length it
   * asks for (in samples), so the session can resend and keep the learnt length.
   */
  learnFirstChunk?: (message: string) => number | undefined
  /** Where the audio of an utterance given up on is kept, so it is not lost. */
  untranscribed?: UntranscribedAudio
}

/**
 * Streaming ASR on a stateful model (sequence batcher): every request of an utterance goes to
 * one sequence, the first with sequence_start and the last with sequence_end. Requests are
 * `firstChunkSamples` and then `chunkSamples` long whatever size the source delivers. An
 * utterance is kept until its final answer arrives; after a dropped link it is sent again, from
 * its first sample, on a new sequence, and its final text is emitted exactly once.
 */
export class StreamingAsrPipeline implements Pipeline<AudioChunkIn> {
  private readonly rate: number
  private readonly windows: RequestWindows
  private readonly endpointer: Endpointer
  private readonly base = sequenceBase()
  private readonly maxInFlight: number
  private readonly inFlightSet = new InFlight()
  private sequences = 0
  private utterances: number
  private current: Utterance | undefined
  /** Utterances without a final answer, oldest first. */
  private readonly open = new Map<number, Utterance>()
  private readonly buffers: UtteranceAudioPool

  constructor(
    private readonly profile: ModelProfile,
    private readonly host: PipelineHost,
    private readonly options: StreamingAsrOptions = {},
  ) {
    const audio = profile.audio
    if (!audio) throw new Error(`model profile for '${profile.model}' has no audio settings`)
    this.rate = audio.sampleRate
    this.windows = new RequestWindows(audio.chunkSamples, audio.firstChunkSamples)
    this.endpointer = new Endpointer(this.rate, audio.endpointSilenceSec)
    this.maxInFlight = options.maxInFlight ?? 4
    // A second of audio to start with; buffers of utterances up to 8 s are reused.
    this.buffers = new UtteranceAudioPool(this.rate, 8 * this.rate, 1)
    this.utterances = options.firstUtterance ?? 0
  }

  get inFlight(): number {
    return this.inFlightSet.size
  }

  private nextSequenceId(): bigint | string {
    const id = this.base + BigInt(++this.sequences)
    return this.profile.sequence?.idType === 'string' ? `triton-live-${id}` : id
  }

  async push(chunk: AudioChunkIn, channel: InferChannel): Promise<void> {
    let u = this.current
    if (!u) {
      u = {
        index: this.utterances++,
        audio: this.buffers.take(),
        startSec: chunk.startSec,
        capturedAtMs: undefined,
        ended: false,
        lastText: '',
        attempt: 0,
        sequenceId: this.nextSequenceId(),
        sent: 0,
        answered: 0,
        endSent: false,
        everSent: 0,
        counted: 0,
        answeredHigh: 0,
        answeredAtResume: 0,
        stalls: 0,
        lastFailure: 'timeout',
        sending: Promise.resolve(),
      }
      this.current = u
      this.open.set(u.index, u)
    }
    u.audio.append(chunk.samples, chunk.validSamples)
    u.capturedAtMs = chunk.capturedAtMs
    if (this.endpointer.feed(chunk)) this.endUtterance(u)
    await this.sendReady(u, channel)
  }

  private endUtterance(u: Utterance): void {
    u.ended = true
    if (this.current === u) this.current = undefined
    this.endpointer.reset()
  }

  async finish(channel: InferChannel): Promise<void> {
    const u = this.current
    if (!u) return
    this.endUtterance(u)
    await this.sendReady(u, channel)
  }

  async resume(channel: InferChannel): Promise<void> {
    const open = [...this.open.values()]
    const charged = new Set(blamed(open, (u) => u.sent > u.answered, channel.ordered))
    for (const u of open) {
      u.attempt++
      // Only replays that make no progress count against it: an utterance that spans several
      // restarts is not at fault, one whose same request fails every time is. One waiting
      // behind another's unanswered request, or with nothing unanswered, is not blamed.
      if (u.answeredHigh > u.answeredAtResume) u.stalls = 0
      else if (charged.has(u)) u.stalls++
      u.answeredAtResume = u.answeredHigh
      if (u.stalls >= MAX_ATTEMPTS) {
        this.giveUp(u, `sent ${MAX_ATTEMPTS} times without getting further`)
        continue
      }
      u.sequenceId = this.nextSequenceId()
      u.sent = 0
      u.answered = 0
      u.endSent = false
      await this.sendReady(u, channel)
    }
  }

  settled(): Promise<void> {
    return this.inFlightSet.settled()
  }

  abandon(): AbandonedWork<AudioChunkIn> {
    let requests = 0
    const items: AudioChunkIn[] = []
    for (const u of this.open.values()) {
      requests += Math.max(1, this.windows.count(u.audio.length) - u.counted)
      items.push({
        samples: u.audio.view(0, u.audio.length),
        validSamples: u.audio.length,
        startSec: u.startSec,
        last: false,
      })
      u.attempt = Number.POSITIVE_INFINITY
    }
    this.open.clear()
    this.current = undefined
    return { requests, items }
  }

  /** Sends every request the utterance has audio for; the last one carries sequence_end. */
  private sendReady(u: Utterance, channel: InferChannel): Promise<void> {
    u.sending = u.sending.then(() => this.sendNow(u, channel))
    return u.sending
  }

  private async sendNow(u: Utterance, channel: InferChannel): Promise<void> {
    // A resend (a new sequence after a refusal or a reconnect) starts its own loop: this one
    // must not write the old attempt's next chunk on the new sequence.
    const attempt = u.attempt
    const current = (): boolean => this.open.has(u.index) && u.attempt === attempt
    while (!u.endSent && current() && !channel.closed) {
      const k = u.sent
      const [start, length] = this.windows.window(k)
      const full = u.audio.length >= start + length
      if (!full && !u.ended) return
      const end = u.ended && u.audio.length <= start + length
      // On a channel without order (unary, HTTP), a sequence has one request in flight.
      const max = channel.ordered ? this.maxInFlight : 1
      await this.inFlightSet.room(max)
      if (channel.closed || !current()) return
      this.sendRequest(u, k, start, length, end, channel)
    }
  }

  private sendRequest(
    u: Utterance,
    k: number,
    start: number,
    length: number,
    end: boolean,
    channel: InferChannel,
  ): void {
    // A view of the utterance's buffer: no copy and no new buffer per request. Only an ended
    // utterance has a window past its audio (zeros after it).
    const samples = u.audio.view(start, length)
    let valid = Math.min(length, u.audio.length - start)
    // sherpa and WeNet refuse a first chunk shorter than their window even at an utterance's end
    // (a short word, a file's tail): the zeros after it are sent as the silence they are.
    if (k === 0 && this.windows.firstIsMinimum) valid = length
    const capturedAtMs = u.capturedAtMs
    u.sent = k + 1
    if (end) u.endSent = true
    if (k < u.everSent) this.host.ledger.retries++
    u.everSent = Math.max(u.everSent, u.sent)
    const attempt = u.attempt
    const sentAt = Date.now()
    const request = channel.infer(
      {
        model: this.profile.model,
        version: this.profile.version,
        inputs: audioInputs(this.profile, samples, valid),
        outputs: this.profile.outputs,
        parameters: sequenceParameters({ id: u.sequenceId, start: k === 0, end }),
      },
      { deadlineMs: this.host.deadlineMs },
    )
    this.inFlightSet.track(
      request.then(
        (answer) => this.answered(u, attempt, k, end, answer, sentAt, capturedAtMs),
        (error: unknown) => this.refused(u, attempt, k, error, channel, sentAt),
      ),
    )
  }

  private answered(
    u: Utterance,
    attempt: number,
    k: number,
    end: boolean,
    answer: InferAnswer,
    sentAt: number,
    capturedAtMs: number | undefined,
  ): void {
    // An answer from a channel that was given up on: the utterance is being sent again.
    if (u.attempt !== attempt || !this.open.has(u.index)) return
    u.answered = k + 1
    u.answeredHigh = Math.max(u.answeredHigh, k + 1)
    const first = k >= u.counted
    let text: string
    try {
      text = transcriptOf(
        answer.responses[answer.responses.length - 1],
        this.profile.decoder?.transcriptOutput,
      )
    } catch (e) {
      if (first) {
        u.counted = k + 1
        this.host.ledger.failed('decode-error', answer.latencyMs)
        this.host.emit({ kind: 'request-error', message: errorText(e), timeSec: u.startSec })
      }
      if (end) this.close(u, true)
      return
    }
    if (first) {
      u.counted = k + 1
      const captureToSend = capturedAtMs !== undefined ? sentAt - capturedAtMs : undefined
      this.host.ledger.succeeded(answer.latencyMs, captureToSend)
      if (text === '') this.host.ledger.emptyAnswers++
    }
    const endSec = u.startSec + u.audio.length / this.rate
    if (end) {
      this.close(u, true)
      if (text === '') return
    } else if (text === u.lastText) {
      return
    }
    u.lastText = text
    this.host.emit({
      kind: 'transcript',
      utterance: u.index,
      final: end,
      text,
      startSec: u.startSec,
      endSec: end ? endSec : u.startSec + Math.min(u.audio.length, this.windows.end(k)) / this.rate,
      latencyMs: answer.latencyMs,
    })
  }

  private refused(
    u: Utterance,
    attempt: number,
    k: number,
    error: unknown,
    channel: InferChannel,
    sentAt: number,
  ): void {
    if (u.attempt !== attempt || !this.open.has(u.index)) return
    const c = classifyFailure(error)
    if (c.kind === 'cancelled') return
    if (c.kind === 'fatal') return this.host.fail(error)
    if (c.kind === 'link') {
      u.lastFailure = c.error.kind === 'timeout' ? 'timeout' : 'server-error'
      return this.host.linkLost(channel, c.error)
    }
    if (k === 0 && this.relearnFirstChunk(error)) {
      // The server said how long the first chunk must be: send the utterance again with it.
      u.attempt++
      u.sequenceId = this.nextSequenceId()
      u.sent = 0
      u.answered = 0
      u.endSent = false
      void this.sendReady(u, channel)
      return
    }
    if (k >= u.counted) {
      u.counted = k + 1
      this.host.ledger.failed(c.outcome, Date.now() - sentAt)
    }
    this.close(u)
    // The server may have dropped the sequence; the next chunk starts a fresh one.
    if (this.current === u) this.endUtterance(u)
    this.host.emit({ kind: 'request-error', message: errorText(error), timeSec: u.startSec })
  }

  private relearnFirstChunk(error: unknown): boolean {
    const asked = this.options.learnFirstChunk?.(errorText(error))
    if (!asked || asked === this.windows.first) return false
    this.windows.first = asked
    this.host.notice(
      `the server asked for a first chunk of ${(asked / this.rate).toFixed(2)} s; using it for the rest of the session`,
    )
    return true
  }

  private giveUp(u: Utterance, why: string): void {
    const requests = Math.max(1, this.windows.count(u.audio.length) - u.counted)
    this.host.ledger.failed(u.lastFailure, 0, requests)
    const audio = u.audio.view(0, u.audio.length)
    this.close(u)
    const kept = this.options.untranscribed
    kept?.keep(u.startSec, [audio])
    if (this.current === u) this.endUtterance(u)
    this.host.emit({
      kind: 'request-error',
      message: `utterance ${u.index + 1} was ${why}; its ${(u.audio.length / this.rate).toFixed(1)} s of audio were not transcribed${kept ? KEPT : ''}`,
      timeSec: u.startSec,
    })
  }

  /**
   * `answered`: its final answer came, so every request of it was read by the server and its
   * buffer can serve the next utterance. Otherwise a write may still hold a view: left to the GC.
   */
  private close(u: Utterance, answered = false): void {
    this.open.delete(u.index)
    if (answered) this.buffers.give(u.audio)
  }
}
