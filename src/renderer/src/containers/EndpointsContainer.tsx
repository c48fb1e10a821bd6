import { useCallback } from 'react'
import { useApi } from '../bridge'
import { EndpointsPanel } from '../components/EndpointsPanel'
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
  const onConnect = useCallback((id: string) => void connect(id), [connect])
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
      onDisconnect={disconnect}
      onSave={saveEndpoint}
      onRemove={removeEndpoint}
      onPickPem={onPickPem}
      onDismissError={dismiss}
    />
  )
}
