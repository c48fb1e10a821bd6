import type { ModelProfile } from '../../../shared/model-profile'
import type { InferAnswer, InferChannel } from '../../transport/infer-channel'
import { audioInputs } from '../request-builder'
import { transcriptOf } from '../transcript-text'
import { copySamples, Endpointer, type AudioChunkIn } from './audio-chunk'
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

/** An utterance that has ended and waits for its final text. */
interface FinalJob {
  utterance: number
  window: Float32Array
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
  private chunks: AudioChunkIn[] = []
  private samples = 0
  private startSec = 0
  private lastInterimAt = 0
  private interim = false
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
    this.endpointer = new Endpointer(this.rate, audio.endpointSilenceSec, audio.maxWindowSec ?? 30)
    this.utterance = options.firstUtterance ?? 0
  }

  get inFlight(): number {
    return this.inFlightSet.size
  }

  async push(chunk: AudioChunkIn, channel: InferChannel): Promise<void> {
    if (this.chunks.length === 0) this.startSec = chunk.startSec
    this.chunks.push(chunk)
    this.samples += chunk.validSamples
    const ended = this.endpointer.feed(chunk)
    if (!this.endpointer.heardVoice) this.trimLeadingSilence()
    if (ended) return this.endUtterance(channel)
    if (
      this.endpointer.heardVoice &&
      !this.interim &&
      this.samples - this.lastInterimAt >= this.hop
    ) {
      this.lastInterimAt = this.samples
      await this.inFlightSet.room(4)
      this.sendInterim(channel)
    }
  }

  /** Nothing said yet: keep only the last second, so leading silence is not re-sent forever. */
  private trimLeadingSilence(): void {
    while (this.chunks.length > 1 && this.samples - this.chunks[0].validSamples >= this.rate) {
      const old = this.chunks.shift() as AudioChunkIn
      this.samples -= old.validSamples
      this.startSec = this.chunks[0].startSec
    }
  }

  private window(): Float32Array {
    const out = new Float32Array(this.samples)
    copySamples(this.chunks, 0, this.samples, out)
    return out
  }

  private async endUtterance(channel: InferChannel): Promise<void> {
    const voiced = this.endpointer.heardVoice
    const job: FinalJob = {
      utterance: this.utterance,
      window: this.window(),
      startSec: this.startSec,
      endSec: this.startSec + this.samples / this.rate,
      attempt: 0,
      strikes: 0,
      capturedAtMs: this.chunks[this.chunks.length - 1]?.capturedAtMs,
    }
    this.chunks = []
    this.samples = 0
    this.lastInterimAt = 0
    this.lastText = ''
    this.endpointer.reset()
    if (!voiced) return
    this.utterance++
    this.finals.set(job.utterance, job)
    await this.sendFinal(job, channel)
  }

  private sendInterim(channel: InferChannel): void {
    if (channel.closed) return
    this.interim = true
    const attempt = this.attempt
    const utterance = this.utterance
    const window = this.window()
    const startSec = this.startSec
    const sentAt = Date.now()
    const capturedAtMs = this.chunks[this.chunks.length - 1]?.capturedAtMs
    this.inFlightSet.track(
      this.request(window, channel).then(
        (answer) => {
          this.interim = false
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
          this.interim = false
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
    this.interim = false
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
    if (this.chunks.length > 0) await this.endUtterance(channel)
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
    items.push(...this.chunks)
    this.finals.clear()
    this.chunks = []
    this.samples = 0
    this.attempt = Number.POSITIVE_INFINITY
    return { requests, items }
  }
}
