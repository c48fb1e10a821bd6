import { useCallback, useState } from 'react'
import type { DoctorReport, UserError } from '../../../shared/ipc-contract'
import { useApi } from '../bridge'
import { DoctorPanel } from '../components/DoctorPanel'
import { useAppStore } from '../store'
import { selectEndpoints, selectSelectedEndpointId } from '../store/selectors'

/** The Doctor for the endpoint selected in the list: run on demand, reset when it changes. */
export function DoctorContainer() {
  const api = useApi()
  const endpoints = useAppStore(selectEndpoints)
  const selectedId = useAppStore(selectSelectedEndpointId)
  const [open, setOpen] = useState(false)
  // Kept with the endpoint it is about, so selecting another one shows no stale verdict.
  const [result, setResult] = useState<{ id: string; report?: DoctorReport; error?: UserError }>()
  const [runningFor, setRunningFor] = useState<string>()
  const endpoint = endpoints.find((e) => e.id === selectedId)
  const onRun = useCallback(() => {
    if (!selectedId) return
    setRunningFor(selectedId)
    void api.endpoints.doctor(selectedId).then((r) => {
      setRunningFor(undefined)
      setResult(r.ok ? { id: selectedId, report: r.value } : { id: selectedId, error: r.error })
    })
  }, [api, selectedId])
  const mine = result?.id === selectedId ? result : undefined
  if (!endpoint) return null
  if (!open)
    return (
      <button
        type="button"
        className="link doctor-open"
        data-testid="doctor-open"
        onClick={() => {
          setOpen(true)
          onRun()
        }}
      >
        Diagnose this connection
      </button>
    )
  return (
    <DoctorPanel
      endpointName={endpoint.name}
      report={mine?.report}
      running={runningFor === selectedId}
      error={mine?.error}
      onRun={onRun}
    />
  )
}
