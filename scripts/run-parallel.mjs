// Runs npm scripts side by side and fails if any fails. The static checks (ESLint, Prettier, the
// two TypeScript projects) are single-threaded and the test run leaves some of CI's two cores
// idle while tests wait on sockets and timers, so running them together saves minutes.
//
//   node scripts/run-parallel.mjs [--live SCRIPT] SCRIPT...
//
// --live SCRIPT prints as it goes (the test run, so progress shows); every other script's
// output is printed whole, once it has ended, so interleaved lines never hide a failure.
import { spawn } from 'node:child_process'

const args = process.argv.slice(2)
const liveAt = args.indexOf('--live')
const live = liveAt >= 0 ? args.splice(liveAt, 2)[1] : undefined
const scripts = args
if (scripts.length === 0 && !live) {
  process.stderr.write('usage: node scripts/run-parallel.mjs [--live script] <npm script>...\n')
  process.exit(2)
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

function run(name, inherit) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(npm, ['run', '--silent', name], {
      stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    })
    const chunks = []
    child.stdout?.on('data', (d) => chunks.push(d))
    child.stderr?.on('data', (d) => chunks.push(d))
    child.on('error', (e) => chunks.push(Buffer.from(`${e.message}\n`)))
    child.on('close', (code) => {
      const ms = Date.now() - started
      const verdict = code === 0 ? 'ok' : `failed (exit ${code})`
      // A buffered script reports as soon as it ends, so a failed check is seen early.
      if (!inherit) {
        process.stdout.write(`> ${name}: ${verdict} in ${(ms / 1000).toFixed(1)} s\n`)
        if (chunks.length > 0) process.stdout.write(Buffer.concat(chunks))
      }
      resolve({ name, code: code ?? 1, ms, verdict })
    })
  })
}

const results = await Promise.all([
  ...(live ? [run(live, true)] : []),
  ...scripts.map((name) => run(name, false)),
])
const failed = results.filter((r) => r.code !== 0)
for (const r of results)
  process.stdout.write(`> ${r.name}: ${r.verdict} in ${(r.ms / 1000).toFixed(1)} s\n`)
process.exit(failed.length > 0 ? 1 : 0)
