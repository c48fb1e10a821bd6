import { describe, expect, it } from 'vitest'
import { resolveConnection } from '../../../src/main/triton/connection-options'

describe('keepalive options', () => {
  const keepalive = (options: { keepaliveMs?: number; keepaliveTimeoutMs?: number }) => {
    const c = resolveConnection({ url: 'grpc://triton.lan:8001', ...options })
    return {
      grpc: [
        c.channelOptions['grpc.keepalive_time_ms'],
        c.channelOptions['grpc.keepalive_timeout_ms'],
      ],
      http2: [c.http2.keepaliveMs, c.http2.keepaliveTimeoutMs],
    }
  }

  it('waits 20 s for a ping answer by default, or the interval when that is shorter', () => {
    expect(keepalive({})).toEqual({ grpc: [330_000, 20_000], http2: [330_000, 20_000] })
    expect(keepalive({ keepaliveMs: 60 })).toEqual({ grpc: [60, 60], http2: [60, 60] })
  })

  it('takes a ping timeout of its own for both channels, whatever the interval', () => {
    const c = keepalive({ keepaliveMs: 60, keepaliveTimeoutMs: 60_000 })
    expect(c).toEqual({ grpc: [60, 60_000], http2: [60, 60_000] })
  })

  it('sends no pings when keepalive is off', () => {
    expect(keepalive({ keepaliveMs: 0 })).toEqual({
      grpc: [undefined, undefined],
      http2: [0, 0],
    })
  })
})
