import type { ModelProfile } from '../../../shared/model-profile'
import type { InferAnswer, InferChannel } from '../../transport/infer-channel'
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
import { KEPT, type UntranscribedAudio } from '../untranscribed-audio'
import { UtteranceAudio, UtteranceAudioPool } from './utterance-audio'

/** An utterance that has ended and waits for its final text. */
interface FinalJob {
  utterance: number
  /** A view of `audio`, the utterance's buffer. */
  window: Float32Array
  audio: UtteranceAudio
  startSec: number
  endSec: number
  attempt: number
  /** Lost links it was blamed for (see `blamed`). */
  strikes: number
  capturedAtMs?: number
}

/**
 * Offline (Whisper-style) models decode a whole window. To stream them, the growing window of
 * the current utterance is sent every `hopSec` for interim text that replaces the last one,
 * and once more when the utterance ends, for the final text. At most one interim is in flight,
 * so a slow server gets fewer interims rather than a queue. Finals are kept until answered and
 * sent again after a dropped link; a lost interim is simply superseded by the next request.
 */
export class WindowedAsrPipeline implements Pipeline<AudioChunkIn> {
  private readonly rate: number
  private readonly hop: number
  private readonly endpointer: Endpointer
  private readonly inFlightSet = new InFlight()
  private readonly buffers: UtteranceAudioPool
  /** The current utterance's audio; interims and its final are views of it, never copies. */
  private audio: UtteranceAudio
  /** Its chunks' lengths and start times while nothing was heard, to trim whole chunks. */
  private leading: { samples: number; startSec: number }[] = []
  private capturedAtMs: number | undefined
  private startSec = 0
  private lastInterimAt = 0
  /** The interim in flight (at most one is), and its utterance. */
  private interim: { utterance: number } | undefined
  private lastText = ''
  private utterance: number
  /** Which channel interims belong to; an answer from an older one is stale. */
  private attempt = 0
  private readonly finals = new Map<number, FinalJob>()

  constructor(
    private readonly profile: ModelProfile,
    private readonly host: PipelineHost,
    private readonly options: {
      firstUtterance?: number
      /** Where the audio of an utterance given up on is kept, so it is not lost. */
      untranscribed?: UntranscribedAudio
    } = {},
  ) {
    const audio = profile.audio
    if (!audio) throw new Error(`model profile for '${profile.model}' has no audio settings`)
    this.rate = audio.sampleRate
    this.hop = Math.round((audio.hopSec ?? 1) * this.rate)
    const maxSec = audio.maxWindowSec ?? 30
    this.endpointer = new Endpointer(this.rate, audio.endpointSilenceSec, maxSec)
    // Starts at 2 s; a buffer that grew to the longest window is kept for the next utterance.
    this.buffers = new UtteranceAudioPool(
      2 * this.rate,
      Math.ceil(maxSec * this.rate) + this.rate,
      1,
    )
    this.audio = this.buffers.take()
    this.utterance = options.firstUtterance ?? 0
  }

  get inFlight(): number {
    return this.inFlightSet.size
  }

  async push(chunk: AudioChunkIn, channel: InferChannel): Promise<void> {
    if (this.audio.length === 0) this.startSec = chunk.startSec
    this.audio.append(chunk.samples, chunk.validSamples)
    this.capturedAtMs = chunk.capturedAtMs
    const ended = this.endpointer.feed(chunk)
    if (!this.endpointer.heardVoice) this.trimLeadingSilence(chunk)
    else this.leading = []
    if (ended) return this.endUtterance(channel)
    if (
      this.endpointer.heardVoice &&
      this.interim === undefined &&
      this.audio.length - this.lastInterimAt >= this.hop
    ) {
      this.lastInterimAt = this.audio.length
      await this.inFlightSet.room(4)
      this.sendInterim(channel)
    }
  }

