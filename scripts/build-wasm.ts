// Builds src/main/media/frame-fill.wat into src/main/media/frame-fill-wasm.ts (its bytes, as
// base64), with wabt: `npm run wasm:build`. The app never needs wabt; a unit test checks that
// the bytes in the repository are what the .wat builds to.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import createWabt from 'wabt'

const MEDIA = join(__dirname, '../src/main/media')

/** The module's bytes, built from the .wat as it is now. */
export async function buildFrameFill(): Promise<Uint8Array> {
  const wabt = await createWabt()
  const text = readFileSync(join(MEDIA, 'frame-fill.wat'), 'utf8')
  const module = wabt.parseWat('frame-fill.wat', text, { simd: true, threads: true })
  try {
    return Uint8Array.from(module.toBinary({}).buffer)
  } finally {
    module.destroy()
  }
}

if (require.main === module) {
  void buildFrameFill().then((bytes) => {
    const out = join(MEDIA, 'frame-fill-wasm.ts')
    writeFileSync(
      out,
      '// Built from frame-fill.wat by `npm run wasm:build`; do not edit.\n' +
        `export const FRAME_FILL_WASM_BASE64 =\n  '${Buffer.from(bytes).toString('base64')}'\n`,
    )
    console.log(`wrote ${out}`)
  })
}
