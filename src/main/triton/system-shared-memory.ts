import { closeSync, ftruncateSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'

/** Regions alive in this process, unlinked on exit so a crash that still runs exit hooks leaves none. */
const live = new Set<SystemSharedMemoryRegion>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const region of live) region.destroy()
  })
}

/**
 * A POSIX shared-memory object made from Node: on Linux with glibc, shm_open(key) opens
 * /dev/shm/<key without leading slashes>, so a file there is the same object Triton maps when
 * the region is registered. Same host only; Triton 26.04+ also needs --allow-client-shm=true.
 */
export class SystemSharedMemoryRegion {
  readonly key: string
  readonly path: string
  private fd: number | undefined

  constructor(
    readonly name: string,
    readonly byteSize: number,
    shmDir = '/dev/shm',
  ) {
    this.key = `/${name}`
    this.path = join(shmDir, name)
    this.fd = openSync(this.path, 'w+', 0o600)
    try {
      ftruncateSync(this.fd, byteSize)
    } catch (e) {
      this.destroy()
      throw e
    }
    live.add(this)
    installExitHook()
  }

  private checkRange(length: number, offset: number): number {
    if (this.fd === undefined) throw new Error(`shared memory region '${this.name}' is closed`)
    if (offset < 0 || offset + length > this.byteSize) {
      throw new RangeError(
        `${length} bytes at ${offset} do not fit region '${this.name}' of ${this.byteSize}`,
      )
    }
    return this.fd
  }

  write(bytes: Uint8Array, offset = 0): void {
    const fd = this.checkRange(bytes.byteLength, offset)
    writeSync(fd, bytes, 0, bytes.byteLength, offset)
  }

  /** Reads what the server wrote; a fresh buffer, so it outlives the next write. */
  read(offset: number, length: number): Buffer {
    const fd = this.checkRange(length, offset)
    const out = Buffer.allocUnsafe(length)
    let done = 0
    while (done < length) {
      const n = readSync(fd, out, done, length - done, offset + done)
      if (n === 0) break
      done += n
    }
    return done === length ? out : out.subarray(0, done)
  }

  /** Closes and removes the object; unregister it from the server first. */
  destroy(): void {
    live.delete(this)
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
    rmSync(this.path, { force: true })
  }
}
