// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  EndpointsPanel,
  type EndpointsPanelProps,
} from '../../../src/renderer/src/components/EndpointsPanel'
import type { EndpointDraft, EndpointProfile } from '../../../src/shared/ipc-contract'
import { demoEndpoint, healthyFor, ok, remoteEndpoint } from './fake-bridge'

afterEach(cleanup)

const SECRET = 's3cret-token-value'

function setup(over: Partial<EndpointsPanelProps> = {}) {
  const saved: EndpointDraft[] = []
  const props: EndpointsPanelProps = {
    endpoints: [demoEndpoint, remoteEndpoint],
    selectedId: 'demo',
    connectedId: 'demo',
    connecting: false,
    health: healthyFor('demo'),
    onSelect: vi.fn(),
    onConnect: vi.fn(),
    onDisconnect: vi.fn(),
    onSave: vi.fn(async (d: EndpointDraft) => {
      saved.push(d)
      const profile: EndpointProfile = {
        id: d.id ?? 'new-1',
        name: d.name,
        url: d.url,
        authHeader: d.authHeader,
        hasToken: !!d.token,
        builtInDemo: false,
      }
      return ok(profile)
    }),
    onRemove: vi.fn(async () => ok(undefined)),
    onPickPem: vi.fn(async () => ok<string | undefined>('/certs/ca.pem')),
    onDismissError: vi.fn(),
    ...over,
  }
  const view = render(<EndpointsPanel {...props} />)
  return { props, saved, view }
}

