// Runs npm scripts side by side and fails if any fails: the static checks (ESLint, Prettier,
// the two TypeScript projects) are single-threaded, so on CI's two cores running them together
// takes about half as long as one after another. Each script's output is printed whole, in the
// order given, once it has ended, so interleaved lines never hide a failure.
import { spawn } from 'node:child_process'

const scripts = process.argv.slice(2)
if (scripts.length === 0) {
  process.stderr.write('usage: node scripts/run-parallel.mjs <npm script>...\n')
  process.exit(2)
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

function run(name) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(npm, ['run', '--silent', name], {
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    })
    const chunks = []
    child.stdout.on('data', (d) => chunks.push(d))
    child.stderr.on('data', (d) => chunks.push(d))
    child.on('error', (e) => chunks.push(Buffer.from(`${e.message}\n`)))
    child.on('close', (code) =>
      resolve({ name, code: code ?? 1, output: Buffer.concat(chunks), ms: Date.now() - started }),
    )
  })
}

const results = await Promise.all(scripts.map(run))
let failed = 0
for (const r of results) {
  const verdict = r.code === 0 ? 'ok' : `failed (exit ${r.code})`
  process.stdout.write(`> ${r.name}: ${verdict} in ${(r.ms / 1000).toFixed(1)} s\n`)
  if (r.output.length > 0) process.stdout.write(r.output)
  if (r.code !== 0) failed++
}
process.exit(failed > 0 ? 1 : 0)