  /**
   * Nothing said yet: keep only the chunks of the last second, so leading silence is not re-sent
   * forever. No view of the buffer is out yet (interims start with voice), so it may move.
   */
  private trimLeadingSilence(chunk: AudioChunkIn): void {
    this.leading.push({ samples: chunk.validSamples, startSec: chunk.startSec })
    let drop = 0
    while (
      this.leading.length > 1 &&
      this.audio.length - drop - this.leading[0].samples >= this.rate
    ) {
      drop += (this.leading.shift() as { samples: number }).samples
    }
    if (drop === 0) return
    this.audio.dropFront(drop)
    this.startSec = this.leading[0].startSec
  }

  private window(): Float32Array {
    return this.audio.view(0, this.audio.length)
  }

  private async endUtterance(channel: InferChannel): Promise<void> {
    const voiced = this.endpointer.heardVoice
    const job: FinalJob = {
      utterance: this.utterance,
      window: this.window(),
      audio: this.audio,
      startSec: this.startSec,
      endSec: this.startSec + this.audio.length / this.rate,
      attempt: 0,
      strikes: 0,
      capturedAtMs: this.capturedAtMs,
    }
    this.audio = this.buffers.take()
    this.leading = []
    this.lastInterimAt = 0
    this.lastText = ''
    this.endpointer.reset()
    if (!voiced) return this.buffers.give(job.audio)
    this.utterance++
    this.finals.set(job.utterance, job)
    await this.sendFinal(job, channel)
  }

  private sendInterim(channel: InferChannel): void {
    if (channel.closed) return
    const attempt = this.attempt
    const utterance = this.utterance
    const interim = { utterance }
    this.interim = interim
    const window = this.window()
    const startSec = this.startSec
    const sentAt = Date.now()
    const capturedAtMs = this.capturedAtMs
    this.inFlightSet.track(
      this.request(window, channel).then(
        (answer) => {
          // One sent before a reconnect must not clear the flag of one sent after it.
          if (this.interim === interim) this.interim = undefined
          if (attempt !== this.attempt || utterance !== this.utterance) {
            return this.host.ledger.succeeded(answer.latencyMs)
          }
          this.onAnswer(answer, sentAt, capturedAtMs, (text) => {
            if (text === this.lastText) return
            this.lastText = text
            this.host.emit({
              kind: 'transcript',
              utterance,
              final: false,
              text,
              startSec,
              endSec: startSec + window.length / this.rate,
              latencyMs: answer.latencyMs,
            })
          })
        },
        (error: unknown) => {
          if (this.interim === interim) this.interim = undefined
          // A lost interim is superseded by the next request, so it is a retry, not a loss.
          if (this.onFailure(error, channel, sentAt, startSec) === 'link')
            this.host.ledger.retries++
        },
      ),
    )
  }

  private async sendFinal(job: FinalJob, channel: InferChannel): Promise<void> {
    await this.inFlightSet.room(4)
    if (channel.closed || !this.finals.has(job.utterance)) return
    const attempt = job.attempt
    const sentAt = Date.now()
    this.inFlightSet.track(
      this.request(job.window, channel).then(
        (answer) => {
          if (attempt !== job.attempt || !this.finals.delete(job.utterance)) return
          // Answered: the server read the final, and the interims sent before it unless one is
          // still in flight. Then nothing reads the buffer again and the next utterance takes it.
          // (An interim on a channel given up on writes nothing more: the session cancels it.)
          if (this.interim?.utterance !== job.utterance) this.buffers.give(job.audio)
          this.onAnswer(answer, sentAt, job.capturedAtMs, (text) => {
            if (text === '') return
            this.host.emit({
              kind: 'transcript',
              utterance: job.utterance,
              final: true,
              text,
              startSec: job.startSec,
              endSec: job.endSec,
              latencyMs: answer.latencyMs,
            })
          })
        },
        (error: unknown) => {
          if (attempt !== job.attempt || !this.finals.has(job.utterance)) return
          if (this.onFailure(error, channel, sentAt, job.startSec) === 'request')
            this.finals.delete(job.utterance)
        },
      ),
    )
  }

