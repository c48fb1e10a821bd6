import { useCallback } from 'react'
import { useApi } from '../bridge'
import { ModelBrowser } from '../components/ModelBrowser'
import { useAppStore } from '../store'
import {
  selectBusyModel,
  selectConnectedEndpointId,
  selectDetailsError,
  selectDetailsLoading,
  selectEndpoints,
  selectModelInUse,
  selectModelDetails,
  selectModelList,
  selectModelsError,
  selectModelsLoading,
  selectSelectedModel,
  selectSessionLocked,
} from '../store/selectors'

export function ModelsContainer() {
  const api = useApi()
  const connectedId = useAppStore(selectConnectedEndpointId)
  const models = useAppStore(selectModelList)
  const loading = useAppStore(selectModelsLoading)
  const error = useAppStore(selectModelsError)
  const selected = useAppStore(selectSelectedModel)
  const details = useAppStore(selectModelDetails)
  const detailsLoading = useAppStore(selectDetailsLoading)
  const detailsError = useAppStore(selectDetailsError)
  const busyModel = useAppStore(selectBusyModel)
  const locked = useAppStore(selectSessionLocked)
  const inUse = useAppStore(selectModelInUse)
  const endpoints = useAppStore(selectEndpoints)
  const endpoint = endpoints.find((e) => e.id === connectedId)
  const serverLabel = endpoint ? `${endpoint.name} (${endpoint.url})` : undefined
  const loadModels = useAppStore((s) => s.loadModels)
  const selectModel = useAppStore((s) => s.selectModel)
  const loadModel = useAppStore((s) => s.loadModel)
  const unloadModel = useAppStore((s) => s.unloadModel)
  const saveProfile = useAppStore((s) => s.saveProfile)
  const dismiss = useAppStore((s) => s.dismissModelsError)
  const onRefresh = useCallback(() => {
    if (connectedId) void loadModels(connectedId)
  }, [connectedId, loadModels])
  const onSelect = useCallback((name: string) => void selectModel(name), [selectModel])
  const onLoad = useCallback((name: string) => void loadModel(name), [loadModel])
  const onUnload = useCallback((name: string) => void unloadModel(name), [unloadModel])
  const onPickLabels = useCallback(() => api.files.pick('labels'), [api])
  return (
    <ModelBrowser
      connected={!!connectedId}
      models={models}
      loading={loading}
      error={error}
      selected={selected}
      details={details}
      detailsLoading={detailsLoading}
      detailsError={detailsError}
      busyModel={busyModel}
      locked={locked}
      inUse={inUse}
      serverLabel={serverLabel}
      onSelect={onSelect}
      onRefresh={onRefresh}
      onLoad={onLoad}
      onUnload={onUnload}
      onSaveProfile={saveProfile}
      onPickLabels={onPickLabels}
      onDismissError={dismiss}
    />
  )
}
