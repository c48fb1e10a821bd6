import { describe, expect, it } from 'vitest'
import { CliUsageError } from '../../../src/cli/cli-error'
import { transportFromFlags } from '../../../src/cli/connection-flags'

describe('transport flags', () => {
  it('default to the gRPC stream (or HTTP requests) without shared memory', () => {
    expect(transportFromFlags({}, {})).toEqual({ sharedMemory: 'none' })
  })

  it('take --unary, --streaming and --shared-memory system, or their environment twins', () => {
    expect(transportFromFlags({ unary: true, 'shared-memory': 'system' }, {})).toEqual({
      mode: 'unary',
      sharedMemory: 'system',
    })
    expect(transportFromFlags({ streaming: true }, { TRITON_UNARY: '1' })).toEqual({
      mode: 'stream',
      sharedMemory: 'none',
    })
    expect(transportFromFlags({}, { TRITON_UNARY: 'yes', TRITON_SHARED_MEMORY: 'system' })).toEqual(
      {
        mode: 'unary',
        sharedMemory: 'system',
      },
    )
  })

  it.each([
    [{ unary: true, streaming: true }, /--unary and --streaming exclude each other/],
    [{ 'shared-memory': 'cuda' }, /cuda needs CUDA IPC handles.*use system or none/],
    [{ 'shared-memory': 'posix' }, /must be system or none, got 'posix'/],
  ])('refuse %j with the reason', (flags, message) => {
    expect(() => transportFromFlags(flags, {})).toThrow(CliUsageError)
    expect(() => transportFromFlags(flags, {})).toThrow(message)
  })
})
