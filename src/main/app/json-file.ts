import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/** Reads JSON, treating a missing file as `fallback`; a corrupt file is kept aside, not lost. */
export async function readJsonFile<T>(path: string, fallback: T): Promise<T> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return fallback
    throw e
  }
  try {
    return JSON.parse(text) as T
  } catch {
    await rename(path, `${path}.corrupt-${Date.now()}`)
    return fallback
  }
}

let writes = 0

/** Writes through a temporary file and a rename, so a crash never leaves half a file. */
export async function writeJsonFile(path: string, value: unknown, mode = 0o600): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.tmp-${process.pid}-${++writes}`
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n', { mode })
  await rename(tmp, path)
}

/**
 * Runs the read-modify-write steps on one file one after another: two saves at once would
 * otherwise both start from the same contents, and the second would drop the first's change.
 */
export class FileQueue {
  private tail: Promise<unknown> = Promise.resolve()

  run<T>(step: () => Promise<T>): Promise<T> {
    const next = this.tail.then(step, step)
    this.tail = next.catch(() => undefined)
    return next
  }
}
