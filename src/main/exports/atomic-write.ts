import { randomBytes } from 'node:crypto'
import { rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** A failed export; the message names the file, the cause and what to do, on one line. */
export class ExportError extends Error {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'ExportError'
  }
}

/** Writes beside the target and renames, so a reader never sees half a file. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.partial`)
  try {
    await writeFile(temp, text, 'utf8')
    await rename(temp, path)
  } catch (e) {
    await rm(temp, { force: true }).catch(() => undefined)
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message
    throw new ExportError(
      path,
      `cannot write ${path} (${code}): check that the folder exists and is writable`,
      { cause: e },
    )
  }
}
