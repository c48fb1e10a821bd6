import { createHash } from 'node:crypto'
import { readdirSync, rmSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'

/**
 * Region names carry this host and the pid that made them, so a later run can tell a region
 * left by a killed process (its pid is gone) from one a live session still uses.
 */
export const REGION_PREFIX = 'triton_live_'

const hostTag = createHash('sha1').update(hostname()).digest('hex').slice(0, 8)
let sessionCounter = 0

export function newRegionStem(pid = process.pid): string {
  return `${REGION_PREFIX}${hostTag}_${pid}_${++sessionCounter}_${Date.now().toString(36)}`
}

const OURS = new RegExp(`^${REGION_PREFIX}${hostTag}_(\\d+)_`)

/** The pid in a name this host made, or undefined for anyone else's region. */
export function regionOwner(name: string): number | undefined {
  const m = OURS.exec(name.replace(/^\/+/, ''))
  return m ? Number(m[1]) : undefined
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** True for a name of ours whose process has died. */
export function isStale(name: string): boolean {
  const pid = regionOwner(name)
  return pid !== undefined && pid !== process.pid && !isProcessAlive(pid)
}

/** Unlinks the shm objects dead runs of this app left on this host; returns their names. */
export function unlinkStaleRegionFiles(shmDir = '/dev/shm'): string[] {
  let names: string[]
  try {
    names = readdirSync(shmDir)
  } catch {
    return []
  }
  const stale = names.filter(isStale)
  for (const name of stale) rmSync(join(shmDir, name), { force: true })
  return stale
}
