#!/usr/bin/env node
'use strict'
const { existsSync } = require('node:fs')
const { join } = require('node:path')

const cli = join(__dirname, '..', 'out', 'main', 'cli.js')
if (!existsSync(cli)) {
  process.stderr.write('triton-live: the CLI is not built yet (run `npm run build` first)\n')
  process.exit(1)
}
const { main } = require(cli)
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`triton-live: ${e && e.message ? e.message : String(e)}\n`)
    process.exit(1)
  },
)
