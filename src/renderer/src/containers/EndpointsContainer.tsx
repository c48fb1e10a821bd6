import { useCallback } from 'react'
import type { EndpointDraft } from '../../../shared/ipc-contract'
import { useApi } from '../bridge'
import { EndpointsPanel } from '../components/EndpointsPanel'
import { useSessionController } from '../session/controller-context'
import { useAppStore, useAppStoreApi } from '../store'
import {
  selectConnectedEndpointId,
  selectConnecting,
  selectConnectionError,
  selectEndpoints,
  selectHealth,
  selectSelectedEndpointId,
  selectSessionLocked,
} from '../store/selectors'

export function EndpointsContainer() {
  const api = useApi()
  const store = useAppStoreApi()
  const controller = useSessionController()
  const endpoints = useAppStore(selectEndpoints)
  const selectedId = useAppStore(selectSelectedEndpointId)
  const connectedId = useAppStore(selectConnectedEndpointId)
  const connecting = useAppStore(selectConnecting)
  const sessionActive = useAppStore(selectSessionLocked)
  const health = useAppStore(selectHealth)
  const error = useAppStore(selectConnectionError)
  const selectEndpoint = useAppStore((s) => s.selectEndpoint)
  const connect = useAppStore((s) => s.connect)
  const disconnect = useAppStore((s) => s.disconnect)
  const saveEndpoint = useAppStore((s) => s.saveEndpoint)
  const removeEndpoint = useAppStore((s) => s.removeEndpoint)
  const dismiss = useAppStore((s) => s.dismissConnectionError)
  // A session streams to the connected endpoint; switching away ends it first.
  const onConnect = useCallback(
    (id: string) => void controller.stop().then(() => connect(id)),
    [controller, connect],
  )
  const onDisconnect = useCallback(
    () => void controller.stop().then(disconnect),
    [controller, disconnect],
  )
  // Saving or removing the connected endpoint drops main's client, which would cut the session
  // off under the running devices: stop it through the controller first, as Connect does.
  const stopIfConnectedTo = useCallback(
    async (id: string | undefined): Promise<void> => {
      if (id !== undefined && id === store.getState().connection.connectedId)
        await controller.stop()
    },
    [store, controller],
  )
  const onSave = useCallback(
    async (draft: EndpointDraft) => {
      await stopIfConnectedTo(draft.id)
      return saveEndpoint(draft)
    },
    [stopIfConnectedTo, saveEndpoint],
  )
  const onRemove = useCallback(
    async (id: string) => {
      await stopIfConnectedTo(id)
      return removeEndpoint(id)
    },
    [stopIfConnectedTo, removeEndpoint],
  )
  const onPickPem = useCallback(() => api.files.pick('pem'), [api])
  return (
    <EndpointsPanel
      endpoints={endpoints}
      selectedId={selectedId}
      connectedId={connectedId}
      connecting={connecting}
      sessionActive={sessionActive}
      health={health}
      error={error}
      onSelect={selectEndpoint}
      onConnect={onConnect}
      onDisconnect={onDisconnect}
      onSave={onSave}
      onRemove={onRemove}
      onPickPem={onPickPem}
      onDismissError={dismiss}
    />
  )
}