  private request(window: Float32Array, channel: InferChannel): Promise<InferAnswer> {
    return channel.infer(
      {
        model: this.profile.model,
        version: this.profile.version,
        inputs: audioInputs(this.profile, window, window.length),
        outputs: this.profile.outputs,
      },
      { deadlineMs: this.host.deadlineMs },
    )
  }

  private onAnswer(
    answer: InferAnswer,
    sentAt: number,
    capturedAtMs: number | undefined,
    use: (text: string) => void,
  ): void {
    let text: string
    try {
      text = transcriptOf(
        answer.responses[answer.responses.length - 1],
        this.profile.decoder?.transcriptOutput,
      )
    } catch (e) {
      this.host.ledger.failed('decode-error', answer.latencyMs)
      this.host.emit({ kind: 'request-error', message: errorText(e), timeSec: this.startSec })
      return
    }
    const captureToSend = capturedAtMs !== undefined ? sentAt - capturedAtMs : undefined
    this.host.ledger.succeeded(answer.latencyMs, captureToSend)
    if (text === '') this.host.ledger.emptyAnswers++
    use(text)
  }

  /** Counts and reports a failure; says which kind it was. */
  private onFailure(
    error: unknown,
    channel: InferChannel,
    sentAt: number,
    timeSec: number,
  ): 'link' | 'request' | 'other' {
    const c = classifyFailure(error)
    if (c.kind === 'link') this.host.linkLost(channel, c.error)
    else if (c.kind === 'fatal') this.host.fail(error)
    else if (c.kind === 'request') {
      this.host.ledger.failed(c.outcome, Date.now() - sentAt)
      this.host.emit({ kind: 'request-error', message: errorText(error), timeSec })
      return 'request'
    }
    return c.kind === 'link' ? 'link' : 'other'
  }

  async resume(channel: InferChannel): Promise<void> {
    this.attempt++
    this.interim = undefined
    const jobs = [...this.finals.values()]
    // A final the server dies on every time is given up after MAX_ATTEMPTS; on a stream, the
    // finals queued behind it are not.
    for (const job of blamed(jobs, () => true, channel.ordered)) job.strikes++
    for (const job of jobs) {
      job.attempt++
      if (job.strikes >= MAX_ATTEMPTS) {
        this.finals.delete(job.utterance)
        this.host.ledger.failed('timeout', 0)
        const kept = this.options.untranscribed
        kept?.keep(job.startSec, [job.window])
        this.host.emit({
          kind: 'request-error',
          message: `utterance ${job.utterance + 1} was sent ${MAX_ATTEMPTS} times without an answer; its ${(job.window.length / this.rate).toFixed(1)} s of audio were not transcribed${kept ? KEPT : ''}`,
          timeSec: job.startSec,
        })
        continue
      }
      this.host.ledger.retries++
      await this.sendFinal(job, channel)
    }
  }

  async finish(channel: InferChannel): Promise<void> {
    if (this.audio.length > 0) await this.endUtterance(channel)
  }

  settled(): Promise<void> {
    return this.inFlightSet.settled()
  }

  abandon(): AbandonedWork<AudioChunkIn> {
    const items: AudioChunkIn[] = [...this.finals.values()].map((job) => ({
      samples: job.window,
      validSamples: job.window.length,
      startSec: job.startSec,
      last: false,
    }))
    const requests = this.finals.size + (this.endpointer.heardVoice ? 1 : 0)
    if (this.audio.length > 0)
      items.push({
        samples: this.window(),
        validSamples: this.audio.length,
        startSec: this.startSec,
        last: false,
      })
    this.finals.clear()
    this.audio = this.buffers.take()
    this.leading = []
    this.attempt = Number.POSITIVE_INFINITY
    return { requests, items }
  }
}
