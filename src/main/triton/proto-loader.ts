import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import type { ProtoGrpcType } from './generated/grpc_service'

/** Must equal the flags in scripts/gen-proto-types.mjs so runtime objects match the generated types. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
}

/**
 * Finds proto/ whether we run from sources (tests), from out/main (CLI, Electron dev) or from a
 * packaged app (resources). TRITON_LIVE_PROTO_DIR wins when set.
 */
export function findProtoDir(): string {
  const candidates = [
    process.env.TRITON_LIVE_PROTO_DIR,
    resolve(__dirname, '../../proto'),
    resolve(__dirname, '../../../proto'),
    resolve(__dirname, '../proto'),
    resolve(process.cwd(), 'proto'),
    electronResourcesPath() ? join(electronResourcesPath() as string, 'proto') : undefined,
  ].filter((p): p is string => typeof p === 'string')
  for (const dir of candidates) {
    if (existsSync(join(dir, 'grpc_service.proto'))) return dir
  }
  throw new Error(
    `cannot find grpc_service.proto (looked in ${candidates.join(', ')}); set TRITON_LIVE_PROTO_DIR to the proto folder`,
  )
}

/** Electron adds process.resourcesPath; plain Node does not have it. */
function electronResourcesPath(): string | undefined {
  const p = (process as { resourcesPath?: unknown }).resourcesPath
  return typeof p === 'string' ? p : undefined
}

let cached: ProtoGrpcType | undefined

export function loadTritonProto(): ProtoGrpcType {
  if (cached) return cached
  const dir = findProtoDir()
  const definition = protoLoader.loadSync(join(dir, 'grpc_service.proto'), {
    ...PROTO_LOADER_OPTIONS,
    includeDirs: [dir, dirname(dir)],
  })
  cached = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType
  return cached
}
