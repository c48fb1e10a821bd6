// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { EndpointForm } from '../../../src/renderer/src/components/EndpointForm'
import type { EndpointDraft, EndpointProfile, Result } from '../../../src/shared/ipc-contract'
import { endpointDraftSchema } from '../../../src/shared/ipc-contract'

afterEach(cleanup)

const saved: EndpointProfile = {
  id: 'e1',
  name: 'cluster',
  url: 'grpcs://ingress.example.com:443',
  authority: 'triton.models.example.com',
  hasToken: false,
  builtInDemo: false,
}

describe('the endpoint form and a proxy that routes by host', () => {
  it('keeps the authority of a saved endpoint and saves a changed one', async () => {
    const onSave = vi.fn(async (d: EndpointDraft): Promise<Result<EndpointProfile>> => ({
      ok: true,
      value: { ...saved, authority: d.authority },
    }))
    render(<EndpointForm initial={saved} onSave={onSave} onCancel={vi.fn()} onPickPem={vi.fn()} />)
    const field = screen.getByTestId('endpoint-authority') as HTMLInputElement
    expect(field.value).toBe('triton.models.example.com')
    fireEvent.change(field, { target: { value: 'asr.models.example.com' } })
    fireEvent.click(screen.getByTestId('endpoint-save'))
    await waitFor(() => expect(onSave).toHaveBeenCalled())
    expect(onSave.mock.calls[0][0]).toMatchObject({ id: 'e1', authority: 'asr.models.example.com' })
  })

  it('accepts a host with a port and refuses anything else as an authority', () => {
    const draft = { name: 'n', url: 'h:1' }
    expect(
      endpointDraftSchema.safeParse({ ...draft, authority: 'triton.example.com:443' }).success,
    ).toBe(true)
    expect(
      endpointDraftSchema.safeParse({ ...draft, authority: 'a b\r\nX-Injected: 1' }).success,
    ).toBe(false)
  })
})
