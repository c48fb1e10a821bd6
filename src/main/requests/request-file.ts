import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { MAX_REQUEST_FILE_BYTES } from '../../shared/single-request'

/** A request input's file as read: its bytes, or why they could not be taken. */
export type RequestFileRead =
  | { kind: 'read'; bytes: Uint8Array }
  /** Not there, not readable, or not a regular file. */
  | { kind: 'missing' }
  /** `problem`: the size and the limit, in words that follow the file's name. */
  | { kind: 'too-large'; problem: string }

/**
 * Reads a file given as a request's input (by the CLI's @FILE and the app's file grant alike),
 * never holding more than `limit` bytes. The size is taken from the open file, and a file that
 * grows after that (or says nothing of its size, as /proc does) is caught by reading at most
 * one byte past the limit.
 */
export async function readRequestFile(
  path: string,
  limit = MAX_REQUEST_FILE_BYTES,
): Promise<RequestFileRead> {
  // Non-blocking, so a named pipe is refused below instead of waiting for a writer.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => undefined)
  if (!handle) return { kind: 'missing' }
  try {
    const info = await handle.stat()
    if (!info.isFile()) return { kind: 'missing' }
    if (info.size > limit) {
      return {
        kind: 'too-large',
        problem: `${info.size} bytes, more than the ${limit} an input may take`,
      }
    }
    let buffer = Buffer.allocUnsafe(info.size + 1)
    let length = 0
    for (;;) {
      if (length === buffer.length) {
        if (length > limit) {
          return {
            kind: 'too-large',
            problem: `more than the ${limit} bytes an input may take (it grew while it was read)`,
          }
        }
        const grown = Buffer.allocUnsafe(Math.min(2 * length, limit + 1))
        buffer.copy(grown, 0, 0, length)
        buffer = grown
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null)
      if (bytesRead === 0) break
      length += bytesRead
    }
    return { kind: 'read', bytes: buffer.subarray(0, length) }
  } finally {
    await handle.close()
  }
}
