import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { inputDrafts } from '../../../src/cli/commands/infer-command'
import { MAX_REQUEST_FILE_BYTES } from '../../../src/shared/single-request'

const dir = mkdtempSync(join(tmpdir(), 'triton-live-infer-flags-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('triton-live infer flags', () => {
  it('splits NAME=VALUE at the first =, and attaches --shape and --datatype to their input', async () => {
    expect(await inputDrafts(['TEXT=a=b', 'x=[1, 2, 3]'], ['x=1,3'], ['x=fp16'])).toEqual([
      { name: 'TEXT', value: { kind: 'json', text: 'a=b' } },
      { name: 'x', value: { kind: 'json', text: '[1, 2, 3]' }, shape: [1, 3], datatype: 'FP16' },
    ])
  })

  it('reads @FILE as the bytes of that file', async () => {
    const file = join(dir, 'x.bin')
    writeFileSync(file, Buffer.from([1, 2, 3, 4]))
    const [draft] = await inputDrafts([`x=@${file}`], [], [])
    expect(draft.value).toEqual({ kind: 'bytes', bytes: Buffer.from([1, 2, 3, 4]), source: file })
  })

  it('names each mistake in the flags', async () => {
    await expect(inputDrafts(['x'], [], [])).rejects.toThrow("--input takes NAME=VALUE, got 'x'")
    await expect(inputDrafts(['x=1', 'x=2'], [], [])).rejects.toThrow('--input x is given twice')
    await expect(inputDrafts(['x=1'], ['y=1,2'], [])).rejects.toThrow(
      "--shape names 'y', which no --input gives",
    )
    await expect(inputDrafts(['x=1'], ['x=1,a'], [])).rejects.toThrow(
      '--shape x=1,a: give sizes separated by commas, like 1,3',
    )
    await expect(inputDrafts(['x=1'], [], ['x=FLOAT'])).rejects.toThrow(
      '--datatype x=FLOAT: not a datatype; use one of BOOL,',
    )
    await expect(inputDrafts([`x=@${join(dir, 'nope.bin')}`], [], [])).rejects.toThrow(
      'no such file',
    )
    const sparse = join(dir, 'sparse.bin')
    writeFileSync(sparse, '')
    truncateSync(sparse, MAX_REQUEST_FILE_BYTES + 1)
    await expect(inputDrafts([`x=@${sparse}`], [], [])).rejects.toThrow(
      `--input x=@${sparse}: 268435457 bytes, more than the 268435456 an input may take`,
    )
  })
})
