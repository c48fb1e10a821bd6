import { isAbsolute, relative, resolve } from 'node:path'
import { MAX_PATH_CHARS } from '../../shared/limits'

/** The folder under the app's data folder where a user may keep files for it without a dialog. */
export const USER_FILES_FOLDER = 'files'

/** More than a person picks or drops in a run; a flood of drops cannot grow the set without end. */
const MAX_GRANTS = 1000

/** The files a window may name, by field, as the refusal calls them. */
export const FILE_FIELDS = {
  media: { what: 'the media file', how: 'choose it with "Choose file…" or drop it on the window' },
  labels: {
    what: 'the labels file',
    how: 'choose it with "Choose labels file…" in the model profile',
  },
  caFile: { what: 'the TLS CA file', how: 'choose it with its "Choose…" button' },
  certFile: { what: 'the TLS certificate file', how: 'choose it with its "Choose…" button' },
  keyFile: { what: 'the TLS key file', how: 'choose it with its "Choose…" button' },
  input: {
    what: "a request's input file",
    how: 'choose it with "Choose file…" in the Request view',
  },
} as const
export type FileField = keyof typeof FILE_FIELDS

/** A path the window named without the user having given it; says nothing about the file. */
export class FileAccessError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message)
    this.name = 'FileAccessError'
  }
}

/** An absolute path in one canonical spelling (`..` and `.` folded), or undefined. */
function canonical(path: string): string | undefined {
  if (path.length === 0 || path.length > MAX_PATH_CHARS || path.includes('\0')) return undefined
  return isAbsolute(path) ? resolve(path) : undefined
}

function isUnder(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

/**
 * Which files the window may have main open. A path from the renderer is honoured only when
 * main itself handed it out in this run (an open dialog, a file dropped on the window as the
 * preload reports it, audio main kept) or when it lies under one of the folders it is given
 * (the user's files folder in the app's data folder, never the app's own settings).
 * Anything else gets the same one line whether the file exists or not, before anything looks at
 * the disk, so the page cannot use main to read files or to probe for them.
 */
export class FileGrants {
  private readonly granted = new Set<string>()
  private readonly roots: string[]

  constructor(roots: readonly string[]) {
    this.roots = roots.map((r) => resolve(r))
  }

  /** Records a path the user gave in this run; a path that is not absolute grants nothing. */
  grant(path: string): boolean {
    const p = canonical(path)
    if (!p) return false
    this.granted.delete(p)
    this.granted.add(p)
    if (this.granted.size > MAX_GRANTS) {
      this.granted.delete(this.granted.values().next().value as string)
    }
    return true
  }

  allows(path: string): boolean {
    const p = canonical(path)
    return Boolean(p && (this.granted.has(p) || this.roots.some((root) => isUnder(root, p))))
  }

  /**
   * Throws unless `path` may be used for `field`. Empty means "none" and passes. `kept` is what
   * the record being saved already holds: it was checked when it first came, in some run.
   */
  require(path: string | undefined, field: FileField, kept?: string): void {
    if (!path || this.allows(path) || (kept !== undefined && path === kept)) return
    const { what, how } = FILE_FIELDS[field]
    throw new FileAccessError(`${what} was not chosen in this window`, how)
  }
}
