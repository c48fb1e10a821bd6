// Generates TypeScript types for the protos with proto-loader-gen-types. The options
// here must equal PROTO_LOADER_OPTIONS in src/main/triton/proto-loader.ts.
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outDir = join(root, 'src/main/triton/generated')
const require = createRequire(import.meta.url)
const bin = join(
  dirname(require.resolve('@grpc/proto-loader/package.json')),
  'build/bin/proto-loader-gen-types.js',
)

rmSync(outDir, { recursive: true, force: true })
execFileSync(
  process.execPath,
  [
    bin,
    '--keepCase',
    '--longs=String',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--grpcLib=@grpc/grpc-js',
    '--includeDirs',
    join(root, 'proto'),
    '--outDir',
    outDir,
    'grpc_service.proto',
  ],
  { stdio: 'inherit' },
)

// One import point for the message types the client uses.
import { readdirSync, writeFileSync } from 'node:fs'
const names = readdirSync(join(outDir, 'inference'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
writeFileSync(
  join(outDir, 'inference-types.ts'),
  names.map((n) => `export type * from './inference/${n}'`).join('\n') + '\n',
)
