import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs'
import { join } from 'node:path'

export interface RegionInfo {
  name: string
  key: string
  offset: number
  byteSize: number
}

/**
 * System shared-memory regions as Triton handles them: the client creates a POSIX shm object
 * (on Linux a file under /dev/shm), registers name/key/offset/size, and requests then name the
 * region instead of carrying bytes. glibc's shm_open strips leading slashes from the key.
 */
export class SharedMemoryRegistry {
  private readonly regions = new Map<string, RegionInfo>()

  constructor(private readonly shmDir = '/dev/shm') {}

  /** glibc's shm_open refuses a name with a slash after the leading ones; so do we, which keeps every path in the shm folder. */
  private pathOf(key: string): string {
    const name = key.replace(/^\/+/, '')
    if (!name || name.includes('/') || name === '.' || name === '..') {
      throw new Error(`invalid shared memory key '${key}': use '/name' with no other slashes`)
    }
    return join(this.shmDir, name)
  }

  register(region: RegionInfo): void {
    if (this.regions.has(region.name)) {
      throw new Error(`shared memory region '${region.name}' already in manager`)
    }
    const path = this.pathOf(region.key)
    let fd: number
    try {
      fd = openSync(path, 'r')
    } catch {
      throw new Error(`Unable to open shared memory region: '${region.key}'`)
    }
    try {
      const size = fstatSync(fd).size
      if (region.offset + region.byteSize > size) {
        throw new Error(
          `failed to register shared memory region '${region.name}': invalid args: offset ${region.offset} + byte size ${region.byteSize} exceeds the region size ${size}`,
        )
      }
    } finally {
      closeSync(fd)
    }
    this.regions.set(region.name, { ...region })
  }

  unregister(name: string): void {
    if (name) this.regions.delete(name)
    else this.regions.clear()
  }

  status(name: string): RegionInfo[] {
    if (!name) return [...this.regions.values()]
    const r = this.regions.get(name)
    if (!r) throw new Error(`Unable to find system shared memory region: '${name}'`)
    return [r]
  }

  private region(name: string, offset: number, byteSize: number): RegionInfo {
    const r = this.regions.get(name)
    if (!r) throw new Error(`Unable to find shared memory region: '${name}'`)
    if (offset < 0 || offset + byteSize > r.byteSize) {
      throw new Error(`Invalid offset + byte size for shared memory region: '${name}'`)
    }
    return r
  }

  /** Writes an output into a region, as Triton's allocator hands the backend the mapped memory. */
  write(name: string, offset: number, bytes: Uint8Array): void {
    const r = this.region(name, offset, bytes.byteLength)
    const fd = openSync(this.pathOf(r.key), 'r+')
    try {
      writeSync(fd, bytes, 0, bytes.byteLength, r.offset + offset)
    } finally {
      closeSync(fd)
    }
  }

  read(name: string, offset: number, byteSize: number): Uint8Array {
    const r = this.region(name, offset, byteSize)
    const out = Buffer.alloc(byteSize)
    const fd = openSync(this.pathOf(r.key), 'r')
    try {
      readSync(fd, out, 0, byteSize, r.offset + offset)
    } finally {
      closeSync(fd)
    }
    return out
  }
}
