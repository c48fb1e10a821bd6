import { useCallback, useMemo } from 'react'
import { useApi } from '../bridge'
import { BenchPanel } from '../components/BenchPanel'
import { useAppStore } from '../store'
import { benchRequestFrom } from '../store/bench-slice'
import {
  selectBench,
  selectConnectedEndpointId,
  selectEndpoints,
  selectModelList,
  selectSelectedModel,
} from '../store/selectors'

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
  const built = benchRequestFrom(bench.form, connectedId, selectedModel)
  const blocker = 'blocker' in built ? built.blocker : undefined

  const onPickFile = useCallback(async () => {
    const r = await api.files.pick('media')
    if (r.ok && r.value) setForm({ filePath: r.value })
  }, [api, setForm])

  return (
    <BenchPanel
      form={bench.form}
      models={models}
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
      onPickFile={() => void onPickFile()}
      onRun={() => void run()}
      onCancel={() => void cancel()}
      onSave={(f) => void save(f)}
      onDismissError={dismiss}
    />
  )
}
