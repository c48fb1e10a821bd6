import type {
  EndpointDraft,
  EndpointHealth,
  EndpointProfile,
  Result,
  UserError,
} from '../../../shared/ipc-contract'
import type { SliceCreator, StoreDeps } from './types'

export interface ConnectionState {
  endpoints: EndpointProfile[]
  /** True once the endpoint list has been fetched at least once. */
  loaded: boolean
  selectedId?: string
  connectedId?: string
  connecting: boolean
  health?: EndpointHealth
  error?: UserError
}

export interface ConnectionSlice {
  connection: ConnectionState
  loadEndpoints(): Promise<void>
  selectEndpoint(id: string): void
  /** Checks health, then lists models. Resolves true when the endpoint answered live. */
  connect(id?: string): Promise<boolean>
  disconnect(): void
  refreshHealth(): Promise<void>
  saveEndpoint(draft: EndpointDraft): Promise<Result<EndpointProfile>>
  removeEndpoint(id: string): Promise<Result<void>>
  dismissConnectionError(): void
  /** First load: pick the demo endpoint and connect, so a newcomer sees models at once. */
  bootstrap(): Promise<void>
}

export function initialConnectionState(): ConnectionState {
  return { endpoints: [], loaded: false, connecting: false }
}

/** The built-in demo endpoint first, the rest in the order main keeps them. */
export function orderEndpoints(list: EndpointProfile[]): EndpointProfile[] {
  return [...list.filter((e) => e.builtInDemo), ...list.filter((e) => !e.builtInDemo)]
}

export function createConnectionSlice(deps: StoreDeps): SliceCreator<ConnectionSlice> {
  const { api } = deps
  let bootstrapped = false
  return (set, get) => {
    const patch = (p: Partial<ConnectionState>, action: string): void =>
      set((s) => ({ connection: { ...s.connection, ...p } }), undefined, `connection/${action}`)

    return {
      connection: initialConnectionState(),

      async loadEndpoints() {
        const r = await api.endpoints.list()
        if (!r.ok) return patch({ error: r.error, loaded: true }, 'loadEndpointsFailed')
        const endpoints = orderEndpoints(r.value)
        const { selectedId } = get().connection
        const keep = endpoints.some((e) => e.id === selectedId)
        patch(
          { endpoints, loaded: true, selectedId: keep ? selectedId : endpoints[0]?.id },
          'endpointsLoaded',
        )
      },

      selectEndpoint(id) {
        patch({ selectedId: id }, 'select')
      },

      async connect(id) {
        const target = id ?? get().connection.selectedId
        if (!target) return false
        if (get().connection.connectedId && get().connection.connectedId !== target) {
          get().disconnect()
        }
        patch({ selectedId: target, connecting: true, error: undefined }, 'connect')
        const r = await api.endpoints.health(target)
        if (get().connection.selectedId !== target) return false
        if (!r.ok) {
          patch({ connecting: false, connectedId: undefined, error: r.error }, 'connectFailed')
          return false
        }
        const health = r.value
        if (!health.live) {
          const error = health.error ?? {
            message: 'The server did not answer as live.',
            hint: 'Check that Triton is running and the URL and port are right.',
            kind: 'not-live',
          }
          patch({ connecting: false, connectedId: undefined, health, error }, 'connectFailed')
          return false
        }
        patch({ connecting: false, connectedId: target, health }, 'connected')
        // The demo endpoint gets its address only once it has started: show the real one.
        if (get().connection.endpoints.find((e) => e.id === target)?.builtInDemo) {
          await get().loadEndpoints()
        }
        await get().loadModels(target)
        return true
      },

      disconnect() {
        patch({ connectedId: undefined, health: undefined, connecting: false }, 'disconnect')
        get().clearModels()
      },

      async refreshHealth() {
        const id = get().connection.connectedId
        if (!id) return
        const r = await api.endpoints.health(id)
        if (get().connection.connectedId !== id) return
        if (!r.ok) return patch({ error: r.error }, 'healthFailed')
        // A failed check keeps the connection: the badge turns red and the poll carries on.
        patch({ health: r.value, error: r.value.error }, 'health')
      },

      async saveEndpoint(draft) {
        const r = await api.endpoints.save(draft)
        if (!r.ok) return r
        const saved = r.value
        const others = get().connection.endpoints.filter((e) => e.id !== saved.id)
        const existing = get().connection.endpoints.findIndex((e) => e.id === saved.id)
        const endpoints =
          existing >= 0
            ? get().connection.endpoints.map((e) => (e.id === saved.id ? saved : e))
            : orderEndpoints([...others, saved])
        patch({ endpoints, selectedId: saved.id }, 'saved')
        return r
      },

      async removeEndpoint(id) {
        const r = await api.endpoints.remove(id)
        if (!r.ok) return r
        if (get().connection.connectedId === id) get().disconnect()
        const endpoints = get().connection.endpoints.filter((e) => e.id !== id)
        const { selectedId } = get().connection
        patch(
          { endpoints, selectedId: selectedId === id ? endpoints[0]?.id : selectedId },
          'removed',
        )
        return r
      },

      dismissConnectionError() {
        patch({ error: undefined }, 'dismissError')
      },

      async bootstrap() {
        // React's StrictMode mounts twice in development; connect once.
        if (bootstrapped) return
        bootstrapped = true
        await get().loadEndpoints()
        const { endpoints, connectedId } = get().connection
        if (connectedId) return
        const first = endpoints.find((e) => e.builtInDemo) ?? endpoints[0]
        if (first) await get().connect(first.id)
      },
    }
  }
}
