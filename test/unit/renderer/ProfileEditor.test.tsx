// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ModelDetailsView } from '../../../src/renderer/src/components/ModelDetailsView'
import { ProfileEditor } from '../../../src/renderer/src/components/ProfileEditor'
import { validateProfileText } from '../../../src/renderer/src/components/profile-validation'
import type { ModelDetails } from '../../../src/shared/ipc-contract'
import { asrDetails, fail, ok } from './fake-bridge'

afterEach(cleanup)

const edit = (text: string) =>
  fireEvent.change(screen.getByTestId('profile-text'), { target: { value: text } })

describe('validateProfileText', () => {
  it('reports JSON syntax errors', () => {
    const r = validateProfileText('{ "model": ')
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors[0]).toMatch(/^Not valid JSON/)
  })

  it('names the path of every schema problem', () => {
    const r = validateProfileText(
      JSON.stringify({
        model: 'm',
        kind: 'streaming-asr',
        inputs: [{ name: 'WAV', datatype: 'FP33', shape: [1], source: 'audio' }],
      }),
    )
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors.some((e) => e.startsWith('inputs.0.datatype:'))).toBe(true)
    const missing = validateProfileText('{}')
    expect(missing.ok).toBe(false)
    if (missing.ok) return
    expect(missing.errors.some((e) => e.startsWith('model:'))).toBe(true)
    expect(missing.errors.some((e) => e.startsWith('kind:'))).toBe(true)
  })

  it('accepts a valid profile', () => {
    const r = validateProfileText(JSON.stringify(asrDetails.profile))
    expect(r.ok).toBe(true)
  })
})

