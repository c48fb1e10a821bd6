import { describe, expect, it } from 'vitest'
import { headerNameProblem, headerValueProblem } from '../../../src/shared/header-rules'
import { audioMessageSchema, frameMessageSchema } from '../../../src/shared/session-port'
import { EXAMPLE_ASR_PROFILE, modelProfileSchema } from '../../../src/shared/model-profile'
import { shapeProblem } from '../../../src/shared/limits'

const TOKEN = 'Bearer-abc.DEF_123'

describe('header rules', () => {
  it('refuses a token with CR/LF without repeating it', () => {
    const problem = headerValueProblem(`${TOKEN}\r\nx-evil: 1`, 'the token')
    expect(problem).toBe(
      'the token holds a line break at character 19; it must be one line of printable ASCII (paste it again without it)',
    )
    expect(problem).not.toContain(TOKEN)
  })

  it('refuses control and non-ASCII characters, and surrounding spaces', () => {
    expect(headerValueProblem('ab\x00c', 'the token')).toMatch(/a control character at character 3/)
    expect(headerValueProblem('jeton-é', 'the token')).toMatch(/not printable ASCII at character 7/)
    expect(headerValueProblem(' tok', 'the token')).toBe('the token starts or ends with a space')
    expect(headerValueProblem('x'.repeat(8193), 'the token')).toMatch(/longer than 8192/)
    expect(headerValueProblem(TOKEN, 'the token')).toBeUndefined()
  })

  it("accepts gRPC's header names and refuses reserved, binary and malformed ones", () => {
    expect(headerNameProblem('X-Api-Key')).toBeUndefined()
    expect(headerNameProblem('x api key')).toMatch(/may hold only letters/)
    expect(headerNameProblem('grpc-timeout')).toMatch(/set by gRPC itself/)
    expect(headerNameProblem('content-type')).toMatch(/set by gRPC itself/)
    expect(headerNameProblem('trace-bin')).toMatch(/binary header/)
    for (const name of ['Keep-Alive', 'upgrade', 'transfer-encoding', 'proxy-connection']) {
      expect(headerNameProblem(name)).toBe(
        `header '${name.toLowerCase()}' belongs to one HTTP/1 connection and cannot be sent over HTTP/2`,
      )
    }
  })
})

describe('bounds on what crosses IPC or comes from a profile', () => {
  const profile = (patch: object): Record<string, unknown> => ({ ...EXAMPLE_ASR_PROFILE, ...patch })

  it('refuses a chunk of 2e9 samples and a 60000x60000 vision size', () => {
    expect(
      modelProfileSchema.safeParse(profile({ audio: { sampleRate: 16000, chunkSamples: 2e9 } }))
        .success,
    ).toBe(false)
    const vision = { width: 60000, height: 60000, layout: 'NCHW', datatype: 'FP32' }
    const detector = { ...profile({ kind: 'detection', vision }), decoder: { form: 'end-to-end' } }
    const parsed = modelProfileSchema.safeParse(detector)
    expect(parsed.success).toBe(false)
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toContain('vision.width')
  })

  it('refuses an input shape whose elements could not be allocated, naming the field', () => {
    const inputs = [{ name: 'WAV', datatype: 'FP32', shape: [65536, 65536], source: 'audio' }]
    const parsed = modelProfileSchema.safeParse(profile({ inputs }))
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ['inputs', 0, 'shape'],
      message: '4294967296 elements is above 67108864',
    })
  })

  it('refuses 20 M audio samples in one IPC message and an oversized frame', () => {
    const audio = { type: 'audio', seq: 0, samples: new Int16Array(20_000_000), capturedAtMs: 0 }
    expect(audioMessageSchema.safeParse(audio).success).toBe(false)
    expect(audioMessageSchema.safeParse({ ...audio, samples: new Int16Array(1600) }).success).toBe(
      true,
    )
    // Floats are not the port's form: 16-bit PCM is.
    expect(
      audioMessageSchema.safeParse({ ...audio, samples: new Float32Array(1600) }).success,
    ).toBe(false)
    const frame = {
      type: 'frame',
      seq: 0,
      rgb: new Uint8Array(3),
      width: 60000,
      height: 1,
      sourceWidth: 1,
      sourceHeight: 1,
      capturedAtMs: 0,
    }
    expect(frameMessageSchema.safeParse(frame).success).toBe(false)
  })

  it('says why a shape cannot be used before anything is allocated from it', () => {
    expect(shapeProblem([1, 3e18], false)).toBe('dimension 3000000000000000000 is above 67108864')
    expect(shapeProblem([1, -3], false)).toBe('dimension -3 is not a whole number >= 0')
    expect(shapeProblem([1, -1], true)).toBeUndefined()
    expect(shapeProblem(new Array<number>(17).fill(1), true)).toBe('rank 17 is above 16')
  })
})
