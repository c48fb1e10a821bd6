// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { EndpointForm } from '../../../src/renderer/src/components/EndpointForm'
import { EndpointsPanel } from '../../../src/renderer/src/components/EndpointsPanel'
import { HealthBadge } from '../../../src/renderer/src/components/HealthBadge'
import type { EndpointDraft, EndpointProfile, Result } from '../../../src/shared/ipc-contract'
import { endpointDraftSchema } from '../../../src/shared/ipc-contract'

afterEach(cleanup)

const WARNING =
  'the token is sent without TLS to gpu-box:8001, where anyone on the network path can read it; use grpcs:// for a remote server'

function form(initial?: EndpointProfile) {
  const onSave = vi.fn(async (d: EndpointDraft): Promise<Result<EndpointProfile>> => ({
    ok: true,
    value: { id: d.id ?? 'n1', name: d.name, url: d.url, hasToken: false, builtInDemo: false },
  }))
  render(<EndpointForm initial={initial} onSave={onSave} onCancel={vi.fn()} onPickPem={vi.fn()} />)
  const type = (testId: string, value: string): void => {
    fireEvent.change(screen.getByTestId(testId), { target: { value } })
  }
  const save = async (): Promise<EndpointDraft> => {
    fireEvent.click(screen.getByTestId('endpoint-save'))
    await waitFor(() => expect(onSave).toHaveBeenCalled())
    return onSave.mock.calls[0][0]
  }
  return { onSave, type, save }
}

const checkTls = (): void => {
  fireEvent.click(screen.getByRole('checkbox', { name: 'TLS' }))
}

describe('the endpoint form: which protocol and transport', () => {
  it('labels the URL for all four schemes and saves the same transport choices as the CLI', async () => {
    const { type, save } = form()
    expect(screen.getByText('URL (grpc://, grpcs://, http://, https://)')).toBeTruthy()
    type('endpoint-name', 'gpu box')
    type('endpoint-url', 'grpc://127.0.0.1:8001')
    type('endpoint-mode', 'unary')
    type('endpoint-shared-memory', 'system')
    expect((await save()).transport).toEqual({ mode: 'unary', sharedMemory: 'system' })
  })

  it("saves an answer deadline for the endpoint's streamed requests, and none when left empty", async () => {
    const { type, save } = form()
    type('endpoint-name', 'slow gpu')
    type('endpoint-url', 'grpc://127.0.0.1:8001')
    type('endpoint-answer-deadline', '60000')
    const draft = await save()
    expect(draft.answerDeadlineMs).toBe(60000)
    expect(endpointDraftSchema.safeParse(draft).success).toBe(true)
    expect(endpointDraftSchema.safeParse({ ...draft, answerDeadlineMs: 50 }).success).toBe(false)
  })

  it('stores the defaults as nothing, and offers no stream over HTTP', async () => {
    const { type, save } = form()
    type('endpoint-name', 'rest')
    type('endpoint-url', 'http://127.0.0.1:8000')
    const mode = screen.getByTestId('endpoint-mode') as HTMLSelectElement
    expect(mode.disabled).toBe(true)
    expect(mode.value).toBe('unary')
    expect((await save()).transport).toBeUndefined()
  })

  it("shows a saved endpoint's choices", () => {
    form({
      id: 'e1',
      name: 'shm',
      url: '127.0.0.1:8001',
      transport: { mode: 'unary', sharedMemory: 'system' },
      hasToken: false,
      builtInDemo: false,
    })
    expect((screen.getByTestId('endpoint-mode') as HTMLSelectElement).value).toBe('unary')
    expect((screen.getByTestId('endpoint-shared-memory') as HTMLSelectElement).value).toBe('system')
  })

  it('refuses a transport the CLI does not have', () => {
    const base = { name: 'n', url: 'h:1' }
    expect(endpointDraftSchema.safeParse({ ...base, transport: { mode: 'unary' } }).success).toBe(
      true,
    )
    for (const transport of [{ mode: 'bidi' }, { sharedMemory: 'cuda' }]) {
      expect(endpointDraftSchema.safeParse({ ...base, transport }).success).toBe(false)
    }
  })
})

