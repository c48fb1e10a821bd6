import { useCallback, useEffect, useRef, useState } from 'react'
import type { ModelDetails, UserError } from '../../../shared/ipc-contract'
import {
  MAX_RESPONSES_KEPT,
  type ResponseView,
  type SingleRequestResult,
} from '../../../shared/single-request'
import { useApi } from '../bridge'
import { RequestView } from '../components/RequestView'
import type { ResultView } from '../components/RequestResults'
import { initialDrafts, toRequestInputs, type InputDraftState } from '../components/request-drafts'
import { useAppStore } from '../store'
import { selectModelDetails } from '../store/selectors'

/** The Request view for the picked model: drafts per input, Send, responses as they arrive. */
export function RequestContainer() {
  const details = useAppStore(selectModelDetails)
  const endpointId = useAppStore((s) => s.models.endpointId)
  if (!details || !endpointId) {
    return <p className="muted">Pick a ready model to send it a request.</p>
  }
  // A new model (or endpoint) starts from its own inputs.
  return (
    <ModelRequest key={`${endpointId}:${details.name}`} endpointId={endpointId} details={details} />
  )
}

function ModelRequest({ endpointId, details }: { endpointId: string; details: ModelDetails }) {
  const api = useApi()
  const [drafts, setDrafts] = useState<InputDraftState[]>(() => initialDrafts(details))
  const [pending, setPending] = useState(false)
  const [responses, setResponses] = useState<ResponseView[]>([])
  const [result, setResult] = useState<SingleRequestResult>()
  const [error, setError] = useState<UserError>()
  const [view, setView] = useState<ResultView>('text')
  const current = useRef<string | undefined>(undefined)

  useEffect(
    () =>
      api.models.onInferResponse((e) => {
        if (e.requestId !== current.current) return
        // Main sends at most MAX_RESPONSES_KEPT in all; the bound holds here too.
        setResponses((list) => [...list, ...e.responses].slice(0, MAX_RESPONSES_KEPT))
      }),
    [api],
  )
  // Leaving the model (or the tab's window) gives up on its request still in flight.
  useEffect(
    () => () => {
      const id = current.current
      current.current = undefined
      if (id) void api.models.cancelInfer(id)
    },
    [api],
  )

  const onCancel = useCallback(() => {
    const id = current.current
    if (id) void api.models.cancelInfer(id)
  }, [api])

  const onDraft = useCallback((name: string, patch: Partial<InputDraftState>) => {
    setDrafts((list) => list.map((d) => (d.name === name ? { ...d, ...patch } : d)))
  }, [])

  const onPickFile = useCallback(
    async (name: string) => {
      const r = await api.files.pick('data')
      if (!r.ok) return setError(r.error)
      if (r.value) onDraft(name, { path: r.value })
    },
    [api, onDraft],
  )

  const onSend = useCallback(async () => {
    const built = toRequestInputs(drafts)
    if ('problem' in built) {
      return setError({
        message: built.problem,
        hint: 'Fix the input and send again.',
        kind: 'input',
      })
    }
    const requestId = crypto.randomUUID()
    current.current = requestId
    setPending(true)
    setError(undefined)
    setResult(undefined)
    setResponses([])
    const r = await api.models.infer({
      endpointId,
      model: details.name,
      requestId,
      inputs: built.inputs,
    })
    if (current.current !== requestId) return
    setPending(false)
    // A request the user cancelled ends quietly; what arrived before stays on screen.
    if (!r.ok) return r.error.kind === 'cancelled' ? undefined : setError(r.error)
    // The final list is the authority; the streamed one only showed progress.
    setResponses(r.value.responses)
    setResult(r.value)
  }, [api, drafts, endpointId, details.name])

  return (
    <RequestView
      model={details.name}
      description={details.description}
      decoupled={details.decoupled}
      drafts={drafts}
      onDraft={onDraft}
      onPickFile={(name) => void onPickFile(name)}
      onSend={() => void onSend()}
      onCancel={onCancel}
      pending={pending}
      responses={responses}
      result={result}
      error={error}
      onDismissError={() => setError(undefined)}
      view={view}
      onView={setView}
    />
  )
}
