import { describe, expect, it } from 'vitest'
import { DEMO_MODELS } from '../../../src/main/demo-endpoint/demo-models'
import { configDescription } from '../../../src/main/models/model-facts'
import type { ModelConfig } from '../../../src/main/triton/triton-client'

const withDescription = (text: string | undefined): ModelConfig =>
  ({
    input: [],
    output: [],
    parameters: text === undefined ? {} : { description: { string_value: text } },
  }) as unknown as ModelConfig

describe("a model's description from its config", () => {
  it('reads the string parameter `description`, trimmed', () => {
    expect(configDescription(withDescription('  Finds red boxes. '))).toBe('Finds red boxes.')
    expect(configDescription(withDescription(undefined))).toBeUndefined()
    expect(configDescription(withDescription('   '))).toBeUndefined()
    expect(configDescription(undefined)).toBeUndefined()
  })

  it('drops control characters a server could send, and cuts a wall of text', () => {
    expect(configDescription(withDescription('a\u001b[31mb\nc'))).toBe('a [31mb c')
    const long = configDescription(withDescription('x'.repeat(2000)))
    expect(long).toHaveLength(500)
    expect(long?.endsWith('…')).toBe(true)
  })

  it('is set for every demo model, saying what it understands', () => {
    const said = Object.fromEntries(DEMO_MODELS.map((m) => [m.name, m.parameters?.description]))
    expect(said['tone-transcriber-streaming']).toContain('tone-coded audio only')
    expect(said['tone-transcriber-offline']).toContain('not speech')
    expect(said['word-splitter-decoupled']).toContain('once per word')
    for (const name of [
      'color-box-detector-yolov8',
      'color-box-detector-e2e',
      'color-box-detector-efficientnms',
    ])
      expect(said[name]).toContain('solid rectangles of six saturated colours')
  })
})
