import { accessSync, constants, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, delimiter, dirname, join } from 'node:path'
import { MediaError } from './media-error'

type Env = Readonly<Record<string, string | undefined>>

export interface ResolveOptions {
  /** Defaults to process.env. */
  env?: Env
  /** Overrides the ffmpeg-static lookup (tests); null means "not installed". */
  ffmpegStaticPath?: string | null
}

const isWindows = process.platform === 'win32'

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false
    // Windows has no execute bit; existence is all we can check there.
    if (!isWindows) accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** Finds an executable on PATH without a shell, so no quoting or injection concerns arise. */
export function findOnPath(name: string, env: Env = process.env): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter((d) => d.length > 0)
  const exts = isWindows
    ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').map((e) => e.toLowerCase())]
    : ['']
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = join(dir, name + ext)
      if (isExecutableFile(candidate)) return candidate
    }
  }
  return undefined
}

/** Where ffmpeg-static says its binary is; the file may be missing if its download failed. */
export function ffmpegStaticPath(): string | undefined {
  try {
    // createRequire keeps this working from both the ESM test run and the CJS Electron bundle.
    const req = createRequire(import.meta.url)
    const value: unknown = req('ffmpeg-static')
    if (typeof value !== 'string' || value.length === 0) return undefined
    // Inside a packaged app the binary is unpacked next to the asar archive, not inside it.
    return value.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1')
  } catch {
    return undefined
  }
}

const FFMPEG_HINT = 'install ffmpeg (apt-get install ffmpeg) or set FFMPEG_BIN to its path'

/**
 * The ffmpeg to run: `FFMPEG_BIN` if it points at a file, then the ffmpeg-static binary if it
 * was downloaded at install time (it is not, offline), then `ffmpeg` on PATH.
 */
export function resolveFfmpeg(opts: ResolveOptions = {}): string {
  const env = opts.env ?? process.env
  const fromEnv = env.FFMPEG_BIN
  if (fromEnv && isExecutableFile(fromEnv)) return fromEnv
  const fromPackage =
    opts.ffmpegStaticPath === undefined ? ffmpegStaticPath() : (opts.ffmpegStaticPath ?? undefined)
  if (fromPackage && isExecutableFile(fromPackage)) return fromPackage
  const fromPath = findOnPath('ffmpeg', env)
  if (fromPath) return fromPath
  const envNote = fromEnv ? ` (FFMPEG_BIN=${fromEnv} is not an executable file)` : ''
  throw new MediaError('ffmpeg-missing', `ffmpeg not found${envNote}: ${FFMPEG_HINT}`, FFMPEG_HINT)
}

/**
 * The ffprobe to run, or undefined when there is none (probing then falls back to parsing
 * `ffmpeg -i`). Looks at `FFPROBE_BIN`, then beside the resolved ffmpeg, then PATH.
 */
export function resolveFfprobe(opts: ResolveOptions = {}): string | undefined {
  const env = opts.env ?? process.env
  const fromEnv = env.FFPROBE_BIN
  if (fromEnv && isExecutableFile(fromEnv)) return fromEnv
  let ffmpeg: string | undefined
  try {
    ffmpeg = resolveFfmpeg(opts)
  } catch {
    ffmpeg = undefined
  }
  if (ffmpeg) {
    const sibling = join(dirname(ffmpeg), basename(ffmpeg).replace(/ffmpeg/i, 'ffprobe'))
    if (sibling !== ffmpeg && isExecutableFile(sibling)) return sibling
  }
  return findOnPath('ffprobe', env)
}
