// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import type { ReactNode } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { ApiContext } from '../../../src/renderer/src/bridge'
import { initialDrafts, toRequestInputs } from '../../../src/renderer/src/components/request-drafts'
import { RequestContainer } from '../../../src/renderer/src/containers/RequestContainer'
import { StageContainer } from '../../../src/renderer/src/containers/StageContainer'
import { createAppStore, StoreContext } from '../../../src/renderer/src/store'
import type { ModelDetails } from '../../../src/shared/ipc-contract'
import type { Result } from '../../../src/shared/ipc-contract'
import type {
  ResponseView,
  SingleRequest,
  SingleRequestResult,
} from '../../../src/shared/single-request'
import { asrDetails, demoBridge, fail, ok, type FakeBridge } from './fake-bridge'

afterEach(cleanup)

const splitter: ModelDetails = {
  ...asrDetails,
  name: 'word-splitter-decoupled',
  kind: 'generic',
  decoupled: true,
  sequenceBatching: false,
  inputs: [{ name: 'TEXT', datatype: 'BYTES', shape: [1] }],
  outputs: [{ name: 'WORD', datatype: 'BYTES', shape: [1] }],
  profile: undefined,
  description: 'Demo decoupled text model: takes a sentence in TEXT and answers once per word.',
}

const word = (index: number, text: string, final = false): ResponseView => ({
  index,
  final,
  atMs: index,
  parameters: {},
  outputs: [
    { name: 'WORD', datatype: 'BYTES', shape: [1], count: 1, values: [text], truncated: false },
  ],
})

async function mountStage(model: string, bridge: FakeBridge, view: ReactNode = <StageContainer />) {
  const store = createAppStore({ api: bridge.api })
  render(
    <ApiContext.Provider value={bridge.api}>
      <StoreContext.Provider value={store}>{view}</StoreContext.Provider>
    </ApiContext.Provider>,
  )
  await act(() => store.getState().loadModels('demo'))
  await act(() => store.getState().selectModel(model))
  return store
}

