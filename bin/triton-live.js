#!/usr/bin/env node
'use strict'
const { existsSync } = require('node:fs')
const { join } = require('node:path')

const cli = join(__dirname, '..', 'out', 'main', 'cli.js')
if (!existsSync(cli)) {
  process.stderr.write('triton-live: the CLI is not built yet (run `npm run build` first)\n')
  process.exit(1)
}
// grpc-js passes an IP address as the TLS server name, which Node reports as DEP0123 on every
// grpcs:// connection to an IP; that is noise for a user, other warnings still print.
process.removeAllListeners('warning')
process.on('warning', (w) => {
  if (w.code !== 'DEP0123') process.stderr.write(`triton-live: warning: ${w.message}\n`)
})
require(cli).runProgram(process.argv.slice(2))
