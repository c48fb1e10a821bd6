import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readRequestFile } from '../../../src/main/requests/request-file'

const dir = mkdtempSync(join(tmpdir(), 'triton-live-request-file-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('reading a file given as a request input', () => {
  it('reads a file up to the limit whole', async () => {
    const file = join(dir, 'sixteen.bin')
    writeFileSync(file, Buffer.from('0123456789abcdef'))
    const read = await readRequestFile(file, 16)
    expect(read.kind === 'read' && Buffer.from(read.bytes).toString()).toBe('0123456789abcdef')
  })

  it('refuses a file whose size is over the limit without reading it', async () => {
    const file = join(dir, 'seventeen.bin')
    writeFileSync(file, Buffer.alloc(17))
    expect(await readRequestFile(file, 16)).toEqual({
      kind: 'too-large',
      problem: '17 bytes, more than the 16 an input may take',
    })
  })

  it('refuses a file that gives more bytes than its size said', async () => {
    // /proc files report a size of 0 and then give their text: what a file growing after the
    // size was taken looks like to the reader.
    expect(await readRequestFile('/proc/self/status', 16)).toEqual({
      kind: 'too-large',
      problem: 'more than the 16 bytes an input may take (it grew while it was read)',
    })
  })

  it('reads a file that says nothing of its size as far as it goes', async () => {
    const read = await readRequestFile('/proc/self/status', 1 << 20)
    expect(read.kind === 'read' && Buffer.from(read.bytes).toString()).toMatch(/^Name:/)
  })

  it('takes no file that is missing, a folder or a named pipe (without waiting for a writer)', async () => {
    const fifo = join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    expect(await readRequestFile(join(dir, 'nope.bin'))).toEqual({ kind: 'missing' })
    expect(await readRequestFile(dir)).toEqual({ kind: 'missing' })
    expect(await readRequestFile(fifo)).toEqual({ kind: 'missing' })
  })

  it('refuses a file over the default limit of 256 MiB from its size alone', async () => {
    // Sparse: no disk is used, and nothing is read.
    const file = join(dir, 'sparse.bin')
    writeFileSync(file, '')
    truncateSync(file, 256 * 2 ** 20 + 1)
    expect(await readRequestFile(file)).toEqual({
      kind: 'too-large',
      problem: '268435457 bytes, more than the 268435456 an input may take',
    })
  })
})
