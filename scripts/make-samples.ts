/*
 * Regenerates the bundled sample media in resources/samples/ (run: npx tsx scripts/make-samples.ts).
 * Everything is synthesised, so the expected results are known exactly: the audio carries text
 * as tones for the demo transcribers, the video carries palette-coloured boxes for the demo
 * detector, with the ground truth computed here from the same numbers handed to ffmpeg.
 * ffmpeg comes from FFMPEG_BIN, else from PATH.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BOX_PALETTE } from '../src/main/demo-endpoint/color-box-finder'
import { decodeToneText, encodeToneText } from '../src/main/demo-endpoint/tone-text-codec'
import { encodeWav16 } from '../src/main/media/wav-file'

const SAMPLE_TEXT = 'hello from triton live. the quick brown fox jumps over the lazy dog.'

const VIDEO_FPS = 10
const VIDEO = { width: 640, height: 360, fps: VIDEO_FPS, seconds: 4, background: 0x303030 }

interface BoxSpec {
  label: string
  width: number
  height: number
  /** Top-left corner at frame n; integers, so drawn and expected pixels agree exactly. */
  at: (n: number) => { x: number; y: number }
  /** For a moving box, the same x as an ffmpeg overlay expression of t (frame time, seconds). */
  overlayX?: string
}

// Red moves 10 px per frame: x = 40..430 over 40 frames, right edge at most 550 < 640, and its
// rows (60..139) never meet green's or blue's (150 and below), so no boxes overlap. Even
// coordinates and sizes keep the edges on yuv420p's 2x2 chroma grid.
const BOXES: BoxSpec[] = [
  {
    label: 'red',
    width: 120,
    height: 80,
    at: (n) => ({ x: 40 + 10 * n, y: 60 }),
    overlayX: `40+10*round(t*${VIDEO_FPS})`,
  },
  { label: 'green', width: 100, height: 100, at: () => ({ x: 400, y: 200 }) },
  { label: 'blue', width: 80, height: 120, at: () => ({ x: 250, y: 150 }) },
]

const ffmpegBin = process.env.FFMPEG_BIN || 'ffmpeg'

function ffmpeg(args: string[], input?: Uint8Array): void {
  const result = spawnSync(ffmpegBin, ['-hide_banner', '-loglevel', 'error', '-y', ...args], {
    input,
    maxBuffer: 64 * 1024 * 1024,
  })
  if (result.error) throw result.error
  if (result.status !== 0) {
    throw new Error(`${ffmpegBin} ${args.join(' ')} failed:\n${result.stderr.toString()}`)
  }
}

function hex(rgb: number): string {
  return `0x${rgb.toString(16).padStart(6, '0')}`
}

function paletteColor(label: string): { classId: number; hex: string } {
  const classId = BOX_PALETTE.findIndex((entry) => entry.name === label)
  if (classId < 0) throw new Error(`no palette colour named ${label}`)
  const [r, g, b] = BOX_PALETTE[classId].rgb
  return { classId, hex: hex((r << 16) | (g << 8) | b) }
}

function f32le(samples: Float32Array): Uint8Array {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength)
}

/** A second of silence after the text, so a looping player (Chromium's fake microphone) yields one utterance per loop. */
function withTrailingSilence(samples: Float32Array, rate: number): Float32Array {
  const out = new Float32Array(samples.length + rate)
  out.set(samples)
  return out
}

function makeAudio(outDir: string): void {
  const at16k = withTrailingSilence(encodeToneText(SAMPLE_TEXT, 16000), 16000)
  if (decodeToneText(at16k) !== SAMPLE_TEXT) throw new Error('tone codec round trip failed')
  writeFileSync(join(outDir, 'tone-text.wav'), encodeWav16(at16k, 16000))

  const at48k = withTrailingSilence(encodeToneText(SAMPLE_TEXT, 48000), 48000)
  ffmpeg(
    [
      ['-f', 'f32le', '-ar', '48000', '-ac', '1', '-i', 'pipe:0'],
      ['-c:a', 'flac', '-sample_fmt', 's16', '-compression_level', '8'],
      ['-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact'],
      [join(outDir, 'tone-text-48k.flac')],
    ].flat(),
    f32le(at48k),
  )
}

