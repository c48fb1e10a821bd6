// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ModelDetailsView } from '../../../src/renderer/src/components/ModelDetailsView'
import type { ModelDetails } from '../../../src/shared/ipc-contract'
import { asrDetails } from './fake-bridge'

afterEach(cleanup)

const sherpa: ModelDetails = {
  ...asrDetails,
  preset: {
    id: 'sherpa-streaming-transducer',
    name: 'sherpa streaming transducer',
    source: 'k2-fsa/sherpa triton/model_repo_streaming/ (transducer, feature_extractor/1/model.py)',
    summary: 'sherpa streaming transducer, first chunk 0.77 s then 0.64 s',
    settings: { 'audio.firstChunkSamples': 12320 },
  },
}

describe('the model browser and presets', () => {
  it('says which preset the app applied, with its numbers and its source', () => {
    render(<ModelDetailsView details={sherpa} onSaveProfile={vi.fn()} />)
    const preset = screen.getByTestId('model-preset')
    expect(preset.textContent).toBe('sherpa streaming transducer, first chunk 0.77 s then 0.64 s')
    expect(preset.getAttribute('title')).toBe(sherpa.preset?.source)
  })

  it('says when a saved profile overrides the preset, and shows no row for an unknown model', () => {
    render(<ModelDetailsView details={{ ...sherpa, profileSaved: true }} onSaveProfile={vi.fn()} />)
    expect(screen.getByTestId('model-preset').textContent).toMatch(/\(your profile overrides it\)$/)
    cleanup()
    render(<ModelDetailsView details={asrDetails} onSaveProfile={vi.fn()} />)
    expect(screen.queryByTestId('model-preset')).toBeNull()
  })
})
