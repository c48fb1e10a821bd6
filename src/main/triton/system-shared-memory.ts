import { closeSync, ftruncateSync, openSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'

/**
 * A POSIX shared-memory object made from Node: on Linux with glibc, shm_open(key) opens
 * /dev/shm/<key without leading slashes>, so a file there is the same object Triton maps when
 * the region is registered. Same host only; Triton 26.04+ also needs --allow-client-shm=true.
 */
export class SystemSharedMemoryRegion {
  readonly key: string
  private readonly path: string
  private fd: number | undefined

  constructor(
    readonly name: string,
    readonly byteSize: number,
    shmDir = '/dev/shm',
  ) {
    this.key = `/${name}`
    this.path = join(shmDir, name)
    this.fd = openSync(this.path, 'w+', 0o600)
    ftruncateSync(this.fd, byteSize)
  }

  write(bytes: Uint8Array, offset = 0): void {
    if (this.fd === undefined) throw new Error(`shared memory region '${this.name}' is closed`)
    if (offset + bytes.byteLength > this.byteSize) {
      throw new RangeError(
        `${bytes.byteLength} bytes at ${offset} do not fit region '${this.name}' of ${this.byteSize}`,
      )
    }
    writeSync(this.fd, bytes, 0, bytes.byteLength, offset)
  }

  /** Closes and removes the object; unregister it from the server first. */
  destroy(): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
    rmSync(this.path, { force: true })
  }
}
