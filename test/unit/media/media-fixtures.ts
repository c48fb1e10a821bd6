import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Media made on the spot with system tools, so tests never download anything. */
export interface MediaFixtures {
  dir: string
  /** 1.5 s, 440 Hz, 44.1 kHz stereo. */
  toneWav: string
  /** espeak-ng saying "hello world", 22.05 kHz mono. */
  speechWav: string
  toneMp3: string
  toneOgg: string
  /** 320x180, 10 fps, 1 s, grey with a red box at x 40..100, y 20..60; no audio. */
  boxMp4: string
  /** boxMp4 flagged as rotated a quarter turn. */
  rotatedMp4: string
  /** boxMp4 plus a 1 s sine track. */
  avMp4: string
  /** toneMp3 with a cover picture, which is a video stream that is not a video. */
  coverMp3: string
  /** 30 s of tone, long enough to still be decoding when a test aborts. */
  longWav: string
  /** A text file named .wav. */
  textWav: string
  cleanup: () => void
}

function tool(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

function ffmpeg(...args: string[]): void {
  tool('ffmpeg', ['-nostdin', '-y', '-loglevel', 'error', ...args])
}

export function makeMediaFixtures(): MediaFixtures {
  const dir = mkdtempSync(join(tmpdir(), 'triton-live-media-'))
  const p = (name: string): string => join(dir, name)
  const f: MediaFixtures = {
    dir,
    toneWav: p('tone.wav'),
    speechWav: p('speech.wav'),
    toneMp3: p('tone.mp3'),
    toneOgg: p('tone.ogg'),
    boxMp4: p('box.mp4'),
    rotatedMp4: p('rotated.mp4'),
    avMp4: p('av.mp4'),
    coverMp3: p('cover.mp3'),
    longWav: p('long.wav'),
    textWav: p('text.wav'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
  tool('sox', ['-n', '-r', '44100', '-c', '2', f.toneWav, 'synth', '1.5', 'sine', '440'])
  tool('espeak-ng', ['-w', f.speechWav, 'hello world'])
  ffmpeg('-i', f.toneWav, '-c:a', 'libmp3lame', f.toneMp3)
  ffmpeg('-i', f.toneWav, '-c:a', 'libvorbis', f.toneOgg)
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    'color=c=0x303030:s=320x180:r=10:d=1',
    '-vf',
    'drawbox=x=40:y=20:w=60:h=40:color=red:t=fill',
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    f.boxMp4,
  )
  ffmpeg('-i', f.boxMp4, '-c', 'copy', '-metadata:s:v', 'rotate=90', f.rotatedMp4)
  ffmpeg(
    '-i',
    f.boxMp4,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=1',
    '-c:v',
    'copy',
    '-c:a',
    'aac',
    '-shortest',
    f.avMp4,
  )
  const cover = p('cover.png')
  ffmpeg('-f', 'lavfi', '-i', 'color=c=blue:s=64x64:d=1', '-frames:v', '1', cover)
  ffmpeg(
    '-i',
    f.toneMp3,
    '-i',
    cover,
    '-map',
    '0',
    '-map',
    '1',
    '-c',
    'copy',
    '-disposition:v',
    'attached_pic',
    '-id3v2_version',
    '3',
    f.coverMp3,
  )
  tool('sox', ['-n', '-r', '8000', '-c', '1', f.longWav, 'synth', '30', 'sine', '300'])
  writeFileSync(f.textWav, 'this is not audio\n'.repeat(20))
  return f
}

/** ffmpeg processes that are children of this test process, zombies included. */
export function childFfmpegs(): string[] {
  let out: string
  try {
    out = execFileSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)], {
      encoding: 'utf8',
    })
  } catch {
    // ps exits 1 when there are no children at all.
    return []
  }
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /\bffmpeg\b/.test(l))
}
