import { useCallback } from 'react'
import { useApi } from '../bridge'
import { EndpointsPanel } from '../components/EndpointsPanel'
import { useSessionController } from '../session/controller-context'
import { useAppStore } from '../store'
import {
  selectConnectedEndpointId,
  selectConnecting,
  selectConnectionError,
  selectEndpoints,
  selectHealth,
  selectSelectedEndpointId,
} from '../store/selectors'

export function EndpointsContainer() {
  const api = useApi()
  const controller = useSessionController()
  const endpoints = useAppStore(selectEndpoints)
  const selectedId = useAppStore(selectSelectedEndpointId)
  const connectedId = useAppStore(selectConnectedEndpointId)
  const connecting = useAppStore(selectConnecting)
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
  const onPickPem = useCallback(() => api.files.pick('pem'), [api])
  return (
    <EndpointsPanel
      endpoints={endpoints}
      selectedId={selectedId}
      connectedId={connectedId}
      connecting={connecting}
      health={health}
      error={error}
      onSelect={selectEndpoint}
      onConnect={onConnect}
      onDisconnect={onDisconnect}
      onSave={saveEndpoint}
      onRemove={removeEndpoint}
      onPickPem={onPickPem}
      onDismissError={dismiss}
    />
  )
}