describe('the endpoint form: the name on the server certificate', () => {
  it('has a server name field under TLS and saves it with the TLS settings', async () => {
    const { type, save } = form()
    type('endpoint-name', 'cluster')
    type('endpoint-url', 'grpcs://10.0.0.7:443')
    expect(screen.queryByTestId('endpoint-server-name')).toBeNull()
    checkTls()
    type('endpoint-server-name', 'triton.internal')
    expect((await save()).tls).toMatchObject({ enabled: true, serverName: 'triton.internal' })
  })

  it('keeps a saved server name, and refuses one that is not a host name', async () => {
    const { type, onSave } = form({
      id: 'e2',
      name: 'cluster',
      url: 'grpcs://10.0.0.7:443',
      tls: { enabled: true, serverName: 'triton.internal' },
      hasToken: false,
      builtInDemo: false,
    })
    const field = screen.getByTestId('endpoint-server-name') as HTMLInputElement
    expect(field.value).toBe('triton.internal')
    type('endpoint-server-name', 'triton internal\r\nX-Evil: 1')
    fireEvent.click(screen.getByTestId('endpoint-save'))
    await waitFor(() => expect(screen.getByTestId('endpoint-form-error')).toBeTruthy())
    expect(screen.getByTestId('endpoint-form-error').textContent).toContain(
      'tls.serverName: a host name, such as triton.internal',
    )
    expect(onSave).not.toHaveBeenCalled()
  })
})

describe('a credential that would travel without TLS', () => {
  it('is warned about in the form as the token is typed for a remote plaintext URL', () => {
    const { type } = form()
    type('endpoint-url', 'grpc://gpu-box:8001')
    expect(screen.queryByTestId('endpoint-credential-warning')).toBeNull()
    type('endpoint-token', 'tok-123456')
    expect(screen.getByTestId('endpoint-credential-warning').textContent).toBe(WARNING)
    // TLS on, or a loopback host, and the warning goes.
    checkTls()
    expect(screen.queryByTestId('endpoint-credential-warning')).toBeNull()
    checkTls()
    type('endpoint-url', 'grpc://127.0.0.1:8001')
    expect(screen.queryByTestId('endpoint-credential-warning')).toBeNull()
  })

  it('is warned about for a saved token, named by the header that carries it, until it is removed', () => {
    form({
      id: 'e3',
      name: 'rest',
      url: 'http://gpu-box:8000',
      authHeader: 'x-api-key',
      hasToken: true,
      builtInDemo: false,
    })
    expect(screen.getByTestId('endpoint-credential-warning').textContent).toBe(
      'the API key is sent without TLS to gpu-box:8000, where anyone on the network path can read it; use https:// for a remote server',
    )
    fireEvent.click(screen.getByTestId('endpoint-clear-token'))
    expect(screen.queryByTestId('endpoint-credential-warning')).toBeNull()
  })

  it('is shown on the saved endpoint in the list and on its health badge', () => {
    const remote: EndpointProfile = {
      id: 'r',
      name: 'gpu box',
      url: 'grpc://gpu-box:8001',
      hasToken: true,
      builtInDemo: false,
      credentialWarning: WARNING,
    }
    render(
      <EndpointsPanel
        endpoints={[remote]}
        selectedId="r"
        connectedId="r"
        connecting={false}
        onSelect={vi.fn()}
        onConnect={vi.fn()}
        onDisconnect={vi.fn()}
        onSave={vi.fn()}
        onRemove={vi.fn()}
        onPickPem={vi.fn()}
        onDismissError={vi.fn()}
      />,
    )
    expect(screen.getByTestId('endpoint-item-credential-warning').textContent).toBe(WARNING)
    cleanup()
    render(
      <HealthBadge
        connected
        connecting={false}
        health={{
          endpointId: 'r',
          live: true,
          ready: true,
          extensions: [],
          checkedAtMs: 0,
          warning: WARNING,
        }}
      />,
    )
    expect(screen.getByTestId('health-warning').getAttribute('title')).toBe(WARNING)
  })
})