function makeVideo(outDir: string): void {
  const { width, height, fps, seconds } = VIDEO
  const size = `${width}x${height}`
  const inputs = [`color=c=${hex(VIDEO.background)}:s=${size}:r=${fps}:d=${seconds}`]
  const graph: string[] = []
  let last = '0:v'
  BOXES.forEach((box, i) => {
    const { hex: color } = paletteColor(box.label)
    const out = `b${i}`
    const { x, y } = box.at(0)
    if (box.overlayX === undefined) {
      graph.push(
        `[${last}]drawbox=x=${x}:y=${y}:w=${box.width}:h=${box.height}:color=${color}:t=fill[${out}]`,
      )
    } else {
      // drawbox evaluates its position once, so a moving box is a solid colour source overlaid
      // at a per-frame position. The frame number comes from t because overlay's own n starts
      // at 1 in ffmpeg 5.1.
      inputs.push(`color=c=${color}:s=${box.width}x${box.height}:r=${fps}:d=${seconds}`)
      graph.push(
        `[${last}][${inputs.length - 1}:v]overlay=x='${box.overlayX}':y=${y}` +
          `:eval=frame:shortest=1[${out}]`,
      )
    }
    last = out
  })
  graph.push(`[${last}]format=yuv420p[v]`)
  ffmpeg(
    [
      ...inputs.flatMap((source) => ['-f', 'lavfi', '-i', source]),
      ['-filter_complex', graph.join(';'), '-map', '[v]'],
      ['-c:v', 'libx264', '-preset', 'medium', '-crf', '18', '-g', `${fps}`, '-bf', '0'],
      ['-threads', '1', '-pix_fmt', 'yuv420p', '-movflags', '+faststart'],
      ['-map_metadata', '-1', '-fflags', '+bitexact', '-flags:v', '+bitexact'],
      [join(outDir, 'boxes.mp4')],
    ].flat(),
  )

  const frameCount = fps * seconds
  const truth = {
    video: 'boxes.mp4',
    width,
    height,
    fps,
    frameCount,
    background: hex(VIDEO.background),
    labels: BOX_PALETTE.map((entry) => entry.name),
    frames: Array.from({ length: frameCount }, (_, n) => ({
      frame: n,
      time: Math.round((n / fps) * 1000) / 1000,
      boxes: BOXES.map((box) => ({
        label: box.label,
        classId: paletteColor(box.label).classId,
        ...box.at(n),
        width: box.width,
        height: box.height,
      })),
    })),
  }
  writeFileSync(join(outDir, 'boxes.json'), `${JSON.stringify(truth, null, 2)}\n`)
}

function makeReadme(outDir: string): void {
  const boxLines = BOXES.map((box) => {
    const start = box.at(0)
    const end = box.at(VIDEO.fps * VIDEO.seconds - 1)
    const where =
      start.x === end.x && start.y === end.y
        ? `static at (${start.x}, ${start.y})`
        : `moving from (${start.x}, ${start.y}) to (${end.x}, ${end.y}), ${box.at(1).x - start.x} px per frame`
    return `- ${box.label} (class ${paletteColor(box.label).classId}) ${box.width}×${box.height}, ${where}`
  })
  const text = `# Sample media

Generated by \`npx tsx scripts/make-samples.ts\`; do not edit by hand. All files are synthetic,
so the demo endpoint's models give exactly known results on them.

**tone-text.wav** — 16 kHz mono 16-bit PCM. The text is carried as audio tones (one tone per
character, see \`src/main/demo-endpoint/tone-text-codec.ts\`). The demo transcribers return
exactly: \`${SAMPLE_TEXT}\`

**tone-text-48k.flac** — the same text encoded at 48 kHz and stored as FLAC. After decoding and
resampling to 16 kHz it gives the same exact transcript, which shows that input format and sample
rate do not matter.

**boxes.mp4** — ${VIDEO.seconds} s, ${VIDEO.width}×${VIDEO.height}, ${VIDEO.fps} fps, H.264 yuv420p,
background ${hex(VIDEO.background)}, with three solid boxes (source pixels, top-left corner):

${boxLines.join('\n')}

The demo detector finds exactly these three boxes on every frame (edges within a pixel after
compression), with the class ids of its palette (0 red, 1 green, 2 blue).

**boxes.json** — the ground truth of boxes.mp4 for every frame: frame index, time in seconds, and
each box as {label, classId, x, y, width, height} in source pixels (x, y the top-left corner).
`
  writeFileSync(join(outDir, 'README.md'), text)
}

function main(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  const outDir = join(root, 'resources', 'samples')
  mkdirSync(outDir, { recursive: true })
  makeAudio(outDir)
  makeVideo(outDir)
  makeReadme(outDir)
  console.log(`samples written to ${outDir}`)
}

main()