describe('ProfileEditor', () => {
  it('shows validation errors inline and disables Save until the text is valid', () => {
    const onSave = vi.fn()
    render(<ProfileEditor details={asrDetails} onSave={onSave} />)
    expect((screen.getByTestId('profile-save') as HTMLButtonElement).disabled).toBe(true) // nothing changed
    edit('{ not json')
    expect(screen.getByTestId('profile-errors').textContent).toMatch(/Not valid JSON/)
    expect((screen.getByTestId('profile-save') as HTMLButtonElement).disabled).toBe(true)
    expect(screen.getByTestId('profile-text').getAttribute('aria-invalid')).toBe('true')

    edit(JSON.stringify({ ...asrDetails.profile, kind: 'speech' }))
    const errors = screen.getAllByTestId('profile-error').map((e) => e.textContent)
    expect(errors.some((e) => e?.startsWith('kind:'))).toBe(true)

    edit(JSON.stringify({ ...asrDetails.profile, audio: { sampleRate: 8000, chunkSamples: 4000 } }))
    expect(screen.queryByTestId('profile-errors')).toBeNull()
    expect((screen.getByTestId('profile-save') as HTMLButtonElement).disabled).toBe(false)
  })

  it('saves the parsed profile and shows a failed save where the user is looking', async () => {
    const onSave = vi.fn(async () =>
      fail<ModelDetails>('Could not write the profile.', 'Check the disk.'),
    )
    render(<ProfileEditor details={asrDetails} onSave={onSave} />)
    const changed = { ...asrDetails.profile, audio: { sampleRate: 8000, chunkSamples: 4000 } }
    edit(JSON.stringify(changed))
    fireEvent.click(screen.getByTestId('profile-save'))
    await waitFor(() =>
      expect(screen.getByTestId('profile-save-error').textContent).toContain('Could not write'),
    )
    expect(onSave).toHaveBeenCalledWith(changed)
  })

  it('resets a saved override to the derived profile', async () => {
    const saved: ModelDetails = { ...asrDetails, profileSaved: true }
    const onSave = vi.fn(async () => ok(asrDetails))
    render(<ProfileEditor details={saved} onSave={onSave} />)
    expect(screen.getByTestId('profile-origin').textContent).toBe('saved override')
    fireEvent.click(screen.getByTestId('profile-reset'))
    await waitFor(() => expect(onSave).toHaveBeenCalledWith(null))
  })

  it('sets labelsFile to the file chosen in the dialog, and says so when the text is not JSON', async () => {
    const onSave = vi.fn(async () => ok(asrDetails))
    const onPickLabels = vi.fn(async () => ok<string | undefined>('/data/coco.names'))
    render(<ProfileEditor details={asrDetails} onSave={onSave} onPickLabels={onPickLabels} />)
    edit(JSON.stringify({ ...asrDetails.profile, labels: ['a', 'b'] }))
    fireEvent.click(screen.getByTestId('profile-pick-labels'))
    await waitFor(() =>
      expect((screen.getByTestId('profile-text') as HTMLTextAreaElement).value).toContain(
        '/data/coco.names',
      ),
    )
    const text = (screen.getByTestId('profile-text') as HTMLTextAreaElement).value
    expect(JSON.parse(text)).toEqual({ ...asrDetails.profile, labelsFile: '/data/coco.names' })
    fireEvent.click(screen.getByTestId('profile-save'))
    await waitFor(() =>
      expect(onSave).toHaveBeenCalledWith({
        ...asrDetails.profile,
        labelsFile: '/data/coco.names',
      }),
    )

    edit('{ not json')
    fireEvent.click(screen.getByTestId('profile-pick-labels'))
    await waitFor(() =>
      expect(screen.getByTestId('profile-save-error').textContent).toContain(
        'labels file was not added',
      ),
    )
    expect((screen.getByTestId('profile-text') as HTMLTextAreaElement).value).toBe('{ not json')
  })

  it('shows why no profile could be derived', () => {
    const none: ModelDetails = {
      ...asrDetails,
      profile: undefined,
      kind: 'generic',
      profileProblem: 'No input looks like audio or an image. Start from:\n{ "model": "x" }',
    }
    render(<ModelDetailsView details={none} onSaveProfile={vi.fn()} />)
    expect(screen.getByTestId('profile-problem').textContent).toContain('No input looks like audio')
    expect(screen.getByTestId('profile-origin').textContent).toBe('none')
    expect(screen.getByTestId('model-kind').textContent).toBe('generic')
    expect(screen.getByTestId('model-inputs').textContent).toContain('WAV')
    expect(screen.getByTestId('model-inputs').textContent).toContain('[1, -1]')
  })

  it('starts a model without a profile from the template of its own inputs, savable as it is', async () => {
    const template = {
      model: 'word-splitter-decoupled',
      kind: 'generic' as const,
      inputs: [
        {
          name: 'TEXT',
          datatype: 'BYTES' as const,
          shape: [1],
          source: 'constant' as const,
          value: '',
        },
      ],
      outputs: ['WORD'],
      decoupled: true,
    }
    const generic: ModelDetails = {
      ...asrDetails,
      name: 'word-splitter-decoupled',
      kind: 'generic',
      profile: undefined,
      profileTemplate: template,
    }
    const onSave = vi.fn(async () => ok({ ...generic, profile: template, profileSaved: true }))
    render(<ProfileEditor details={generic} onSave={onSave} />)
    expect(JSON.parse((screen.getByTestId('profile-text') as HTMLTextAreaElement).value)).toEqual(
      template,
    )
    expect(screen.getByTestId('profile-text').textContent).not.toContain('WAV')
    expect(screen.getByTestId('profile-origin').textContent).toBe('template')
    expect(screen.getByTestId('profile-stream-note').textContent).toContain(
      'the Request view in the app',
    )
    fireEvent.click(screen.getByTestId('profile-save'))
    await waitFor(() => expect(onSave).toHaveBeenCalledWith(template))
  })

  it('refuses, while typing, a profile whose only input is a constant, and keeps Save off', () => {
    const onSave = vi.fn()
    render(<ProfileEditor details={asrDetails} onSave={onSave} />)
    edit(
      JSON.stringify({
        ...asrDetails.profile,
        inputs: [{ name: 'WAV', datatype: 'FP32', shape: [1, 16], source: 'constant', value: 0 }],
      }),
    )
    expect(screen.queryByTestId('profile-errors')).toBeNull()
    expect(screen.getByTestId('profile-unusable').textContent).toContain(
      'has no input with "source": "audio" (it has WAV (constant)), so no chunk of sound would ever become a request',
    )
    const save = screen.getByTestId('profile-save') as HTMLButtonElement
    expect(save.disabled).toBe(true)
    fireEvent.click(save)
    expect(onSave).not.toHaveBeenCalled()
  })
})