describe('the Request view', () => {
  it("shows a decoupled model's words as they arrive, and only its own request's", async () => {
    let release: () => void = () => undefined
    const bridge: FakeBridge = demoBridge({
      'models:details': ({ model }) => (model === splitter.name ? ok(splitter) : ok(asrDetails)),
      'models:infer': async (req) => {
        bridge.emitEvent('models:infer-response', {
          requestId: 'someone-else',
          responses: [word(1, 'stale')],
        })
        bridge.emitEvent('models:infer-response', {
          requestId: req.requestId,
          responses: [word(1, 'hello')],
        })
        bridge.emitEvent('models:infer-response', {
          requestId: req.requestId,
          responses: [word(2, 'world')],
        })
        await new Promise<void>((r) => (release = r))
        return ok({
          requestId: req.requestId,
          model: splitter.name,
          transport: 'gRPC stream',
          decoupled: true,
          responses: [word(1, 'hello'), word(2, 'world', true)],
          responseCount: 2,
          latencyMs: 4.5,
          firstResponseMs: 1.25,
          sentShapes: { TEXT: [1] },
        })
      },
    })
    await mountStage(splitter.name, bridge, <RequestContainer />)
    expect(screen.getByTestId('request-model').textContent).toBe('word-splitter-decoupled')
    fireEvent.change(screen.getByTestId('request-value'), { target: { value: 'hello world' } })
    fireEvent.click(screen.getByTestId('request-send'))
    await waitFor(() => expect(screen.getAllByTestId('request-output-line')).toHaveLength(2))
    expect(screen.getAllByTestId('request-output-line').map((l) => l.textContent)).toEqual([
      '#1 WORD BYTES [1]: hello',
      '#2 WORD BYTES [1]: world',
    ])
    expect(screen.getByTestId('request-status').textContent).toBe(
      'Waiting for the final response… 2 so far',
    )
    const sent = bridge.calls('models:infer')[0] as SingleRequest
    expect(sent.inputs).toEqual([{ name: 'TEXT', value: { kind: 'text', text: 'hello world' } }])
    await act(async () => release())
    await waitFor(() =>
      expect(screen.getByTestId('request-status').textContent).toBe(
        '2 responses in 4.50 ms (first after 1.25 ms) over gRPC stream',
      ),
    )
    fireEvent.click(screen.getByTestId('request-view-table'))
    expect(screen.getAllByTestId('request-table-row').map((r) => r.textContent)).toEqual([
      '1hello',
      '2world',
    ])
    fireEvent.click(screen.getByTestId('request-view-json'))
    expect(JSON.parse(screen.getByTestId('request-output-json').textContent ?? '')).toHaveLength(2)
  })

  it('gives up on a request in flight with Cancel and keeps the words that came', async () => {
    let settle: (r: Result<SingleRequestResult>) => void = () => undefined
    const bridge: FakeBridge = demoBridge({
      'models:details': ({ model }) => (model === splitter.name ? ok(splitter) : ok(asrDetails)),
      'models:infer': (req) => {
        bridge.emitEvent('models:infer-response', {
          requestId: req.requestId,
          responses: [word(1, 'hello')],
        })
        return new Promise((r) => (settle = r))
      },
      'models:infer-cancel': () => {
        settle(
          fail<SingleRequestResult>(
            "the request to 'word-splitter-decoupled' was cancelled",
            '',
            'cancelled',
          ),
        )
        return ok(undefined)
      },
    })
    await mountStage(splitter.name, bridge, <RequestContainer />)
    fireEvent.change(screen.getByTestId('request-value'), { target: { value: 'hello world' } })
    fireEvent.click(screen.getByTestId('request-send'))
    await waitFor(() => expect(screen.getAllByTestId('request-output-line')).toHaveLength(1))
    fireEvent.click(screen.getByTestId('request-cancel'))
    await waitFor(() => expect(screen.queryByTestId('request-cancel')).toBeNull())
    const sent = bridge.calls('models:infer')[0] as SingleRequest
    expect(bridge.calls('models:infer-cancel')).toEqual([{ requestId: sent.requestId }])
    expect(screen.getAllByTestId('request-output-line').map((l) => l.textContent)).toEqual([
      '#1 WORD BYTES [1]: hello',
    ])
    expect(screen.queryByTestId('request-error')).toBeNull()
    expect(screen.getByTestId('request-send').textContent).toBe('Send')
  })

  it('serves any model in the Request tab, fills numbers over the shape, and shows an error', async () => {
    const bridge = demoBridge({
      'models:infer': () => fail("'tone_asr' needs a value for WAV_LENS too", 'give every input'),
    })
    await mountStage('tone_asr', bridge, <RequestContainer />)
    const input = screen.getByTestId('request-input')
    expect(input.getAttribute('data-name')).toBe('WAV')
    expect((screen.getByTestId('request-shape') as HTMLInputElement).value).toBe('1, 1')
    fireEvent.change(screen.getByTestId('request-shape'), { target: { value: '1, -1' } })
    expect(screen.getByTestId('request-input-problem').textContent).toBe(
      'a fill needs every size of the shape (no -1)',
    )
    expect((screen.getByTestId('request-send') as HTMLButtonElement).disabled).toBe(true)
    fireEvent.change(screen.getByTestId('request-shape'), { target: { value: '1, 4' } })
    fireEvent.click(screen.getByTestId('request-send'))
    await waitFor(() =>
      expect(screen.getByTestId('request-error').textContent).toContain('WAV_LENS'),
    )
    expect((bridge.calls('models:infer')[0] as SingleRequest).inputs).toEqual([
      { name: 'WAV', value: { kind: 'json', text: '0' }, shape: [1, 4] },
    ])
  })
})

describe('the stage of a model without a live view', () => {
  it('says so and opens the Request tab', async () => {
    const bridge = demoBridge({
      'models:details': ({ model }) => (model === splitter.name ? ok(splitter) : ok(asrDetails)),
    })
    let opened = 0
    await mountStage(splitter.name, bridge, <StageContainer onOpenRequest={() => opened++} />)
    expect(screen.getByTestId('stage-no-live-view').textContent).toContain('no live view')
    expect(screen.queryByTestId('request-view')).toBeNull()
    fireEvent.click(screen.getByTestId('stage-open-request'))
    expect(opened).toBe(1)
  })
})

describe('request drafts', () => {
  it('leaves optional inputs out until ticked and sends a file by the path the dialog gave', () => {
    const drafts = initialDrafts({
      ...asrDetails,
      inputs: [
        { name: 'IMG', datatype: 'UINT8', shape: [-1, 3, 4, 4] },
        { name: 'MAX', datatype: 'INT32', shape: [1] },
      ],
      optionalInputs: ['MAX'],
    })
    expect(drafts.map((d) => [d.name, d.include, d.shape])).toEqual([
      ['IMG', true, '1, 3, 4, 4'],
      ['MAX', false, '1'],
    ])
    expect(toRequestInputs([{ ...drafts[0], mode: 'file' }])).toEqual({
      problem: 'IMG: choose a file',
    })
    expect(
      toRequestInputs([{ ...drafts[0], mode: 'file', path: '/a/x.npy', shape: '' }, drafts[1]]),
    ).toEqual({
      inputs: [{ name: 'IMG', value: { kind: 'file', path: '/a/x.npy' } }],
    })
  })
})