describe('EndpointsPanel', () => {
  it('lists the demo endpoint first, selected, with a live health badge', () => {
    setup()
    const items = screen.getAllByTestId('endpoint-item')
    expect(items.map((i) => i.getAttribute('data-endpoint-id'))).toEqual(['demo', 'remote'])
    expect(items[0].getAttribute('aria-selected')).toBe('true')
    const badge = screen.getByTestId('health-badge')
    expect(badge.getAttribute('data-state')).toBe('ready')
    // Every figure says what it is: the round trip, the server and its version, the extensions.
    expect(screen.getByTestId('health-detail').textContent).toBe(
      'RTT 1.5 ms · Triton 2.60.0 · 2 extensions',
    )
    expect(screen.getByTestId('health-extensions').getAttribute('title')).toBe(
      'model_repository, statistics',
    )
    expect(screen.getByTestId('endpoint-disconnect')).toBeTruthy()
    // The built-in demo cannot be edited or removed.
    expect(screen.queryByTestId('endpoint-edit')).toBeNull()
  })

  it('sends a typed token once, in a password field', async () => {
    const { saved } = setup()
    fireEvent.click(screen.getByTestId('endpoint-add'))
    const form = screen.getByTestId('endpoint-form')
    fireEvent.change(within(form).getByTestId('endpoint-name'), { target: { value: 'Edge box' } })
    fireEvent.change(within(form).getByTestId('endpoint-url'), { target: { value: 'edge:8001' } })
    fireEvent.change(within(form).getByTestId('endpoint-auth-header'), {
      target: { value: 'x-api-key' },
    })
    const token = within(form).getByTestId('endpoint-token') as HTMLInputElement
    expect(token.type).toBe('password')
    fireEvent.change(token, { target: { value: SECRET } })
    fireEvent.click(within(form).getByTestId('endpoint-save'))
    await waitFor(() => expect(saved).toHaveLength(1))
    expect(saved[0]).toMatchObject({
      name: 'Edge box',
      url: 'edge:8001',
      authHeader: 'x-api-key',
      token: SECRET,
    })
    await waitFor(() => expect(screen.queryByTestId('endpoint-form')).toBeNull())
    expect(document.body.innerHTML).not.toContain(SECRET)
  })

  it('never echoes a stored token, and keeps it when saved untouched', async () => {
    const { saved } = setup({ selectedId: 'remote', connectedId: undefined })
    fireEvent.click(screen.getByTestId('endpoint-edit'))
    const editToken = screen.getByTestId('endpoint-token') as HTMLInputElement
    expect(editToken.value).toBe('')
    expect(editToken.placeholder).toMatch(/saved/)
    expect(screen.getByTestId('endpoint-auth-header')).toHaveProperty('value', 'authorization')
    fireEvent.click(screen.getByTestId('endpoint-save'))
    await waitFor(() => expect(saved).toHaveLength(1))
    // No token in the draft means "keep the stored one"; an empty string would clear it.
    expect(saved[0].token).toBeUndefined()
    expect(saved[0].id).toBe('remote')
  })

  it('clears the typed token from the form after saving, even when the save fails', async () => {
    const onSave = vi.fn(async () => ({
      ok: false as const,
      error: { message: 'Keychain locked.', hint: 'Unlock it and save again.', kind: 'keychain' },
    }))
    setup({ onSave })
    fireEvent.click(screen.getByTestId('endpoint-add'))
    fireEvent.change(screen.getByTestId('endpoint-name'), { target: { value: 'X' } })
    fireEvent.change(screen.getByTestId('endpoint-url'), { target: { value: 'x:1' } })
    fireEvent.change(screen.getByTestId('endpoint-token'), { target: { value: SECRET } })
    fireEvent.click(screen.getByTestId('endpoint-save'))
    await waitFor(() =>
      expect(screen.getByTestId('endpoint-form-error').textContent).toContain('Keychain locked.'),
    )
    expect((screen.getByTestId('endpoint-token') as HTMLInputElement).value).toBe('')
    expect(screen.getByTestId('endpoint-form-error').textContent).toContain('Unlock it')
  })

  it('asks to clear a stored token explicitly', async () => {
    const { saved } = setup({ selectedId: 'remote', connectedId: undefined })
    fireEvent.click(screen.getByTestId('endpoint-edit'))
    fireEvent.click(screen.getByTestId('endpoint-clear-token'))
    fireEvent.click(screen.getByTestId('endpoint-save'))
    await waitFor(() => expect(saved).toHaveLength(1))
    expect(saved[0].token).toBe('')
  })

  it('picks TLS files through the bridge', async () => {
    setup()
    fireEvent.click(screen.getByTestId('endpoint-add'))
    fireEvent.click(screen.getByLabelText('TLS'))
    fireEvent.click(within(screen.getByTestId('endpoint-form')).getAllByText('Choose…')[0])
    await waitFor(() =>
      expect(screen.getByTestId('endpoint-caFile').textContent).toBe('/certs/ca.pem'),
    )
  })

  it('picks an endpoint from the keyboard and leaves keys on its buttons alone', () => {
    const { props } = setup()
    const [demo, remote] = screen.getAllByTestId('endpoint-item')
    expect([demo.tabIndex, remote.tabIndex]).toEqual([0, -1])
    demo.focus()
    fireEvent.keyDown(demo, { key: 'ArrowDown' })
    expect(document.activeElement).toBe(remote)
    expect([demo.tabIndex, remote.tabIndex]).toEqual([-1, 0])
    fireEvent.keyDown(remote, { key: 'Enter' })
    expect(props.onSelect).toHaveBeenLastCalledWith('remote')
    fireEvent.keyDown(remote, { key: 'Home' })
    expect(document.activeElement).toBe(demo)
    fireEvent.keyDown(demo, { key: ' ' })
    expect(props.onSelect).toHaveBeenLastCalledWith('demo')
    const calls = vi.mocked(props.onSelect).mock.calls.length
    fireEvent.keyDown(screen.getByTestId('endpoint-disconnect'), { key: 'Enter' })
    expect(props.onSelect).toHaveBeenCalledTimes(calls)
  })

  it('shows a connection error with its hint', () => {
    setup({
      connectedId: undefined,
      health: undefined,
      error: { message: 'Connection refused.', hint: 'Is Triton running?', kind: 'unavailable' },
    })
    const banner = screen.getByTestId('endpoints-error')
    expect(banner.textContent).toContain('Connection refused.')
    expect(banner.textContent).toContain('Is Triton running?')
    expect(screen.getByTestId('health-badge').getAttribute('data-state')).toBe('disconnected')
  })
})
