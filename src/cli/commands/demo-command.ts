import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { startDemoEndpoint, type DemoEndpoint } from '../../main/demo-endpoint/demo-server'
import { CONNECTION_FLAGS } from '../connection-flags'
import type { Output } from '../output'
import { streamCommand } from './stream-command'

export const DEMO_HELP = `triton-live demo [--url U]
  The whole product in one command: streams the bundled samples (a tone-coded speech file and
  a video of coloured boxes) to a transcriber and a detector, printing results and latency.
  Without --url (or TRITON_URL) it starts the built-in demo endpoint on loopback first.`

/** resources/samples, whether run from sources or from out/main. */
export function samplesDir(): string {
  const candidates = [
    resolve(__dirname, '../../resources/samples'),
    resolve(__dirname, '../../../resources/samples'),
    resolve('resources/samples'),
  ]
  return candidates.find((d) => existsSync(join(d, 'tone-text.wav'))) ?? candidates[0]
}

export async function demoCommand(argv: string[], output: Output): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...CONNECTION_FLAGS, json: { type: 'boolean' } },
    strict: true,
  })
  let demo: DemoEndpoint | undefined
  let url = values.url ?? process.env.TRITON_URL
  if (!url) {
    demo = await startDemoEndpoint({ port: 0, metricsPort: 0 })
    url = demo.url
    output.write(`started the built-in demo endpoint on ${url} (metrics ${demo.metricsUrl})`)
  }
  const dir = samplesDir()
  const passThrough = argv.filter((a, i) => a !== '--url' && argv[i - 1] !== '--url')
  try {
    let code = 0
    for (const [model, file] of [
      ['tone-transcriber-streaming', 'tone-text.wav'],
      ['color-box-detector-yolov8', 'boxes.mp4'],
    ]) {
      output.write('')
      output.write(`== ${model} <- ${file}`)
      // Run every sample even if one fails, and report the first failure.
      const result = await streamCommand(
        [
          '--url',
          url,
          '--model',
          model,
          '--file',
          join(dir, file),
          '--max-fps',
          '10',
          ...passThrough,
        ],
        output,
      )
      code ||= result
    }
    return code
  } finally {
    await demo?.close()
  }
}
