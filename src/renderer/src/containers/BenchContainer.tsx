import { useCallback, useEffect, useMemo, useState } from 'react'
import type { ModelSummary, Result } from '../../../shared/ipc-contract'
import { useApi } from '../bridge'
import { BenchPanel, type CompareModels } from '../components/BenchPanel'
import { useAppStore } from '../store'
import { benchRequestFrom, type BenchSaveFormat } from '../store/bench-slice'
import {
  selectBench,
  selectConnectedEndpointId,
  selectEndpoints,
  selectModelList,
  selectSelectedModel,
} from '../store/selectors'

const names = (list: readonly ModelSummary[]): string[] => list.map((m) => m.name).sort()

/**
 * The models of the endpoint picked to compare with, when it is not the connected one: asked
 * of that endpoint, since its repository may hold different models.
 */
function useCompareModels(
  endpointId: string | undefined,
  connectedModels: readonly string[],
): CompareModels {
  const api = useApi()
  const [answer, setAnswer] = useState<{ endpointId: string; result: Result<ModelSummary[]> }>()
  useEffect(() => {
    if (!endpointId) return
    let current = true
    void api.models.list(endpointId).then((result) => {
      if (current) setAnswer({ endpointId, result })
    })
    return () => {
      current = false
    }
  }, [api, endpointId])
  return useMemo((): CompareModels => {
    if (!endpointId) return { models: connectedModels }
    if (answer?.endpointId !== endpointId) return { models: [], loading: true }
    return answer.result.ok
      ? { models: names(answer.result.value) }
      : { models: [], error: answer.result.error }
  }, [endpointId, answer, connectedModels])
}

export function BenchContainer() {
  const api = useApi()
  const bench = useAppStore(selectBench)
  const connectedId = useAppStore(selectConnectedEndpointId)
  const endpoints = useAppStore(selectEndpoints)
  const list = useAppStore(selectModelList)
  const selectedModel = useAppStore(selectSelectedModel)
  const setForm = useAppStore((s) => s.setBenchForm)
  const run = useAppStore((s) => s.runBench)
  const cancel = useAppStore((s) => s.cancelBench)
  const save = useAppStore((s) => s.saveBench)
  const dismiss = useAppStore((s) => s.dismissBenchError)

  const models = useMemo(() => list.map((m) => m.name), [list])
  const { compare, compareEndpointId } = bench.form
  const otherEndpoint =
    compare && compareEndpointId && compareEndpointId !== connectedId
      ? compareEndpointId
      : undefined
  const compareModels = useCompareModels(otherEndpoint, models)
  const built = benchRequestFrom(bench.form, connectedId, selectedModel)
  const blocker = 'blocker' in built ? built.blocker : undefined

  const onPickFile = useCallback(() => {
    void api.files.pick('media').then((r) => {
      if (r.ok && r.value) setForm({ filePath: r.value })
    })
  }, [api, setForm])
  const onRun = useCallback(() => void run(), [run])
  const onCancel = useCallback(() => void cancel(), [cancel])
  const onSave = useCallback((f: BenchSaveFormat) => void save(f), [save])

  return (
    <BenchPanel
      form={bench.form}
      models={models}
      compareModels={compareModels}
      selectedModel={selectedModel}
      endpoints={endpoints}
      connectedId={connectedId}
      blocker={blocker}
      running={bench.running}
      progress={bench.progress}
      report={bench.report}
      error={bench.error}
      saving={bench.saving}
      saved={bench.saved}
      saveError={bench.saveError}
      cancelled={bench.cancelled}
      onForm={setForm}
      onPickFile={onPickFile}
      onRun={onRun}
      onCancel={onCancel}
      onSave={onSave}
      onDismissError={dismiss}
    />
  )
}
