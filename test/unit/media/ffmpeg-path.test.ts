import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ffmpegStaticPath,
  findOnPath,
  resolveFfmpeg,
  resolveFfprobe,
} from '../../../src/main/media/ffmpeg-path'
import { MediaError } from '../../../src/main/media/media-error'

let dir: string
let binA: string
let binB: string

function fakeTool(path: string, executable: boolean): void {
  writeFileSync(path, '#!/bin/sh\nexit 0\n')
  chmodSync(path, executable ? 0o755 : 0o644)
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'triton-live-ffpath-'))
  binA = join(dir, 'a')
  binB = join(dir, 'b')
  mkdirSync(binA)
  mkdirSync(binB)
  fakeTool(join(binA, 'ffmpeg'), false)
  fakeTool(join(binB, 'ffmpeg'), true)
  fakeTool(join(binB, 'ffprobe'), true)
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('resolveFfmpeg', () => {
  it('uses FFMPEG_BIN when it names an existing file', () => {
    expect(resolveFfmpeg({ env: { FFMPEG_BIN: '/usr/bin/ffmpeg', PATH: '' } })).toBe(
      '/usr/bin/ffmpeg',
    )
  })

  it('prefers the ffmpeg-static binary over PATH when it was downloaded', () => {
    const found = resolveFfmpeg({ env: { PATH: binB }, ffmpegStaticPath: '/usr/bin/ffmpeg' })
    expect(found).toBe('/usr/bin/ffmpeg')
  })

  it('skips a missing FFMPEG_BIN and a missing ffmpeg-static binary and searches PATH', () => {
    const found = resolveFfmpeg({
      env: { FFMPEG_BIN: join(dir, 'nope'), PATH: `${binA}:${binB}` },
      ffmpegStaticPath: join(dir, 'not-downloaded'),
    })
    // The first PATH entry's ffmpeg is not executable, so the second one wins.
    expect(found).toBe(join(binB, 'ffmpeg'))
  })

  it('says how to install ffmpeg when there is none', () => {
    let err: unknown
    try {
      resolveFfmpeg({ env: { FFMPEG_BIN: join(dir, 'nope'), PATH: binA }, ffmpegStaticPath: null })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(MediaError)
    const me = err as MediaError
    expect(me.code).toBe('ffmpeg-missing')
    expect(me.message).toContain(
      'install ffmpeg (apt-get install ffmpeg) or set FFMPEG_BIN to its path',
    )
    expect(me.message).toContain(join(dir, 'nope'))
    expect(me.hint).toBe('install ffmpeg (apt-get install ffmpeg) or set FFMPEG_BIN to its path')
  })

  it('finds the system ffmpeg with the real environment', () => {
    expect(resolveFfmpeg()).toMatch(/ffmpeg$/)
  })
})

describe('ffmpegStaticPath', () => {
  it('reports where ffmpeg-static keeps its binary, whether or not it was downloaded', () => {
    expect(ffmpegStaticPath()).toMatch(/ffmpeg(\.exe)?$/)
  })
})

describe('resolveFfprobe', () => {
  it('uses FFPROBE_BIN first', () => {
    expect(
      resolveFfprobe({
        env: { FFPROBE_BIN: '/usr/bin/ffprobe', PATH: binB },
        ffmpegStaticPath: null,
      }),
    ).toBe('/usr/bin/ffprobe')
  })

  it('looks beside the resolved ffmpeg', () => {
    const env = { FFMPEG_BIN: join(binB, 'ffmpeg'), PATH: '' }
    expect(resolveFfprobe({ env, ffmpegStaticPath: null })).toBe(join(binB, 'ffprobe'))
  })

  it('returns undefined when there is no ffprobe anywhere', () => {
    expect(resolveFfprobe({ env: { PATH: binA }, ffmpegStaticPath: null })).toBeUndefined()
  })
})

describe('findOnPath', () => {
  it('ignores empty PATH entries and missing directories', () => {
    expect(findOnPath('ffmpeg', { PATH: `:${join(dir, 'gone')}::${binB}` })).toBe(
      join(binB, 'ffmpeg'),
    )
    expect(findOnPath('ffmpeg', {})).toBeUndefined()
  })
})
