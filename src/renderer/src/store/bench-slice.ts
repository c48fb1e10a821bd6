import type {
  BenchProgressEvent,
  BenchReport,
  BenchRequest,
  UserError,
} from '../../../shared/ipc-contract'
import { benchTransportChoice, type BenchTransportKey } from '../../../shared/bench-transports'
import type { SliceCreator, StoreDeps } from './types'

export type BenchSaveFormat = 'md' | 'csv' | 'json'

export interface BenchForm {
  /** '' means the model selected in the browser. */
  model: string
  mode: 'rate' | 'concurrency'
  rate: number
  concurrency: number
  durationSec: number
  /** Input taken from this file; generated data when absent. */
  filePath?: string
  /** How the requests travel (the endpoint's URL picks gRPC or HTTP). */
  transport: BenchTransportKey
  compare: boolean
  /** '' means the same model. */
  compareModel: string
  /** '' means the same endpoint. */
  compareEndpointId: string
  /** '' means the same transport. */
  compareTransport: BenchTransportKey | ''
}

export interface BenchState {
  form: BenchForm
  running: boolean
  progress?: BenchProgressEvent
  report?: BenchReport
  error?: UserError
  saving?: BenchSaveFormat
  saved?: { format: BenchSaveFormat; path: string }
  saveError?: UserError
  /** The last run was stopped by the user. */
  cancelled?: boolean
}

export interface BenchSlice {
  bench: BenchState
  setBenchForm(patch: Partial<BenchForm>): void
  runBench(): Promise<void>
  cancelBench(): Promise<void>
  saveBench(format: BenchSaveFormat): Promise<void>
  dismissBenchError(): void
  /** Progress from main's bench channel, while a run lasts. */
  benchProgress(event: BenchProgressEvent): void
}

export function initialBenchState(): BenchState {
  return {
    form: {
      model: '',
      mode: 'rate',
      rate: 10,
      concurrency: 1,
      durationSec: 5,
      transport: 'default',
      compare: false,
      compareModel: '',
      compareEndpointId: '',
      compareTransport: '',
    },
    running: false,
  }
}

/** Why Run is disabled, or the request it sends. */
export function benchRequestFrom(
  form: BenchForm,
  endpointId: string | undefined,
  selectedModel: string | undefined,
): { request: BenchRequest } | { blocker: string } {
  if (!endpointId) return { blocker: 'Connect to an endpoint first.' }
  const model = form.model || selectedModel
  if (!model) return { blocker: 'Pick a model.' }
  if (!(form.durationSec > 0)) return { blocker: 'Give a duration above 0 s.' }
  if (form.mode === 'rate' && !(form.rate > 0)) return { blocker: 'Give a rate above 0 req/s.' }
  if (form.mode === 'concurrency' && !(form.concurrency >= 1))
    return { blocker: 'Give a concurrency of at least 1.' }
  const request: BenchRequest = {
    endpointId,
    model,
    mode: form.mode,
    durationSec: form.durationSec,
    ...(form.mode === 'rate' ? { rate: form.rate } : { concurrency: Math.round(form.concurrency) }),
    ...(form.filePath ? { filePath: form.filePath } : {}),
    ...(form.transport !== 'default' ? { transport: benchTransportChoice(form.transport) } : {}),
  }
  if (form.compare) {
    const compareModel = form.compareModel || undefined
    const compareEndpoint =
      form.compareEndpointId && form.compareEndpointId !== endpointId
        ? form.compareEndpointId
        : undefined
    const compareTransport =
      form.compareTransport && form.compareTransport !== form.transport
        ? form.compareTransport
        : undefined
    if (!compareEndpoint && !compareTransport && (!compareModel || compareModel === model)) {
      return { blocker: 'Compare needs another model, endpoint or transport.' }
    }
    request.compare = {
      ...(compareEndpoint ? { endpointId: compareEndpoint } : {}),
      ...(compareModel ? { model: compareModel } : {}),
      ...(compareTransport ? { transport: benchTransportChoice(compareTransport) } : {}),
    }
  }
  return { request }
}

/** Progress comes through the session event stream; only a running benchmark takes it. */
export function reduceBenchProgress(b: BenchState, e: BenchProgressEvent | undefined): BenchState {
  return e && b.running ? { ...b, progress: e } : b
}

export function createBenchSlice(deps: StoreDeps): SliceCreator<BenchSlice> {
  const { api } = deps
  return (set, get) => {
    const patch = (p: Partial<BenchState>, action: string): void =>
      set((s) => ({ bench: { ...s.bench, ...p } }), undefined, `bench/${action}`)

    return {
      bench: initialBenchState(),

      benchProgress(event) {
        set((s) => ({ bench: reduceBenchProgress(s.bench, event) }), undefined, 'bench/progress')
      },

      setBenchForm(p) {
        set(
          (s) => ({ bench: { ...s.bench, form: { ...s.bench.form, ...p } } }),
          undefined,
          'bench/form',
        )
      },

      async runBench() {
        const s = get()
        if (s.bench.running) return
        const built = benchRequestFrom(s.bench.form, s.connection.connectedId, s.models.selected)
        if ('blocker' in built) {
          patch({ error: { message: built.blocker, hint: '', kind: 'bench-form' } }, 'blocked')
          return
        }
        patch(
          {
            running: true,
            progress: undefined,
            error: undefined,
            saved: undefined,
            saveError: undefined,
            cancelled: false,
          },
          'run',
        )
        const r = await api.bench.run(built.request)
        if (r.ok) patch({ running: false, report: r.value }, 'done')
        // Stopping on purpose is not a failure: no red banner for it.
        else if (r.error.kind === 'cancelled' || get().bench.cancelled)
          patch({ running: false, cancelled: true }, 'cancelled')
        else patch({ running: false, error: r.error }, 'failed')
      },

      async cancelBench() {
        if (!get().bench.running) return
        patch({ cancelled: true }, 'cancel')
        const r = await api.bench.cancel()
        if (!r.ok) patch({ error: r.error }, 'cancelFailed')
      },

      async saveBench(format) {
        if (get().bench.saving) return
        patch({ saving: format, saveError: undefined }, 'save')
        const r = await api.bench.export(format)
        if (!r.ok) patch({ saving: undefined, saveError: r.error }, 'saveFailed')
        else if (r.value) patch({ saving: undefined, saved: { format, path: r.value } }, 'saved')
        else patch({ saving: undefined }, 'saveCancelled')
      },

      dismissBenchError() {
        patch({ error: undefined, saveError: undefined }, 'dismissError')
      },
    }
  }
}
