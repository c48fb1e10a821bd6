// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  ModelBrowser,
  type ModelBrowserProps,
} from '../../../src/renderer/src/components/ModelBrowser'
import type { ModelSummary } from '../../../src/shared/ipc-contract'
import { ok } from './fake-bridge'

afterEach(cleanup)

const MODELS: ModelSummary[] = [
  {
    name: 'tone-transcriber-streaming-with-a-very-long-name-that-cannot-fit',
    version: '1',
    state: 'READY',
    reason: '',
    description: 'Demo streaming transcriber: understands tone-coded audio only.',
  },
  {
    name: 'meta-absurd-dims',
    version: '1',
    state: 'READY',
    reason: '',
    error: {
      message: "the metadata of 'meta-absurd-dims': dimension 3000000000000000000 is too big",
      hint: 'fix the model',
      kind: 'decode',
    },
  },
  { name: 'box-finder', version: '2', state: 'UNAVAILABLE', reason: 'unloaded' },
]

function setup(over: Partial<ModelBrowserProps> = {}) {
  const props: ModelBrowserProps = {
    connected: true,
    models: MODELS,
    loading: false,
    detailsLoading: false,
    serverLabel: 'Demo (127.0.0.1:8001)',
    onSelect: vi.fn(),
    onRefresh: vi.fn(),
    onLoad: vi.fn(),
    onUnload: vi.fn(),
    onSaveProfile: vi.fn(async () => ok(undefined as never)),
    onDismissError: vi.fn(),
    ...over,
  }
  render(<ModelBrowser {...props} />)
  return props
}

const row = (name: string) =>
  screen.getAllByTestId('model-row').find((r) => r.getAttribute('data-model') === name)!

describe('ModelBrowser rows', () => {
  it('names each model on one line with the whole name in its tooltip, and says what it understands', () => {
    setup()
    const long = row(MODELS[0].name)
    const name = long.querySelector('.model-name')!
    expect(name.getAttribute('title')).toBe(MODELS[0].name)
    expect(within(long).getByTestId('model-row-description').textContent).toBe(
      MODELS[0].description,
    )
    expect(within(row('box-finder')).queryByTestId('model-row-description')).toBeNull()
  })

  it('lists a model whose metadata cannot be read as one row with its error, among the others', () => {
    setup()
    expect(screen.getAllByTestId('model-row')).toHaveLength(3)
    const broken = row('meta-absurd-dims')
    expect(broken.getAttribute('data-error')).toBe('true')
    const error = within(broken).getByTestId('model-row-error')
    expect(error.textContent).toBe(`error: ${MODELS[1].error!.message}`)
    expect(error.getAttribute('title')).toBe(`${MODELS[1].error!.message} — fix the model`)
    expect(row(MODELS[0].name).getAttribute('data-error')).toBeNull()
  })
})

describe('Load and Unload', () => {
  it('asks before unloading, says it acts on the server for every user, and Cancel does nothing', () => {
    const props = setup()
    fireEvent.click(within(row(MODELS[0].name)).getByTestId('model-unload'))
    const dialog = screen.getByTestId('model-action-confirm')
    expect(dialog.textContent).toContain('This acts on Demo (127.0.0.1:8001), for every user')
    expect(dialog.textContent).toContain('not only this window')
    fireEvent.click(screen.getByTestId('model-action-confirm-cancel'))
    expect(screen.queryByTestId('model-action-confirm')).toBeNull()
    expect(props.onUnload).not.toHaveBeenCalled()

    fireEvent.click(within(row(MODELS[0].name)).getByTestId('model-unload'))
    fireEvent.click(screen.getByTestId('model-action-confirm-confirm'))
    expect(props.onUnload).toHaveBeenCalledWith(MODELS[0].name)
  })

  it('turns Unload off, with the reason, for the model a session is using', () => {
    setup({ inUse: MODELS[0].name, locked: true, selected: MODELS[0].name })
    const unload = within(row(MODELS[0].name)).getByTestId('model-unload') as HTMLButtonElement
    expect(unload.disabled).toBe(true)
    expect(unload.title).toBe(`${MODELS[0].name} is in use by the running session: stop it first.`)
    const load = within(row('box-finder')).getByTestId('model-load') as HTMLButtonElement
    expect(load.disabled).toBe(false)
  })
})
