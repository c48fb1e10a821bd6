import { describe, expect, it } from 'vitest'
import { CliUsageError } from '../../../src/cli/cli-error'
import { connectionFromFlags } from '../../../src/cli/connection-flags'
import { buildMetadata } from '../../../src/main/triton/connection-options'
import { TritonError } from '../../../src/main/triton/triton-error'

const SECRET = 'sk-live-0123456789abcdef'

function usageError(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(CliUsageError)
    return (e as Error).message
  }
  throw new Error('no error')
}

describe('connection flags', () => {
  it('refuses a token with CR/LF where it is entered, without repeating it', () => {
    const message = usageError(() =>
      connectionFromFlags({ url: '127.0.0.1:1', token: `${SECRET}\r\nx-evil: 1` }, {}),
    )
    expect(message).toBe(
      'the value of --token holds a line break at character 25; it must be one line of printable ASCII (paste it again without it)',
    )
    expect(message).not.toContain(SECRET)
  })

  it('refuses a bad --header by its position or name, never its value', () => {
    expect(usageError(() => connectionFromFlags({ url: 'h:1', header: [SECRET] }, {}))).toBe(
      "header 1 must look like 'name: value'",
    )
    const message = usageError(() =>
      connectionFromFlags({ url: 'h:1', header: [`x-token: ${SECRET}\x07`] }, {}),
    )
    expect(message).toMatch(/^header 'x-token' holds a control character/)
    expect(message).not.toContain(SECRET)
  })

  it('explains that --insecure and other TLS flags contradict grpc://', () => {
    expect(
      usageError(() => connectionFromFlags({ url: 'grpc://gpu:8001', insecure: true }, {})),
    ).toBe(
      '--insecure applies only to TLS, but grpc:// is plaintext: use grpcs://gpu:8001 to connect with TLS, or drop it',
    )
    expect(
      usageError(() =>
        connectionFromFlags({ url: 'grpc://gpu:8001', ca: 'ca.pem', 'server-name': 'x' }, {}),
      ),
    ).toMatch(/^--ca, --server-name apply only to TLS/)
  })

  it('turns TLS on for a bare host:port with --insecure or --server-name', () => {
    const options = connectionFromFlags({ url: 'gpu:8001', 'server-name': 'triton.internal' }, {})
    expect(options.tls).toMatchObject({ serverName: 'triton.internal' })
  })

  it('warns when a credential would travel without TLS to a host that is not loopback', () => {
    const warnings: string[] = []
    const warn = (line: string): number => warnings.push(line)
    connectionFromFlags({ url: 'gpu-box:8001', token: SECRET }, {}, undefined, warn)
    connectionFromFlags({ url: 'gpu-box:8001', 'api-key': SECRET }, {}, undefined, warn)
    connectionFromFlags({ url: '127.0.0.1:8001', token: SECRET }, {}, undefined, warn)
    connectionFromFlags({ url: 'grpcs://gpu-box:8001', token: SECRET }, {}, undefined, warn)
    connectionFromFlags({ url: 'gpu-box:8001' }, {}, undefined, warn)
    expect(warnings).toEqual([
      'the token is sent without TLS to gpu-box:8001, where anyone on the network path can read it; use grpcs:// for a remote server',
      'the API key is sent without TLS to gpu-box:8001, where anyone on the network path can read it; use grpcs:// for a remote server',
    ])
  })

  it('never lets grpc-js quote a bad value: metadata is refused first, without the value', () => {
    try {
      buildMetadata({ url: 'h:1', bearerToken: `${SECRET} x-evil: 1\n` })
      throw new Error('accepted')
    } catch (e) {
      expect(e).toBeInstanceOf(TritonError)
      expect((e as TritonError).message).toMatch(/^the token holds a line break at character 35/)
      expect((e as TritonError).toUserString()).not.toContain(SECRET)
    }
  })

  it('redacts a registered secret that a server echoes into an error', () => {
    buildMetadata({ url: 'h:1', bearerToken: SECRET })
    const e = new TritonError('auth', `proxy says: token ${SECRET} is revoked`, 'check it')
    expect(e.message).toBe('proxy says: token [redacted] is revoked')
  })
})
