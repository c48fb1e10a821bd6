import type { ModelDetails, ModelSummary, Result, UserError } from '../../../shared/ipc-contract'
import type { ModelProfile } from '../../../shared/model-profile'
import { selectModelInUse } from './selectors'
import { forgetFinishedSession } from './session-hygiene'
import type { SliceCreator, StoreDeps } from './types'

export interface ModelsState {
  endpointId?: string
  list: ModelSummary[]
  loading: boolean
  error?: UserError
  selected?: string
  details?: ModelDetails
  detailsLoading: boolean
  detailsError?: UserError
  /** The model a load or unload is running for. */
  busyModel?: string
}

export interface ModelsSlice {
  models: ModelsState
  loadModels(endpointId: string): Promise<void>
  clearModels(): void
  selectModel(name: string): Promise<void>
  saveProfile(profile: ModelProfile | null): Promise<Result<ModelDetails>>
  loadModel(name: string): Promise<void>
  unloadModel(name: string): Promise<void>
  dismissModelsError(): void
}

export function initialModelsState(): ModelsState {
  return { list: [], loading: false, detailsLoading: false }
}

export function isReadyState(state: string): boolean {
  return state.toUpperCase() === 'READY'
}

/** Keeps the user's pick if it is still listed, else the first ready model. */
export function pickModel(list: ModelSummary[], current?: string): string | undefined {
  if (current && list.some((m) => m.name === current)) return current
  return list.find((m) => isReadyState(m.state))?.name
}

export function createModelsSlice(deps: StoreDeps): SliceCreator<ModelsSlice> {
  const { api } = deps
  return (set, get) => {
    const patch = (p: Partial<ModelsState>, action: string): void =>
      set((s) => ({ models: { ...s.models, ...p } }), undefined, `models/${action}`)

    return {
      models: initialModelsState(),

      async loadModels(endpointId) {
        const sameEndpoint = get().models.endpointId === endpointId
        patch(
          {
            endpointId,
            loading: true,
            error: undefined,
            ...(sameEndpoint ? {} : { list: [], selected: undefined, details: undefined }),
          },
          'loadList',
        )
        const r = await api.models.list(endpointId)
        if (get().models.endpointId !== endpointId) return
        if (!r.ok) return patch({ loading: false, error: r.error }, 'listFailed')
        const list = [...r.value].sort((a, b) => a.name.localeCompare(b.name))
        const previous = get().models.selected
        const selected = pickModel(list, previous)
        patch({ loading: false, list }, 'listed')
        if (selected && (selected !== previous || !get().models.details)) {
          await get().selectModel(selected)
        }
      },

      clearModels() {
        set({ models: initialModelsState() }, undefined, 'models/clear')
      },

      async selectModel(name) {
        const endpointId = get().models.endpointId
        if (!endpointId) return
        if (name !== get().models.selected) {
          set(
            (s) => ({ session: forgetFinishedSession(s.session) }),
            undefined,
            'models/forgetSession',
          )
        }
        patch(
          { selected: name, detailsLoading: true, detailsError: undefined, details: undefined },
          'select',
        )
        const r = await api.models.details(endpointId, name)
        if (get().models.selected !== name || get().models.endpointId !== endpointId) return
        if (!r.ok) return patch({ detailsLoading: false, detailsError: r.error }, 'detailsFailed')
        patch({ detailsLoading: false, details: r.value }, 'details')
      },

      async saveProfile(profile) {
        const { endpointId, selected } = get().models
        if (!endpointId || !selected) {
          return {
            ok: false,
            error: { message: 'No model selected.', hint: 'Pick a model first.', kind: 'state' },
          }
        }
        const r = await api.models.saveProfile(endpointId, selected, profile)
        if (r.ok && get().models.selected === selected) patch({ details: r.value }, 'profileSaved')
        return r
      },

      async loadModel(name) {
        await loadOrUnload(name, 'load')
      },

      async unloadModel(name) {
        await loadOrUnload(name, 'unload')
      },

      dismissModelsError() {
        patch({ error: undefined }, 'dismissError')
      },
    }

    async function loadOrUnload(name: string, op: 'load' | 'unload'): Promise<void> {
      const endpointId = get().models.endpointId
      if (!endpointId) return
      // The button is off for it too; a shortcut or a race must not pull a model from under a session.
      if (selectModelInUse(get()) === name) {
        const error = {
          message: `${name} is in use by the running session.`,
          hint: `Stop the session before you ${op} it.`,
          kind: 'state',
        }
        return patch({ error }, `${op}Refused`)
      }
      patch({ busyModel: name, error: undefined }, op)
      const r =
        op === 'load'
          ? await api.models.load(endpointId, name)
          : await api.models.unload(endpointId, name)
      patch({ busyModel: undefined, ...(r.ok ? {} : { error: r.error }) }, `${op}Done`)
      await get().loadModels(endpointId)
    }
  }
}
